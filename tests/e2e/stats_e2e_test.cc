// The anonymised statistics end to end, on the real `gateway serve` process:
// people text in through signed Twilio webhooks; a supervisor reads the counts
// (GET /api/stats) and the command line exports them while the gateway serves
// (gateway stats export); no output shows a count from 1 to 10; operators get
// 403; and /metrics carries no label that could name a person. Only loopback.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "gateway/core/form_encoding.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/staff_login.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twilio_webhook.h"

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "stats-auth-token";

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// Every count in a report's JSON (cells, row totals, week totals), as shown.
void shown_counts(const json& report, std::vector<json>& out) {
  for (const json& t : report["tables"]) {
    for (const json& row : t["rows"]) {
      for (const json& c : row["weeks"]) out.push_back(c);
      out.push_back(row["total"]);
    }
    for (const json& c : t["total"]["weeks"]) out.push_back(c);
    out.push_back(t["total"]["total"]);
  }
}

// The count of `value` in the last week of `metric`'s table.
json cell(const json& report, const std::string& metric, const std::string& value) {
  for (const json& t : report["tables"]) {
    if (t["metric"] != metric) continue;
    for (const json& row : t["rows"]) {
      if (row["value"] == value) return row["weeks"].back();
    }
    return json(0);  // an open set without that value
  }
  FAIL("no table " << metric);
  return json();
}

}  // namespace

TEST_CASE(
    "statistics: people text in, a supervisor reads suppressed counts and exports them while the "
    "gateway serves, and metrics name no one",
    "[e2e][stats]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  auto dir = gw::testing::make_temp_dir("gw-stats");
  const std::string public_url = gw::testing::kServePublicUrl;
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, twilio.api_base(), kAccount, "STATS_TWILIO_TOKEN",
                                             json{{"channels",
                                                   {{{"id", "uk-sms"},
                                                     {"type", "twilio"},
                                                     {"account_sid", kAccount},
                                                     {"auth_token", "env:STATS_TWILIO_TOKEN"},
                                                     {"from", "+447700900000"},
                                                     {"api_base", twilio.api_base()},
                                                     {"max_per_second", 100}}}}});
  const std::vector<std::string> env = {"STATS_TWILIO_TOKEN=" + kToken};
  std::map<std::string, std::string> one_time;
  for (const auto& [user, role] :
       std::vector<std::pair<std::string, std::string>>{{"sara", "supervisor"}, {"omar", "operator"}}) {
    auto added = gw::testing::run_process(
        {GATEWAY_BINARY, "user", "add", user, "--role", role, "--config", config}, "", 30s, env);
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
    one_time[user] = last_line(added.out);
  }
  gw::testing::BackgroundProcess gateway({GATEWAY_BINARY, "serve", "--config", config}, env);
  const int port = gw::testing::listening_port(gateway);
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));

  // Twelve people: hello, English, then consent — nine say yes, three say no.
  int sid = 0;
  const auto text = [&](const std::string& from, const std::string& body) {
    char sid_text[40];
    std::snprintf(sid_text, sizeof sid_text, "SM%032d", ++sid);
    const gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", sid_text}, {"From", from},
                                 {"To", "+447700900000"},  {"Body", body},           {"NumMedia", "0"},
                                 {"NumSegments", "1"}};
    auto res = gw::testing::post_signed_inbound(client, public_url, kToken, form);
    REQUIRE(res);
    REQUIRE(res->status == 200);
  };
  const auto number = [](int i) { return "+4477009002" + std::to_string(10 + i); };
  const auto replies_reach = [&](size_t n) {
    for (int i = 0; i < 600 && twilio.count() < n; ++i) std::this_thread::sleep_for(25ms);
    REQUIRE(twilio.count() >= n);
  };
  for (int i = 0; i < 12; ++i) text(number(i), "Hello");
  replies_reach(12);  // the welcome
  for (int i = 0; i < 12; ++i) text(number(i), "1");
  replies_reach(12 + 36);  // English set, what consent means, the question
  for (int i = 0; i < 12; ++i) text(number(i), i < 9 ? "1" : "2");
  replies_reach(12 + 36 + 12);

  const gw::testing::Session sara = gw::testing::first_sign_in(client, "sara", one_time["sara"]);
  const gw::testing::Session omar = gw::testing::first_sign_in(client, "omar", one_time["omar"]);
  const httplib::Headers as_sara = {{"Cookie", sara.cookie}};

  // Counts reach the store in the transaction of each message: poll until the last are in.
  json report;
  for (int i = 0; i < 200; ++i) {
    auto res = client.Get("/api/stats", as_sara);
    REQUIRE(res);
    REQUIRE(res->status == 200);
    report = json::parse(res->body);
    const json declined_total = report["tables"][3]["total"]["weeks"].back();
    if (declined_total == json(12)) break;
    std::this_thread::sleep_for(25ms);
  }
  CHECK(report["format"] == "helpline-gateway-stats");
  CHECK(report["min_cell"] == 11);
  CHECK(report["weeks"].size() == 12);
  CHECK(cell(report, "conversations.channel", "sms") == json(12));
  CHECK(cell(report, "conversations.country", "GB") == json(12));
  CHECK(cell(report, "conversations.language", "en") == json(12));
  // Nine and three: both hidden, though their total (12) is shown.
  CHECK(cell(report, "consent", "given") == json("<11"));
  CHECK(cell(report, "consent", "declined") == json("<11"));
  std::vector<json> counts;
  shown_counts(report, counts);
  REQUIRE(counts.size() > 100);
  for (const json& c : counts) {
    if (c.is_number()) {
      CHECK((c.get<int64_t>() == 0 || c.get<int64_t>() >= 11));
    } else {
      CHECK(c == json("<11"));
    }
  }
  const std::string week = report["to"].get<std::string>();

  // One country, and the filter's choices.
  auto gb = client.Get("/api/stats?country=GB&from=" + week + "&to=" + week, as_sara);
  REQUIRE(gb);
  CHECK(gb->status == 200);
  CHECK(cell(json::parse(gb->body), "conversations.channel", "sms") == json(12));
  auto options = client.Get("/api/stats/options", as_sara);
  REQUIRE(options);
  CHECK(json::parse(options->body)["countries"] == json({"GB", "IT", "HR", "NL", "other", "unknown"}));

  // CSV through the API: one count a line, suppressed as "<11".
  auto csv = client.Get("/api/stats?format=csv&from=" + week + "&to=" + week, as_sara);
  REQUIRE(csv);
  CHECK(csv->status == 200);
  CHECK(csv->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(csv->get_header_value("Content-Disposition").find("attachment") != std::string::npos);
  CHECK(csv->body.rfind("metric,value,week,count\r\n", 0) == 0);
  CHECK(csv->body.find("conversations.channel,sms," + week + ",12\r\n") != std::string::npos);
  CHECK(csv->body.find("consent,given," + week + ",<11\r\n") != std::string::npos);

  // Bad parameters: 400 with what is wrong.
  for (const std::string query : {"?from=2026-W99", "?format=xml", "?country=FR",
                                  "?from=2030-W01&to=2020-W01", "?from=2000-W01&to=2026-W01"}) {
    auto bad = client.Get("/api/stats" + query, as_sara);
    REQUIRE(bad);
    INFO(query);
    CHECK(bad->status == 400);
    CHECK(json::parse(bad->body)["message"].get<std::string>().size() > 5);
  }
  // Operators get 403, and without a session 401.
  CHECK(client.Get("/api/stats", {{"Cookie", omar.cookie}})->status == 403);
  CHECK(client.Get("/api/stats/options", {{"Cookie", omar.cookie}})->status == 403);
  CHECK(client.Get("/api/stats")->status == 401);

  // The command line exports the same while the gateway serves.
  auto exported = gw::testing::run_process(
      {GATEWAY_BINARY, "stats", "export", "--from", week, "--to", week, "--config", config}, "", 30s, env);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out == csv->body);
  auto exported_json = gw::testing::run_process(
      {GATEWAY_BINARY, "stats", "export", "--format", "json", "--config", config}, "", 30s, env);
  REQUIRE(exported_json.exit_code == 0);
  CHECK(json::parse(exported_json.out) == report);
  auto refused = gw::testing::run_process(
      {GATEWAY_BINARY, "stats", "export", "--from", "yesterday", "--config", config}, "", 30s, env);
  CHECK(refused.exit_code != 0);
  CHECK(refused.out.empty());
  CHECK(refused.err.find("--from") != std::string::npos);

  // /metrics: every label is one of a known few, and no value could name a person.
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  const std::set<std::string> kLabels = {"route",   "method", "status",  "channel", "direction",
                                         "outcome", "queue",  "version", "le"};
  const std::regex label(R"re(([a-z_]+)="([^"]*)")re");
  int labels_seen = 0;
  std::istringstream lines(metrics->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), label); it != std::sregex_iterator();
         ++it) {
      ++labels_seen;
      INFO(line);
      CHECK(kLabels.count((*it)[1].str()) == 1);
      const std::string value = (*it)[2].str();
      CHECK(value.find("7700900") == std::string::npos);
      CHECK(value.find("Hello") == std::string::npos);
      if ((*it)[1].str() != "version") CHECK_FALSE(std::regex_search(value, std::regex("[0-9]{7,}")));
    }
  }
  CHECK(labels_seen > 20);

  gateway.signal(SIGTERM);
  CHECK(gateway.wait(15s) == 0);
  CHECK(gateway.err().find("7700900") == std::string::npos);
}
