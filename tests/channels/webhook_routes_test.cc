// The webhooks on a real server on loopback: signed Twilio and Telegram
// requests in, stored messages and queued replies out.
#include "gateway/channels/webhook_routes.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include "gateway/channels/twilio/twilio_signature.h"
#include "gateway/core/form_encoding.h"
#include "gateway/store/intake.h"
#include "tests/http/running_server.h"
#include "tests/store/store_fixture.h"
#include "tests/support/channel_configs.h"
#include "tests/support/twilio_webhook.h"

namespace {

const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "twilio-auth-token";
const std::string kPublicUrl = "https://helpline.example.org";

gw::Config make_config() {
  gw::Config cfg = gw::default_config();
  cfg.public_url = kPublicUrl;
  cfg.channels = {gw::testing::twilio_channel(gw::testing::kNoApiBase, kToken, kAccount),
                  gw::testing::telegram_channel(gw::testing::kNoApiBase, "123:abc", "tg-secret")};
  return cfg;
}

struct WebhookFixture : gw::testing::StoreFixture {
  gw::Config config = make_config();
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Conversations conversations{*store, clock, catalog};
  std::unique_ptr<gw::Intake> intake = *gw::open_sqlite_intake(":memory:", crypto, clock);
  int woken = 0;
  gw::metrics::Registry registry;
  gw::metrics::CoreMetrics core{registry, "test", clock.now()};
  gw::http::HttpServer server{registry};
  std::unique_ptr<gw::http::testing::RunningServer> running;
  std::unique_ptr<httplib::Client> client;

  WebhookFixture() {
    conversations.set_intake(intake.get(), [this] { ++woken; });
    gw::add_webhook_routes(server, {config, conversations, *store, clock});
    running = std::make_unique<gw::http::testing::RunningServer>(server);
    client = std::make_unique<httplib::Client>("127.0.0.1", running->port());
  }
  ~WebhookFixture() {
    client.reset();
    running.reset();
  }

  gw::FormFields inbound_form(const std::string& sid, const std::string& body) {
    return {{"AccountSid", kAccount}, {"MessageSid", sid}, {"From", "+447700900123"}, {"To", "+447700900000"},
            {"Body", body},           {"NumMedia", "0"},   {"NumSegments", "1"}};
  }
  httplib::Result post_twilio(const std::string& route, const gw::FormFields& form,
                              const std::string& sig_override = "", bool sign = true) {
    if (sign && sig_override.empty())
      return gw::testing::post_signed_twilio(*client, kPublicUrl, kToken, route, form);
    httplib::Headers headers;
    if (sign) headers.emplace("X-Twilio-Signature", sig_override);
    return client->Post(route.c_str(), headers, gw::form_urlencode(form),
                        "application/x-www-form-urlencoded");
  }
  // What the IntakeWorker does: hands what the webhooks stored to the conversations.
  int handle() {
    auto batch = conversations.handle_queued(100);
    REQUIRE(batch.ok());
    for (const gw::HandledInbound& h : batch->handled) gw::count_handled_inbound(&core, h);
    return static_cast<int>(batch->handled.size());
  }
  int64_t intake_depth() { return *intake->depth(); }
  std::optional<gw::Contact> contact() {
    auto c = store->find_contact("uk-sms", "+447700900123");
    REQUIRE(c.ok());
    return *c;
  }
  std::vector<gw::Message> messages() {
    auto c = contact();
    REQUIRE(c);
    auto conv = store->open_or_get_conversation(c->id, "uk-sms", clock.now());
    return *store->list_messages(conv->id);
  }
};

const std::string kSid1 = "SM00000000000000000000000000000001";

}  // namespace

TEST_CASE("a signed Twilio message is stored once, answered with empty TwiML, and gets one reply",
          "[webhook][twilio]") {
  WebhookFixture f;
  auto res = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
  CHECK(res->get_header_value("Content-Type").rfind("text/xml", 0) == 0);
  // Answered once it is in the intake; the conversation has not seen it yet.
  CHECK(f.intake_depth() == 1);
  CHECK(f.woken == 1);
  CHECK_FALSE(f.contact().has_value());
  auto again = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"));
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(f.intake_depth() == 2);  // the retry of a queued message is stored again...
  CHECK(f.woken == 2);
  CHECK(f.handle() == 2);
  CHECK(f.intake_depth() == 0);
  auto handled = f.messages();  // ...and recognised when handled: one in, one reply
  REQUIRE(handled.size() == 2);
  CHECK(handled[0].direction == "in");
  CHECK(handled[1].direction == "out");
  CHECK(*f.store->outbox_depth() == 1);
  // A retry after it was handled is queued, and recognised when handled: no second message, no second reply.
  auto late = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"));
  REQUIRE(late);
  CHECK(late->status == 200);
  CHECK(f.handle() == 1);
  CHECK(f.intake_depth() == 0);
  auto msgs = f.messages();
  REQUIRE(msgs.size() == 2);  // one in, one reply
  CHECK(msgs[0].direction == "in");
  CHECK(msgs[0].body == "hello");
  CHECK(msgs[1].direction == "out");
  CHECK(*f.store->outbox_depth() == 1);
  CHECK(f.registry.render().find("gateway_messages_total{channel=\"uk-sms\",direction=\"inbound\"} 1") !=
        std::string::npos);
}

TEST_CASE("a query string is part of what Twilio signs", "[webhook][twilio]") {
  WebhookFixture f;
  auto res = f.post_twilio("/twilio/uk-sms/inbound?x=1", f.inbound_form(kSid1, "hi"));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(f.intake_depth() == 1);
}

TEST_CASE("a missing or wrong signature, or another account, gets 403 and nothing is stored",
          "[webhook][twilio]") {
  WebhookFixture f;
  auto missing = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "x"), "", false);
  REQUIRE(missing);
  CHECK(missing->status == 403);
  CHECK(missing->body.find("missing_signature") != std::string::npos);
  auto wrong =
      f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "x"), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  // Signed for another body than the one sent.
  httplib::Headers h{
      {"X-Twilio-Signature", gw::compute_twilio_signature(kToken, kPublicUrl + "/twilio/uk-sms/inbound",
                                                          f.inbound_form(kSid1, "original"))}};
  auto tampered =
      f.client->Post("/twilio/uk-sms/inbound", h, gw::form_urlencode(f.inbound_form(kSid1, "changed")),
                     "application/x-www-form-urlencoded");
  REQUIRE(tampered);
  CHECK(tampered->status == 403);
  auto form = f.inbound_form(kSid1, "x");
  form[0].second = "AC99999999999999999999999999999999";
  auto other = f.post_twilio("/twilio/uk-sms/inbound", form);
  REQUIRE(other);
  CHECK(other->status == 403);
  CHECK(other->body.find("wrong_account") != std::string::npos);
  CHECK(f.intake_depth() == 0);
  CHECK_FALSE(f.contact().has_value());
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("malformed requests get a 4xx that says what is wrong and store nothing", "[webhook][twilio]") {
  WebhookFixture f;
  auto bad_form = f.client->Post("/twilio/uk-sms/inbound", {{"X-Twilio-Signature", "x"}}, "Body=%zz",
                                 "application/x-www-form-urlencoded");
  REQUIRE(bad_form);
  CHECK(bad_form->status == 400);
  CHECK(nlohmann::json::parse(bad_form->body)["error"] == "malformed_form");
  auto json_body = f.client->Post("/twilio/uk-sms/inbound", "{}", "application/json");
  REQUIRE(json_body);
  CHECK(json_body->status == 415);
  auto unknown = f.post_twilio("/twilio/nope/inbound", f.inbound_form(kSid1, "x"));
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto no_from = f.inbound_form(kSid1, "x");
  no_from.erase(no_from.begin() + 2);
  auto missing_from = f.post_twilio("/twilio/uk-sms/inbound", no_from);
  REQUIRE(missing_from);
  CHECK(missing_from->status == 400);
  CHECK(missing_from->body.find("From is missing") != std::string::npos);
  auto huge =
      f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, std::string(2 * 1024 * 1024, 'a')));
  REQUIRE(huge);
  CHECK(huge->status == 413);
  CHECK(f.intake_depth() == 0);
  CHECK_FALSE(f.contact().has_value());
}

TEST_CASE("status callbacks move a message forward only: a late 'sent' never undoes 'delivered'",
          "[webhook][twilio]") {
  WebhookFixture f;
  REQUIRE(f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"))->status == 200);
  REQUIRE(f.handle() == 1);
  auto items = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, gw::Millis(60000));
  REQUIRE(items->size() == 1);
  const std::string out_sid = "SM0000000000000000000000000000000a";
  REQUIRE(f.store->mark_outbox_sent((*items)[0].id, out_sid, 1, f.clock.now()).ok());
  auto status = [&](const std::string& s, const std::string& code = "") {
    gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", out_sid}, {"MessageStatus", s}};
    if (!code.empty()) form.emplace_back("ErrorCode", code);
    auto res = f.post_twilio("/twilio/uk-sms/status", form);
    REQUIRE(res);
    return res->status;
  };
  CHECK(status("delivered") == 200);
  CHECK(status("sent") == 200);
  CHECK(f.messages()[1].status == "delivered");
  CHECK(status("delivered") == 200);  // idempotent
  CHECK(status("read") == 200);
  CHECK(f.messages()[1].status == "read");
  CHECK(status("some_future_status") == 200);
  // Unsigned callbacks change nothing.
  gw::FormFields form = {{"AccountSid", kAccount}, {"MessageSid", out_sid}, {"MessageStatus", "failed"}};
  auto unsigned_res = f.post_twilio("/twilio/uk-sms/status", form, "", false);
  CHECK(unsigned_res->status == 403);
  CHECK(f.messages()[1].status == "read");
}

TEST_CASE("a form with 340,000 parameters is refused with 413 before it is parsed or its signature computed",
          "[webhook][twilio]") {
  WebhookFixture f;
  std::string body;
  for (int i = 0; i < 340'000; ++i) body += "a&";
  auto many = f.client->Post("/twilio/uk-sms/inbound", {{"X-Twilio-Signature", "forged"}}, body,
                             "application/x-www-form-urlencoded");
  REQUIRE(many);
  CHECK(many->status == 413);
  std::string small_many;
  for (int i = 0; i < 1000; ++i) small_many += "a&";
  auto counted = f.client->Post("/twilio/uk-sms/inbound", {{"X-Twilio-Signature", "forged"}}, small_many,
                                "application/x-www-form-urlencoded");
  REQUIRE(counted);
  CHECK(counted->status == 413);
  CHECK(nlohmann::json::parse(counted->body)["error"] == "too_many_parameters");
  auto unsigned_many = f.client->Post("/twilio/uk-sms/inbound", body, "application/x-www-form-urlencoded");
  REQUIRE(unsigned_many);
  CHECK(unsigned_many->status == 403);
  // 256 parameters are still read (and then refused here for their forged signature).
  std::string some;
  for (int i = 0; i < 256; ++i) some += "a=1&";
  auto ok_count = f.client->Post("/twilio/uk-sms/inbound", {{"X-Twilio-Signature", "forged"}}, some,
                                 "application/x-www-form-urlencoded");
  REQUIRE(ok_count);
  CHECK(ok_count->status == 403);
  CHECK(f.intake_depth() == 0);
}

TEST_CASE("a signed status callback with a 100,000-digit MessageStatus gets 400 and the server keeps serving",
          "[webhook][twilio]") {
  WebhookFixture f;
  const std::string out_sid = "SM0000000000000000000000000000000c";
  gw::FormFields form = {
      {"AccountSid", kAccount}, {"MessageSid", out_sid}, {"MessageStatus", std::string(100'000, '4')}};
  auto res = f.post_twilio("/twilio/uk-sms/status", form);
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->body.find("44444") == std::string::npos);
  form = {{"AccountSid", kAccount}, {"MessageSid", std::string(5000, '9')}, {"MessageStatus", "sent"}};
  CHECK(f.post_twilio("/twilio/uk-sms/status", form)->status == 400);
  form = {{"AccountSid", kAccount}, {"MessageSid", out_sid}, {"MessageStatus", "Sent; +447700900123"}};
  CHECK(f.post_twilio("/twilio/uk-sms/status", form)->status == 400);
  auto after = f.client->Get("/nothing-here");
  REQUIRE(after);
  CHECK(after->status == 404);
}

TEST_CASE("an undelivered callback records Twilio's error code", "[webhook][twilio]") {
  WebhookFixture f;
  REQUIRE(f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"))->status == 200);
  REQUIRE(f.handle() == 1);
  auto items = f.store->claim_due_outbox("uk-sms", f.clock.now(), 10, gw::Millis(60000));
  const std::string out_sid = "SM0000000000000000000000000000000b";
  REQUIRE(f.store->mark_outbox_sent((*items)[0].id, out_sid, 1, f.clock.now()).ok());
  gw::FormFields form = {{"AccountSid", kAccount},
                         {"MessageSid", out_sid},
                         {"MessageStatus", "undelivered"},
                         {"ErrorCode", "30003"}};
  REQUIRE(f.post_twilio("/twilio/uk-sms/status", form)->status == 200);
  CHECK(f.messages()[1].status == "undelivered");
  CHECK(f.messages()[1].error_code == 30003);
}

TEST_CASE("Telegram updates need the secret token and are handled once per update_id",
          "[webhook][telegram]") {
  WebhookFixture f;
  const std::string update =
      R"({"update_id": 77, "message": {"chat": {"id": 4242, "type": "private"}, "text": "hi"}})";
  auto no_secret = f.client->Post("/telegram/tg/webhook", update, "application/json");
  REQUIRE(no_secret);
  CHECK(no_secret->status == 403);
  auto wrong = f.client->Post("/telegram/tg/webhook", {{"X-Telegram-Bot-Api-Secret-Token", "tg-secreT"}},
                              update, "application/json");
  CHECK(wrong->status == 403);
  CHECK(f.intake_depth() == 0);
  httplib::Headers h{{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}};
  CHECK(f.client->Post("/telegram/tg/webhook", h, update, "application/json")->status == 200);
  CHECK(f.client->Post("/telegram/tg/webhook", h, update, "application/json")->status == 200);
  CHECK(f.intake_depth() == 2);  // stored twice, recognised as one when handled
  CHECK(f.handle() == 2);
  CHECK(f.intake_depth() == 0);
  auto c = f.store->find_contact("tg", "4242");
  REQUIRE(c->has_value());
  auto conv = f.store->open_or_get_conversation((*c)->id, "tg", f.clock.now());
  CHECK(f.store->list_messages(conv->id)->size() == 2);  // one in, one reply
  auto garbage = f.client->Post("/telegram/tg/webhook", h, "not json", "application/json");
  CHECK(garbage->status == 400);
}

TEST_CASE("a webhook that finds the intake unreachable gets 503 with Retry-After, and the provider's retry is stored",
          "[webhook][twilio]") {
  WebhookFixture f;
  // The intake's database is gone for the moment (a closed intake answers kUnavailable).
  REQUIRE(f.intake->close().ok());
  auto res = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"));
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(res->get_header_value("Retry-After") == "5");
  CHECK(res->body.find("store_unavailable") != std::string::npos);
  // Back: the retry is stored and handled once.
  f.intake = *gw::open_sqlite_intake(":memory:", f.crypto, f.clock);
  f.conversations.set_intake(f.intake.get(), [&f] { ++f.woken; });
  auto retry = f.post_twilio("/twilio/uk-sms/inbound", f.inbound_form(kSid1, "hello"));
  REQUIRE(retry);
  CHECK(retry->status == 200);
  CHECK(f.handle() == 1);
  CHECK(f.messages().size() == 2);
}
