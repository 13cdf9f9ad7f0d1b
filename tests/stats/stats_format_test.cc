// The JSON and CSV forms: their exact shape, the round trip, and the strict
// reading of files from elsewhere (each problem named by its JSON path).
#include "gateway/stats/stats_format.h"

#include <catch2/catch.hpp>
#include <functional>
#include <random>

#include "gateway/stats/stat_keys.h"
#include "tests/stats/worked_example.h"

using gw::StatCount;
using gw::stats::StatsReport;
using nlohmann::json;

namespace {

StatsReport sample_report() {
  std::vector<StatCount> counts = {
      {"2026-W48", "GB", "conversations.channel", "sms", 12},
      {"2026-W49", "GB", "conversations.channel", "sms", 3},
      {"2026-W48", "GB", "conversations.channel", "web", 25},
      {"2026-W49", "GB", "conversations.channel", "web", 14},
      {"2026-W49", "GB", "conversations.channel", "telegram", 11},
      {"2026-W48", "GB", "topic", "a,\"b\"", 30},
  };
  gw::stats::ReportOptions o;
  o.from = "2026-W48";
  o.to = "2026-W49";
  o.country = "GB";
  return gw::stats::build_report(counts, o);
}

}  // namespace

TEST_CASE("report_to_json writes the documented shape, hidden counts as the mark", "[stats]") {
  const StatsReport r = sample_report();
  const auto j = gw::stats::report_to_json(r);
  std::vector<std::string> keys;
  for (const auto& [key, unused] : j.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"format", "version", "from", "to", "country", "min_cell",
                                         "suppressed", "weeks", "tables"});
  CHECK(j["format"] == "helpline-gateway-stats");
  CHECK(j["version"] == 1);
  CHECK(j["country"] == "GB");
  CHECK(j["suppressed"] == "<11");
  CHECK(j["tables"].size() == gw::stats::metrics().size());
  const auto& channel = j["tables"][0];
  CHECK(channel.dump() ==
        R"({"metric":"conversations.channel","title":"Conversations started, by channel","rows":[)"
        R"({"value":"sms","weeks":[12,"<11"],"total":"<11"},{"value":"whatsapp","weeks":[0,0],"total":0},)"
        R"({"value":"telegram","weeks":[0,"<11"],"total":"<11"},{"value":"web","weeks":[25,14],"total":39}],)"
        R"("total":{"weeks":[37,28],"total":65}})");
  StatsReport all = r;
  all.country.clear();
  CHECK(gw::stats::report_to_json(all)["country"] == "all");
  CHECK(gw::stats::suppression_mark(5) == "<5");
}

TEST_CASE("report_to_csv writes one count a line, row totals, week totals and the grand total", "[stats]") {
  const std::string csv = gw::stats::report_to_csv(sample_report());
  const std::string expected_start =
      "metric,value,week,count\r\n"
      "conversations.channel,sms,2026-W48,12\r\n"
      "conversations.channel,sms,2026-W49,<11\r\n"
      "conversations.channel,sms,total,<11\r\n"
      "conversations.channel,whatsapp,2026-W48,0\r\n"
      "conversations.channel,whatsapp,2026-W49,0\r\n"
      "conversations.channel,whatsapp,total,0\r\n"
      "conversations.channel,telegram,2026-W48,0\r\n"
      "conversations.channel,telegram,2026-W49,<11\r\n"
      "conversations.channel,telegram,total,<11\r\n"
      "conversations.channel,web,2026-W48,25\r\n"
      "conversations.channel,web,2026-W49,14\r\n"
      "conversations.channel,web,total,39\r\n"
      "conversations.channel,total,2026-W48,37\r\n"
      "conversations.channel,total,2026-W49,28\r\n"
      "conversations.channel,total,total,65\r\n"
      "conversations.language,total,2026-W48,0\r\n";
  CHECK(csv.substr(0, expected_start.size()) == expected_start);
  // RFC 4180 quoting where a field needs it.
  CHECK(csv.find("\r\ntopic,\"a,\"\"b\"\"\",2026-W48,30\r\n") != std::string::npos);
  CHECK(csv.find('\n') == csv.find("\r\n") + 1);
}

TEST_CASE("report_from_json reads back exactly what report_to_json wrote", "[stats]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    std::vector<StatCount> counts;
    for (int i = 0; i < 80; ++i) {
      const auto& m = gw::stats::metrics()[rng() % gw::stats::metrics().size()];
      counts.push_back({rng() % 2 ? "2026-W52" : "2027-W01", rng() % 2 ? "GB" : "IT", m.metric,
                        m.values.empty() ? std::string("x").append(std::to_string(rng() % 4))
                                         : m.values[rng() % m.values.size()],
                        static_cast<int64_t>(rng() % 30)});
    }
    gw::stats::ReportOptions o;
    o.from = "2026-W50";
    o.to = "2027-W01";
    o.country = round % 2 ? "" : "IT";
    o.min_cell = round % 3 ? 11 : 5;
    const StatsReport r = gw::stats::build_report(counts, o);
    auto back = gw::stats::report_from_json(json::parse(gw::stats::report_to_json(r).dump()));
    INFO((back.ok() ? "" : back.error().message));
    REQUIRE(back.ok());
    CHECK(*back == r);
  }
}

TEST_CASE("report_from_json rejects malformed files with the JSON path of the problem", "[stats]") {
  const json good = json::parse(gw::testing::kExampleExportA);
  REQUIRE(gw::stats::report_from_json(good).ok());
  struct Case {
    std::string path;
    std::function<void(json&)> change;
  };
  const std::vector<Case> cases = {
      {"$: ", [](json& j) { j = json::array(); }},
      {"$: has an unknown key", [](json& j) { j["extra"] = 1; }},
      {"$: has no \"tables\"", [](json& j) { j.erase("tables"); }},
      {"$.format: ", [](json& j) { j["format"] = "csv"; }},
      {"$.version: ", [](json& j) { j["version"] = 2; }},
      {"$.from: ", [](json& j) { j["from"] = "2026-W5"; }},
      {"$.from: ", [](json& j) { j["from"] = "2026-11-23"; }},
      {"$.to: ", [](json& j) { j["to"] = "2026-W47"; }},
      {"$.to: ", [](json& j) { j["from"] = "2010-W01"; }},
      {"$.country: ", [](json& j) { j["country"] = ""; }},
      {"$.country: ", [](json& j) { j["country"] = "G B"; }},
      {"$.min_cell: ", [](json& j) { j["min_cell"] = 3; }},
      {"$.min_cell: ", [](json& j) { j["min_cell"] = 11.5; }},
      {"$.suppressed: ", [](json& j) { j["suppressed"] = "<5"; }},
      {"$.weeks: ", [](json& j) { j["weeks"].push_back("2026-W50"); }},
      {"$.weeks[1]: ", [](json& j) { j["weeks"][1] = "2026-W50"; }},
      {"$.tables: ", [](json& j) { j["tables"] = json::object(); }},
      {"$.tables: has more than 64",
       [](json& j) { j["tables"] = json(std::vector<json>(65, j["tables"][0])); }},
      {"$.tables[1].metric: ", [](json& j) { j["tables"].push_back(j["tables"][0]); }},
      {"$.tables[0]: has an unknown key", [](json& j) { j["tables"][0]["note"] = ""; }},
      {"$.tables[0].metric: ", [](json& j) { j["tables"][0]["metric"] = 5; }},
      {"$.tables[0].rows: has more than 10000",
       [](json& j) { j["tables"][0]["rows"] = json(std::vector<json>(10001, json::object())); }},
      {"$.tables[0].rows[0].value: is longer than 128",
       [](json& j) { j["tables"][0]["rows"][0]["value"] = std::string(129, 'a'); }},
      {"$.tables[0].rows[1].value: ", [](json& j) { j["tables"][0]["rows"][1]["value"] = "ar"; }},
      {"$.tables[0].rows[0].weeks: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"].push_back(0); }},
      {"$.tables[0].rows[0].weeks[0]: 7 is shown",
       [](json& j) { j["tables"][0]["rows"][0]["weeks"][0] = 7; }},
      {"$.tables[0].rows[0].weeks[0]: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"][0] = -12; }},
      {"$.tables[0].rows[0].weeks[0]: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"][0] = 12.0; }},
      {"$.tables[0].rows[0].weeks[0]: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"][0] = "12"; }},
      {"$.tables[0].rows[0].weeks[1]: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"][1] = "<5"; }},
      {"$.tables[0].rows[0].weeks[1]: ", [](json& j) { j["tables"][0]["rows"][0]["weeks"][1] = nullptr; }},
      {"$.tables[0].rows[1].total: 40 is not the sum",
       [](json& j) { j["tables"][0]["rows"][1]["total"] = 40; }},
      {"$.tables[0].rows[0].total: is shown while", [](json& j) { j["tables"][0]["rows"][0]["total"] = 20; }},
      {"$.tables[0].total.weeks[0]: 38 is not the sum",
       [](json& j) { j["tables"][0]["total"]["weeks"][0] = 38; }},
      {"$.tables[0].total.weeks[1]: 13 is less than",
       [](json& j) {
         j["tables"][0]["total"]["weeks"][1] = 13;
         j["tables"][0]["total"]["total"] = 50;
       }},
      {"$.tables[0].total.weeks[1]: is shown while exactly one",
       [](json& j) {
         j["tables"][0]["rows"][2]["weeks"][1] = 11;
         j["tables"][0]["rows"][2]["total"] = 11;
       }},
      {"$.tables[0].total.total: 66 is not the sum", [](json& j) { j["tables"][0]["total"]["total"] = 66; }},
      {"$.tables[0].total.total: is shown while",
       [](json& j) { j["tables"][0]["total"]["weeks"][1] = "<11"; }},
  };
  for (const Case& c : cases) {
    json j = good;
    c.change(j);
    auto r = gw::stats::report_from_json(j);
    INFO(c.path << " for " << j.dump().substr(0, 300));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
    INFO(r.error().message);
    CHECK(r.error().message.rfind(c.path, 0) == 0);
    CHECK(r.error().message.size() < 300);
  }
}
