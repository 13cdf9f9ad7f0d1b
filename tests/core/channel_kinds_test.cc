#include "gateway/core/channel_kinds.h"

#include <catch2/catch.hpp>

TEST_CASE("a Twilio channel carries SMS and WhatsApp, told apart by the address", "[channel_kinds]") {
  CHECK(gw::channel_kind("twilio", "+447700900123") == "sms");
  CHECK(gw::channel_kind("twilio", "whatsapp:+447700900123") == "whatsapp");
  CHECK(gw::channel_kind("telegram", "987654321") == "telegram");
  // A Telegram chat id is never taken for a WhatsApp address or a number.
  CHECK(gw::channel_kind("telegram", "whatsapp:+447700900123") == "telegram");
  CHECK(gw::channel_kind("web", "+447700900123") == "web");
}

TEST_CASE("the kind comes from the channel's configured type, never from the spelling of its id",
          "[channel_kinds]") {
  const gw::ChannelKinds kinds(
      {{"tg", "telegram"}, {"uk-sms", "twilio"}, {"sim", "web"}, {"telegram-like", "twilio"}});
  CHECK(kinds.kind("tg", "+447700900123") == "telegram");
  CHECK(kinds.kind("uk-sms", "+447700900123") == "sms");
  CHECK(kinds.kind("uk-sms", "whatsapp:+447700900123") == "whatsapp");
  CHECK(kinds.kind("sim", "session-1") == "web");
  CHECK(kinds.kind("telegram-like", "+447700900123") == "sms");
  // A channel not configured counts as Twilio.
  CHECK(kinds.kind("unknown", "+447700900123") == "sms");
  CHECK(gw::ChannelKinds().kind("tg", "whatsapp:+1") == "whatsapp");
}

TEST_CASE("only SMS and WhatsApp addresses are phone numbers", "[channel_kinds]") {
  CHECK(gw::kind_has_phone_number("sms"));
  CHECK(gw::kind_has_phone_number("whatsapp"));
  CHECK_FALSE(gw::kind_has_phone_number("telegram"));
  CHECK_FALSE(gw::kind_has_phone_number("web"));
}
