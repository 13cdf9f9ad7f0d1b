// The real `gateway serve` process with a Twilio channel: a signed webhook in,
// the reply out through the outbox to a local fake of Twilio's REST API, and
// the delivery callback applied. Only loopback is used.
#include <signal.h>

#include <atomic>
#include <functional>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"
#include "tests/support/loopback_server.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "e2e-auth-token";

struct FakeTwilio {
  gw::testing::LoopbackServer server;
  std::mutex mu;
  std::vector<gw::FormFields> sent;
  std::atomic<int> next{0};

  FakeTwilio() {
    server.server().Post(R"(/2010-04-01/Accounts/(AC\w+)/Messages\.json)",
                         [this](const httplib::Request& req, httplib::Response& res) {
                           auto form = gw::form_urldecode(req.body);
                           {
                             std::lock_guard<std::mutex> lock(mu);
                             sent.push_back(form.ok() ? *form : gw::FormFields{});
                           }
                           char sid[40];
                           std::snprintf(sid, sizeof sid, "SM%032x", ++next);
                           res.status = 201;
                           res.set_content(nlohmann::json{{"sid", sid}, {"status", "queued"}}.dump(),
                                           "application/json");
                         });
    server.start();
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return sent.size();
  }
};

// Polls /metrics (for up to ~5 s) until `seen()` holds and the gateway's intake and
// outbox are both empty.
bool all_sent(httplib::Client& client, const std::function<bool()>& seen) {
  const auto empty = [&] {
    auto res = client.Get("/metrics");
    return res && res->status == 200 && res->body.find("\ngateway_intake_depth 0\n") != std::string::npos &&
           res->body.find("\ngateway_outbox_depth 0\n") != std::string::npos;
  };
  for (int i = 0; i < 200; ++i) {
    if (seen() && empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return seen() && empty();
}

}  // namespace

TEST_CASE("serve takes signed Twilio SMS, answers with the flow through the fake provider and applies the callback",
          "[e2e][twilio]") {
  FakeTwilio twilio;
  auto dir = gw::testing::make_temp_dir("gw-e2e");
  const int port = gw::testing::free_port();
  const std::string public_url = "http://127.0.0.1:" + std::to_string(port);
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, port, twilio.server.url(""), kAccount, "E2E_TWILIO_TOKEN");
  gw::testing::BackgroundProcess gateway({GATEWAY_BINARY, "serve", "--config", config},
                                         {"E2E_TWILIO_TOKEN=" + kToken});
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));

  const gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
                               {"From", "+447700900123"}, {"To", "+447700900000"}, {"Body", "Hello"},
                               {"NumMedia", "0"}, {"NumSegments", "1"}};
  auto res = gw::testing::post_signed_inbound(client, public_url, kToken, form);
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("<Response/>") != std::string::npos);
  // Twilio retries the same webhook: no second reply.
  REQUIRE(gw::testing::post_signed_inbound(client, public_url, kToken, form)->status == 200);

  // The flow answers with one message: the welcome, offering the language guessed from the
  // UK number first.
  // Once the intake and the outbox are both empty, both webhooks have been handled and
  // every reply they made sent: what the fake has then is all there will be.
  REQUIRE(all_sent(client, [&] { return twilio.count() >= 1; }));
  REQUIRE(twilio.count() == 1);
  const gw::FormFields reply = twilio.sent[0];
  CHECK(*gw::form_find(reply, "To") == "+447700900123");
  CHECK(*gw::form_find(reply, "From") == "+447700900000");
  CHECK(gw::form_find(reply, "Body")->find("helpline") != std::string::npos);
  CHECK(gw::form_find(reply, "Body")->find("1. English\n2. ") != std::string::npos);
  CHECK(*gw::form_find(reply, "StatusCallback") == public_url + "/twilio/uk-sms/status");

  // The answer "1" (as a person would type it, with noise) continues the same flow session.
  const gw::FormFields answer = {{"AccountSid", kAccount}, {"MessageSid", "SM0123456789abcdef0123456789abcdf0"},
                                 {"From", "+447700900123"}, {"To", "+447700900000"}, {"Body", " 1. "},
                                 {"NumMedia", "0"}, {"NumSegments", "1"}};
  auto res2 = gw::testing::post_signed_inbound(client, public_url, kToken, answer);
  REQUIRE(res2);
  CHECK(res2->status == 200);
  // English is set, then what consent means and the question with its numbered answers, in that order.
  for (int i = 0; i < 200 && twilio.count() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(twilio.count() == 4);
  CHECK(gw::form_find(twilio.sent[1], "Body")->find("English") != std::string::npos);
  CHECK(gw::form_find(twilio.sent[2], "Body")->find("messages and answers") != std::string::npos);
  CHECK(gw::form_find(twilio.sent[3], "Body")->find("\n1. Yes") != std::string::npos);

  const gw::FormFields delivered = {{"AccountSid", kAccount}, {"MessageSid", "SM00000000000000000000000000000001"},
                                    {"MessageStatus", "delivered"}};
  auto cb = client.Post(
      "/twilio/uk-sms/status",
      {{"X-Twilio-Signature", gw::compute_twilio_signature(kToken, public_url + "/twilio/uk-sms/status", delivered)}},
      gw::form_urlencode(delivered), "application/x-www-form-urlencoded");
  REQUIRE(cb);
  CHECK(cb->status == 200);

  // The fake may have answered a moment before the gateway recorded the send.
  auto metrics = client.Get("/metrics");
  for (int i = 0; i < 100 && metrics && metrics->body.find("gateway_outbox_depth 0") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = client.Get("/metrics");
  }
  REQUIRE(metrics);
  CHECK(metrics->body.find("gateway_messages_total{channel=\"uk-sms\",direction=\"inbound\"} 2") != std::string::npos);
  CHECK(metrics->body.find("gateway_messages_total{channel=\"uk-sms\",direction=\"outbound\"} 4") != std::string::npos);
  CHECK(metrics->body.find("gateway_sms_segments_total{channel=\"uk-sms\"}") != std::string::npos);
  CHECK(metrics->body.find("gateway_outbox_depth 0") != std::string::npos);

  gateway.signal(SIGTERM);
  CHECK(gateway.wait(std::chrono::seconds(15)) == 0);
  const std::string log = gateway.err();
  CHECK(log.find("7700900123") == std::string::npos);
  CHECK(log.find("Hello") == std::string::npos);
}
