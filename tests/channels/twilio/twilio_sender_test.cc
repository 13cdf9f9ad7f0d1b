#include "gateway/channels/twilio/twilio_sender.h"

#include <catch2/catch.hpp>

#include "gateway/core/form_encoding.h"
#include "tests/support/channel_configs.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_http_client.h"

namespace {

struct SenderFixture {
  gw::testing::FakeClock clock;
  gw::testing::FakeHttpClient http;
  gw::ChannelConfig channel;
  std::unique_ptr<gw::TwilioSender> sender;

  SenderFixture() {
    channel = gw::testing::twilio_channel(gw::testing::kNoApiBase, "t");
    channel.id = "it-wa";
    channel.from = "+390000000000";
    sender = std::make_unique<gw::TwilioSender>(
        channel, "https://h.example", http, clock,
        [](const std::string& key) { return key == "system.help" ? std::string("HX0123") : std::string(); });
    http.set_default_response(gw::HttpResponse{201, {}, R"({"sid": "SM1", "status": "queued"})"});
  }
  gw::OutboxItem item(const std::string& address, const std::string& body, const std::string& key = "") {
    gw::OutboxItem i;
    i.id = 1;
    i.address = address;
    i.body = body;
    i.template_key = key;
    return i;
  }
  gw::Contact contact(std::optional<gw::Millis> last_inbound_ago) {
    gw::Contact c;
    c.id = 1;
    if (last_inbound_ago) c.last_inbound_at = clock.now() - *last_inbound_ago;
    return c;
  }
  gw::FormFields last_form() {
    auto f = gw::form_urldecode(http.last_request().body);
    REQUIRE(f.ok());
    return *f;
  }
};

}  // namespace

TEST_CASE("WhatsApp free text goes out inside the 24-hour window", "[twilio][send][whatsapp]") {
  SenderFixture f;
  auto out = f.sender->send(f.item("whatsapp:+393331234567", "Ciao", "system.welcome"),
                            f.contact(gw::Millis(23 * 3600 * 1000)));
  CHECK(out.kind == gw::SendOutcome::Kind::kAccepted);
  CHECK(*gw::form_find(f.last_form(), "Body") == "Ciao");
  CHECK(out.segments == 0);  // WhatsApp has no segments
}

TEST_CASE("outside the window a template with a ContentSid is sent instead of free text",
          "[twilio][send][whatsapp]") {
  SenderFixture f;
  auto out = f.sender->send(f.item("whatsapp:+393331234567", "help text", "system.help"),
                            f.contact(gw::Millis(25 * 3600 * 1000)));
  CHECK(out.kind == gw::SendOutcome::Kind::kAccepted);
  auto form = f.last_form();
  CHECK(*gw::form_find(form, "ContentSid") == "HX0123");
  CHECK(gw::form_find(form, "Body") == nullptr);
}

TEST_CASE("outside the window a template without a ContentSid is held with its reason, nothing sent",
          "[twilio][send][whatsapp]") {
  SenderFixture f;
  auto out =
      f.sender->send(f.item("whatsapp:+393331234567", "hi", "system.welcome"), f.contact(std::nullopt));
  CHECK(out.kind == gw::SendOutcome::Kind::kHeld);
  CHECK(out.error.find("24-hour window") != std::string::npos);
  CHECK(f.http.request_count() == 0);
}

TEST_CASE("SMS is smart-encoded and its segments counted, and the window does not apply", "[twilio][send]") {
  SenderFixture f;
  auto out = f.sender->send(f.item("+447700900123", "“Hello” — it’s free…"), f.contact(std::nullopt));
  CHECK(out.kind == gw::SendOutcome::Kind::kAccepted);
  CHECK(*gw::form_find(f.last_form(), "Body") == "\"Hello\" - it's free...");
  CHECK(out.segments == 1);
  CHECK(*gw::form_find(f.last_form(), "StatusCallback") == "https://h.example/twilio/it-wa/status");
}
