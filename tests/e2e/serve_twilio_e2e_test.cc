// The real `gateway serve` process with a Twilio channel: a signed webhook in,
// the reply out through the outbox to a local fake of Twilio's REST API, and
// the delivery callback applied. Only loopback is used.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/http_wait.h"
#include "tests/support/serve_twilio.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "e2e-auth-token";

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

TEST_CASE(
    "serve takes signed Twilio SMS, answers with the flow through the fake provider and applies the callback",
    "[e2e][twilio]") {
  gw::testing::FakeTwilio twilio(kAccount, kToken);
  auto dir = gw::testing::make_temp_dir("gw-e2e");
  const std::string public_url = gw::testing::kServePublicUrl;
  const std::string config =
      gw::testing::write_twilio_serve_config(dir, twilio.api_base(), kAccount, "E2E_TWILIO_TOKEN");
  gw::testing::BackgroundProcess gateway({GATEWAY_BINARY, "serve", "--config", config},
                                         {"E2E_TWILIO_TOKEN=" + kToken});
  const int port = gw::testing::listening_port(gateway);
  REQUIRE(port > 0);
  httplib::Client client("127.0.0.1", port);
  REQUIRE(gw::testing::get_when_up(client, "/readyz"));

  const gw::FormFields form = {
      {"AccountSid", kAccount},  {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
      {"From", "+447700900123"}, {"To", "+447700900000"},
      {"Body", "Hello"},         {"NumMedia", "0"},
      {"NumSegments", "1"}};
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
  const gw::FormFields reply = twilio.requests()[0].form;
  CHECK(*gw::form_find(reply, "To") == "+447700900123");
  CHECK(*gw::form_find(reply, "From") == "+447700900000");
  CHECK(gw::form_find(reply, "Body")->find("helpline") != std::string::npos);
  CHECK(gw::form_find(reply, "Body")->find("1. English\n2. ") != std::string::npos);
  CHECK(*gw::form_find(reply, "StatusCallback") == public_url + "/twilio/uk-sms/status");

  // The answer "1" (as a person would type it, with noise) continues the same flow session.
  const gw::FormFields answer = {
      {"AccountSid", kAccount},  {"MessageSid", "SM0123456789abcdef0123456789abcdf0"},
      {"From", "+447700900123"}, {"To", "+447700900000"},
      {"Body", " 1. "},          {"NumMedia", "0"},
      {"NumSegments", "1"}};
  auto res2 = gw::testing::post_signed_inbound(client, public_url, kToken, answer);
  REQUIRE(res2);
  CHECK(res2->status == 200);
  // English is set, then what consent means and the question with its numbered answers, in that order.
  for (int i = 0; i < 200 && twilio.count() < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  REQUIRE(twilio.count() == 4);
  CHECK(gw::form_find(twilio.requests()[1].form, "Body")->find("English") != std::string::npos);
  CHECK(gw::form_find(twilio.requests()[2].form, "Body")->find("messages and answers") != std::string::npos);
  CHECK(gw::form_find(twilio.requests()[3].form, "Body")->find("\n1. Yes") != std::string::npos);

  const gw::FormFields delivered = {{"AccountSid", kAccount},
                                    {"MessageSid", "SM00000000000000000000000000000001"},
                                    {"MessageStatus", "delivered"}};
  auto cb = gw::testing::post_signed_twilio(client, public_url, kToken, "/twilio/uk-sms/status", delivered);
  REQUIRE(cb);
  CHECK(cb->status == 200);

  // The fake may have answered a moment before the gateway recorded the send.
  auto metrics = client.Get("/metrics");
  for (int i = 0; i < 100 && metrics && metrics->body.find("gateway_outbox_depth 0") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = client.Get("/metrics");
  }
  REQUIRE(metrics);
  CHECK(metrics->body.find("gateway_messages_total{channel=\"uk-sms\",direction=\"inbound\"} 2") !=
        std::string::npos);
  CHECK(metrics->body.find("gateway_messages_total{channel=\"uk-sms\",direction=\"outbound\"} 4") !=
        std::string::npos);
  CHECK(metrics->body.find("gateway_sms_segments_total{channel=\"uk-sms\"}") != std::string::npos);
  CHECK(metrics->body.find("gateway_outbox_depth 0") != std::string::npos);

  gateway.signal(SIGTERM);
  CHECK(gateway.wait(std::chrono::seconds(15)) == 0);
  const std::string log = gateway.err();
  CHECK(log.find("7700900123") == std::string::npos);
  CHECK(log.find("Hello") == std::string::npos);
}
