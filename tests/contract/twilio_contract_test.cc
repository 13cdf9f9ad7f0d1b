// Contract test: the requests the real TwilioSender makes, sent by the real
// CurlHttpClient, are checked against Twilio's official OpenAPI description of
// its REST API by prism (@stoplight/prism-cli, installed by `npm ci`), which
// answers 201 to a request the spec allows and 422 with the list of violations
// to one it does not. What Twilio then does with a valid request (its error
// codes, Retry-After) is tested against tests/support/fake_twilio.h instead.
//
// The spec, tests/contract/twilio_api_v2010.prism.json, is Twilio's published
// twilio/twilio-oai spec/json/twilio_api_v2010.json (data, not code) with
// MediaUrl and PersistentAction widened to string-or-array because prism
// rejects repeated form keys (stoplightio/prism#2473); ../shared/contracts/twilio
// beside the clone is used when the in-repository copy is absent.
//
// prism is a Node program from package.json at the repository root. When it is
// missing the test fails and says to run `npm ci`: a contract test that skips
// itself silently would pass in every clone that never installed it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "gateway/channels/twilio/twilio_messages_api.h"
#include "gateway/channels/twilio/twilio_sender.h"
#include "gateway/core/curl_http_client.h"
#include "gateway/core/form_encoding.h"
#include "tests/support/channel_configs.h"
#include "tests/support/subprocess.h"

namespace {

using gw::testing::BackgroundProcess;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";  // the spec wants ^AC[0-9a-fA-F]{32}$
const std::string kToken = "contract-auth-token";
const std::string kContentSid = "HX0123456789abcdef0123456789abcdef";
const std::string kServiceSid = "MG0123456789abcdef0123456789abcdef";
// prism can take several seconds to load the 1 MB spec, more on a busy CI machine.
constexpr auto kStartupWait = std::chrono::seconds(60);

// The in-repository copy first (a fresh clone has only that), then the shared one beside the clone.
std::string spec_path() {
  for (const std::string& p :
       {std::string(GATEWAY_SOURCE_DIR) + "/tests/contract/twilio_api_v2010.prism.json",
        std::string(GATEWAY_SOURCE_DIR) + "/../shared/contracts/twilio/twilio_api_v2010.prism.json"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

std::string tail(const std::string& s, size_t n = 2000) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

// A prism mock of the Twilio API on 127.0.0.1, for one test. prism binds port 0
// itself and the port is read from its "Prism is listening on" line.
class PrismMock {
 public:
  PrismMock() {
    const std::string prism = std::string(GATEWAY_SOURCE_DIR) + "/node_modules/.bin/prism";
    if (!std::filesystem::exists(prism)) {
      problem_ = "prism is not installed (" + prism +
                 " is missing): run `npm ci` at the repository root, "
                 "or scripts/setup.sh --tests, which does it";
      return;
    }
    const std::string spec = spec_path();
    if (spec.empty()) {
      problem_ = "Twilio's OpenAPI spec is missing: expected tests/contract/twilio_api_v2010.prism.json";
      return;
    }
    start(prism, spec);
  }

  ~PrismMock() {
    if (!proc_) return;
    proc_->signal(SIGTERM);
    proc_->wait(std::chrono::seconds(5));  // the BackgroundProcess destructor SIGKILLs a straggler
  }

  bool up() const { return up_; }
  const std::string& problem() const { return problem_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void start(const std::string& prism, const std::string& spec) {
    proc_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{prism, "mock", "-h", "127.0.0.1", "-p", "0", "--errors", spec},
        std::vector<std::string>{"NO_COLOR=1", "FORCE_COLOR=0"}, GATEWAY_SOURCE_DIR);
    const auto deadline = std::chrono::steady_clock::now() + kStartupWait;
    const std::string listening = "Prism is listening on http://127.0.0.1:";
    const std::string line = proc_->wait_for_line(listening, kStartupWait);
    if (const size_t at = line.find(listening); at != std::string::npos) {
      port_ = std::atoi(line.c_str() + at + listening.size());
    }
    if (port_ <= 0) {
      problem_ = "prism did not say which port it listens on:\n" + tail(proc_->out()) + tail(proc_->err());
      return;
    }
    gw::CurlHttpClient probe;
    while (std::chrono::steady_clock::now() < deadline) {
      if (const int code = proc_->wait(std::chrono::milliseconds(1)); code >= 0) {
        problem_ = "prism exited with code " + std::to_string(code) + " before answering:\n" +
                   tail(proc_->out()) + tail(proc_->err());
        return;
      }
      gw::HttpRequest req;
      req.url = base() + "/";
      req.timeout = std::chrono::milliseconds(2000);
      req.connect_timeout = std::chrono::milliseconds(500);
      auto res = probe.send(req);
      // prism answers an unknown path with its own problem document; anything else is not prism.
      if (res.ok() && res->body.find("stoplight.io/prism") != std::string::npos) {
        up_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    problem_ = "prism did not answer within " + std::to_string(kStartupWait.count()) + " s:\n" +
               tail(proc_->out()) + tail(proc_->err());
  }

  std::unique_ptr<BackgroundProcess> proc_;
  int port_ = 0;
  bool up_ = false;
  std::string problem_;
};

// The real client, keeping the last answer so a failure can show prism's reasons.
class RecordingHttpClient final : public gw::HttpClient {
 public:
  gw::Result<gw::HttpResponse> send(const gw::HttpRequest& request) override {
    auto res = inner_.send(request);
    last_request = request;
    last_response = res;
    return res;
  }
  gw::HttpRequest last_request;
  std::optional<gw::Result<gw::HttpResponse>> last_response;

 private:
  gw::CurlHttpClient inner_;
};

// "HTTP 422" and prism's violations, one a line: where in the request, and what is wrong.
std::string describe(const gw::Result<gw::HttpResponse>& res) {
  if (!res.ok()) return "no answer from prism: " + res.error().to_string();
  std::string out = "HTTP " + std::to_string(res->status);
  const auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (body.is_object() && body.contains("validation") && body["validation"].is_array()) {
    if (body.contains("title") && body["title"].is_string()) out += " " + body["title"].get<std::string>();
    for (const auto& v : body["validation"]) {
      std::string where;
      for (const auto& part : v.value("location", nlohmann::json::array())) {
        where += (where.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
      }
      out += "\n  - " + where + ": " + v.value("message", std::string("?"));
    }
  } else if (res->status != 201) {
    out += "\n" + tail(res->body, 1000);
  }
  return out;
}

gw::ChannelConfig channel_for(const PrismMock& prism) {
  return gw::testing::twilio_channel(prism.base(), kToken, kAccount);
}

struct Case {
  std::string name;
  std::string address;
  std::string body;
  std::optional<gw::Millis> last_inbound_ago;
  std::string template_key;
  std::string messaging_service_sid;
  std::string expect_field;  // a form field this case must have sent
};

}  // namespace

TEST_CASE("every kind of request the Twilio sender makes is valid by Twilio's OpenAPI spec (prism)",
          "[contract][twilio][prism]") {
  PrismMock prism;
  if (!prism.up()) FAIL(prism.problem());

  const std::vector<Case> cases = {
      {"an SMS", "+447700900123", "Hello, this is the helpline. Reply 1 for your rights.", std::nullopt, "",
       "", "Body"},
      {"a WhatsApp message inside the 24-hour window", "whatsapp:+393331234567",
       "Ciao, siamo qui per aiutarti.", gw::Millis(3600 * 1000), "system.welcome", "", "Body"},
      {"an SMS with smart-encodable text", "+447700900124",
       "We\u2019re here \u2014 \u201cfree\u201d and confidential\u2026", std::nullopt, "", "", "Body"},
      {"an Arabic SMS", "+447700900125", "مرحبا، نحن هنا للمساعدة. اكتب ١ لمعرفة حقوقك.", std::nullopt, "",
       "", "Body"},
      {"a WhatsApp template (ContentSid) outside the 24-hour window", "whatsapp:+393331234568", "Ciao",
       gw::Millis(48 * 3600 * 1000), "system.welcome", "", "ContentSid"},
      {"an SMS through a Messaging Service", "+447700900126", "Hello from a messaging service.", std::nullopt,
       "", kServiceSid, "MessagingServiceSid"},
  };

  gw::SystemClock clock;
  for (const Case& c : cases) {
    INFO(c.name);
    RecordingHttpClient http;
    gw::ChannelConfig channel = channel_for(prism);
    channel.messaging_service_sid = c.messaging_service_sid;
    gw::TwilioSender sender(channel, "https://helpline.example.org", http, clock, [](const std::string& key) {
      return key == "system.welcome" ? kContentSid : std::string();
    });
    gw::OutboxItem item;
    item.id = 1;
    item.address = c.address;
    item.body = c.body;
    item.template_key = c.template_key;
    gw::Contact contact;
    contact.id = 1;
    contact.channel_id = channel.id;
    if (c.last_inbound_ago) contact.last_inbound_at = clock.now() - *c.last_inbound_ago;

    const gw::SendOutcome out = sender.send(item, contact);
    REQUIRE(http.last_response.has_value());
    const auto& res = *http.last_response;
    INFO(describe(res));
    if (res.ok() && res->status == 422) FAIL_CHECK("prism: the request breaks Twilio's spec");
    CHECK((res.ok() && res->status == 201));
    CHECK(out.kind == gw::SendOutcome::Kind::kAccepted);
    CHECK(out.provider_id.rfind("SM", 0) == 0);
    auto form = gw::form_urldecode(http.last_request.body);
    REQUIRE(form.ok());
    CHECK(gw::form_find(*form, c.expect_field) != nullptr);
  }
}

TEST_CASE("prism refuses requests that break Twilio's spec, so the contract test can fail",
          "[contract][twilio][prism]") {
  PrismMock prism;
  if (!prism.up()) FAIL(prism.problem());
  gw::CurlHttpClient http;
  const gw::ChannelConfig channel = channel_for(prism);
  auto request_with = [&](const gw::FormFields& form) {
    gw::HttpRequest req = gw::build_twilio_create_message(channel, {"+447700900123", "hi", "", "", ""});
    req.body = gw::form_urlencode(form);
    return req;
  };

  // One prism for the three checks (a SECTION would start it again for each).
  {
    INFO("a request without To gets 422 naming To");
    auto res = http.send(request_with({{"From", "+447700900000"}, {"Body", "hi"}}));
    REQUIRE(res.ok());
    INFO(describe(res));
    CHECK(res->status == 422);
    CHECK(describe(res).find("'To'") != std::string::npos);
    CHECK(gw::classify_twilio_response(res).kind == gw::SendOutcome::Kind::kPermanent);
  }
  {
    INFO("a StatusCallback that is not a URL gets 422 naming StatusCallback");
    auto res = http.send(request_with({{"To", "+447700900123"},
                                       {"From", "+447700900000"},
                                       {"Body", "hi"},
                                       {"StatusCallback", "not a url"}}));
    REQUIRE(res.ok());
    INFO(describe(res));
    CHECK(res->status == 422);
    CHECK(describe(res).find("StatusCallback") != std::string::npos);
  }
  {
    INFO("a request without Basic auth gets 401");
    gw::HttpRequest req = request_with({{"To", "+447700900123"}, {"From", "+447700900000"}, {"Body", "hi"}});
    req.basic_user.clear();
    auto res = http.send(req);
    REQUIRE(res.ok());
    CHECK(res->status == 401);
  }
}
