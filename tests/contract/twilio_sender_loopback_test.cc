// The outbox worker, the real TwilioSender and the real CurlHttpClient against
// a local fake of Twilio's Messages API (tests/support/fake_twilio.h) that
// answers with Twilio's own status codes and error bodies. Time is a FakeClock.
#include <catch2/catch.hpp>
#include <memory>

#include "gateway/channels/outbox_worker.h"
#include "gateway/channels/twilio/twilio_sender.h"
#include "gateway/core/curl_http_client.h"
#include "tests/store/store_fixture.h"
#include "tests/support/channel_configs.h"
#include "tests/support/fake_twilio.h"
#include "tests/support/outbox_run.h"

namespace {

using gw::testing::FakeTwilioAnswer;

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "loopback-auth-token";
const std::string kPublicUrl = "https://helpline.example.org";
const std::string kPerson = "+447700900123";

struct LoopbackFixture : gw::testing::StoreFixture {
  gw::testing::FakeTwilio twilio{kAccount, kToken};
  gw::CurlHttpClient http;
  gw::ChannelConfig channel;
  std::unique_ptr<gw::TwilioSender> sender;
  std::unique_ptr<gw::OutboxWorker> worker;

  explicit LoopbackFixture(const std::string& auth_token = kToken) {
    channel = gw::testing::twilio_channel(twilio.api_base(), auth_token, kAccount);
    channel.max_per_second = 100;
    sender = std::make_unique<gw::TwilioSender>(channel, kPublicUrl, http, clock);
    gw::OutboxWorkerOptions options;
    options.max_per_second = channel.max_per_second;
    // Full jitter at 0.5: the first retry waits half of the 1 s base ceiling.
    worker = std::make_unique<gw::OutboxWorker>(*store, clock, *sender, options, [] { return 0.5; });
  }

  gw::Conversation person() { return conversation(contact(kPerson)); }
  void enqueue(const gw::Conversation& conv, const std::string& body) {
    REQUIRE(store->enqueue_outbound(message(conv, body), clock.now()).ok());
  }
  int pass() { return gw::testing::run_pass(*worker); }
  gw::Message message_at(const gw::Conversation& conv, size_t index) {
    return gw::testing::message_at(*store, conv, index);
  }
};

}  // namespace

TEST_CASE("a message Twilio accepts with 201 is recorded sent with the sid Twilio gave",
          "[contract][twilio]") {
  LoopbackFixture f;
  auto conv = f.person();
  f.enqueue(conv, "Hello, this is the helpline.");
  REQUIRE(f.pass() == 1);

  auto reqs = f.twilio.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].authorized);
  CHECK(reqs[0].account_sid == kAccount);
  CHECK(reqs[0].content_type == "application/x-www-form-urlencoded");
  CHECK(reqs[0].field("To") == kPerson);
  CHECK(reqs[0].field("From") == "+447700900000");
  CHECK(reqs[0].field("Body") == "Hello, this is the helpline.");
  REQUIRE(reqs[0].sid.size() == 34);
  CHECK(reqs[0].sid.rfind("SM", 0) == 0);

  const gw::Message m = f.message_at(conv, 0);
  CHECK(m.status == "sent");
  CHECK(m.provider_id == reqs[0].sid);
  CHECK(m.segments == 1);
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("the StatusCallback sent to Twilio is public_url plus the channel's status route",
          "[contract][twilio]") {
  LoopbackFixture f;
  f.enqueue(f.person(), "hi");
  REQUIRE(f.pass() == 1);
  REQUIRE(f.twilio.count() == 1);
  CHECK(f.twilio.requests()[0].field("StatusCallback") == kPublicUrl + "/twilio/uk-sms/status");
}

TEST_CASE("a 500 from Twilio is retried and the message is sent exactly once", "[contract][twilio]") {
  LoopbackFixture f;
  f.twilio.push(FakeTwilioAnswer::server_error());
  auto conv = f.person();
  f.enqueue(conv, "hello");

  REQUIRE(f.pass() == 1);  // 500: due again after the jittered backoff
  CHECK(f.message_at(conv, 0).status != "sent");
  CHECK(f.pass() == 0);
  f.clock.advance(gw::Millis(1000));
  REQUIRE(f.pass() == 1);  // 201
  f.clock.advance(gw::Millis(3600 * 1000));
  CHECK(f.pass() == 0);

  auto reqs = f.twilio.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].status == 500);
  CHECK(reqs[0].sid.empty());
  CHECK(reqs[1].status == 201);
  CHECK(reqs[1].field("Body") == "hello");
  const gw::Message m = f.message_at(conv, 0);
  CHECK(m.status == "sent");
  CHECK(m.provider_id == reqs[1].sid);
}

TEST_CASE("a 429 with Retry-After 2 is not retried before 2 s have passed", "[contract][twilio]") {
  LoopbackFixture f;
  f.twilio.push(FakeTwilioAnswer::too_many_requests(2));
  auto conv = f.person();
  f.enqueue(conv, "hello");

  REQUIRE(f.pass() == 1);
  // The jittered backoff alone (0.5 s here) would retry well before Retry-After.
  f.clock.advance(gw::Millis(1999));
  CHECK(f.pass() == 0);
  CHECK(f.twilio.count() == 1);
  f.clock.advance(gw::Millis(1));
  REQUIRE(f.pass() == 1);
  REQUIRE(f.twilio.count() == 2);
  CHECK(f.twilio.requests()[0].status == 429);
  CHECK(f.message_at(conv, 0).status == "sent");
  CHECK(f.message_at(conv, 0).provider_id == f.twilio.requests()[1].sid);
}

TEST_CASE("Twilio 21610 fails the message, opts the contact out, and the next message is never sent",
          "[contract][twilio]") {
  LoopbackFixture f;
  f.twilio.push(FakeTwilioAnswer::unsubscribed());
  auto person = f.contact(kPerson);
  auto conv = f.conversation(person);
  f.enqueue(conv, "first");
  f.enqueue(conv, "second");

  REQUIRE(f.pass() == 1);
  CHECK(f.message_at(conv, 0).status == "failed");
  CHECK(f.message_at(conv, 0).error_code == 21610);
  CHECK(f.store->get_contact(person.id)->opted_out);

  REQUIRE(f.pass() == 1);  // the second item is failed without a request
  f.clock.advance(gw::Millis(3600 * 1000));
  CHECK(f.pass() == 0);
  CHECK(f.message_at(conv, 1).status == "failed");
  auto reqs = f.twilio.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].field("Body") == "first");
}

TEST_CASE("Twilio 21211 (invalid To) fails the message and is not retried", "[contract][twilio]") {
  LoopbackFixture f;
  f.twilio.push(FakeTwilioAnswer::invalid_to());
  auto person = f.contact(kPerson);
  auto conv = f.conversation(person);
  f.enqueue(conv, "hello");

  REQUIRE(f.pass() == 1);
  f.clock.advance(gw::Millis(3600 * 1000));
  CHECK(f.pass() == 0);
  CHECK(f.twilio.count() == 1);
  CHECK(f.message_at(conv, 0).status == "failed");
  CHECK(f.message_at(conv, 0).error_code == 21211);
  CHECK_FALSE(f.store->get_contact(person.id)->opted_out);
}

TEST_CASE("a smart-encoded SMS reaches Twilio with plain quotes and is recorded as one segment",
          "[contract][twilio]") {
  LoopbackFixture f;
  auto conv = f.person();
  // As written: 127 characters in UCS-2, two segments. Smart-encoded: 129 in GSM-7, one segment.
  const std::string curly =
      "We\u2019re here to help \u2014 \u201cfree\u201d and confidential. Reply with a number: 1 for "
      "your rights, 2 to talk to someone, 3 for a safe place\u2026";
  const std::string plain =
      "We're here to help - \"free\" and confidential. Reply with a number: 1 for "
      "your rights, 2 to talk to someone, 3 for a safe place...";
  f.enqueue(conv, curly);
  REQUIRE(f.pass() == 1);

  REQUIRE(f.twilio.count() == 1);
  CHECK(f.twilio.requests()[0].field("Body") == plain);
  const gw::Message m = f.message_at(conv, 0);
  CHECK(m.status == "sent");
  CHECK(m.segments == 1);
}

TEST_CASE("the fake refuses a wrong auth token with 401 and the message fails without a retry",
          "[contract][twilio]") {
  LoopbackFixture f("not-the-token");
  auto conv = f.person();
  f.enqueue(conv, "hello");
  REQUIRE(f.pass() == 1);
  f.clock.advance(gw::Millis(3600 * 1000));
  CHECK(f.pass() == 0);
  auto reqs = f.twilio.requests();
  REQUIRE(reqs.size() == 1);
  CHECK_FALSE(reqs[0].authorized);
  CHECK(reqs[0].status == 401);
  CHECK(f.message_at(conv, 0).status == "failed");
  CHECK(f.message_at(conv, 0).error_code == 20003);
}
