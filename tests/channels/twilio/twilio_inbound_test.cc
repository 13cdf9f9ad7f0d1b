#include "gateway/channels/twilio/twilio_inbound.h"

#include <catch2/catch.hpp>

namespace {
const std::string kAccount = "AC0123456789abcdef0123456789abcdef";
const std::string kSid = "SM0123456789abcdef0123456789abcdef";

gw::FormFields base() {
  return {
      {"AccountSid", kAccount}, {"MessageSid", kSid}, {"From", "+447700900123"}, {"To", "+447700900000"},
      {"Body", "Help"},         {"NumSegments", "1"}, {"NumMedia", "0"},         {"ApiVersion", "2010-04-01"},
      {"FromCountry", "GB"}};
}
}  // namespace

TEST_CASE("an SMS webhook becomes an inbound message, unknown parameters ignored", "[twilio][inbound]") {
  auto m = gw::parse_twilio_inbound(base(), "uk-sms", kAccount);
  REQUIRE(m.ok());
  CHECK(m->channel_id == "uk-sms");
  CHECK(m->kind == gw::ChannelKind::kSms);
  CHECK(m->provider_id == kSid);
  CHECK(m->from == "+447700900123");
  CHECK(m->to == "+447700900000");
  CHECK(m->body == "Help");
  CHECK(m->num_segments == 1);
  CHECK(m->media.empty());
}

TEST_CASE("a WhatsApp webhook carries profile, WaId, buttons and media", "[twilio][inbound]") {
  gw::FormFields p = {{"AccountSid", kAccount},
                      {"MessageSid", "MM0123456789abcdef0123456789abcdef"},
                      {"From", "whatsapp:+393331234567"},
                      {"To", "whatsapp:+390000000000"},
                      {"Body", ""},
                      {"ProfileName", "Amal"},
                      {"WaId", "393331234567"},
                      {"ButtonText", "Yes"},
                      {"ButtonPayload", "consent_yes"},
                      {"NumMedia", "2"},
                      {"MediaUrl0", "https://api.twilio.com/m/0"},
                      {"MediaContentType0", "image/jpeg"},
                      {"MediaUrl1", "https://api.twilio.com/m/1"},
                      {"MediaContentType1", "audio/ogg"},
                      {"OptOutType", "STOP"},
                      {"MessagingServiceSid", "MG0123"}};
  auto m = gw::parse_twilio_inbound(p, "it-wa", kAccount);
  REQUIRE(m.ok());
  CHECK(m->kind == gw::ChannelKind::kWhatsApp);
  CHECK(m->profile_name == "Amal");
  CHECK(m->wa_id == "393331234567");
  CHECK(m->button_text == "Yes");
  CHECK(m->button_payload == "consent_yes");
  CHECK(m->opt_out_type == "STOP");
  CHECK(m->messaging_service_sid == "MG0123");
  REQUIRE(m->media.size() == 2);
  CHECK(m->media[1].url == "https://api.twilio.com/m/1");
  CHECK(m->media[1].content_type == "audio/ogg");
}

TEST_CASE("missing or malformed parameters are refused with the parameter named, not its value",
          "[twilio][inbound]") {
  auto without = [](const std::string& key) {
    gw::FormFields p = base();
    std::erase_if(p, [&](const auto& kv) { return kv.first == key; });
    return p;
  };
  for (const char* key : {"AccountSid", "MessageSid", "From", "To"}) {
    auto m = gw::parse_twilio_inbound(without(key), "uk-sms", kAccount);
    INFO(key);
    REQUIRE_FALSE(m.ok());
    CHECK(m.error().message.find(key) != std::string::npos);
    CHECK(m.error().message.find("7700") == std::string::npos);
  }
  auto other = gw::parse_twilio_inbound(base(), "uk-sms", "AC99999999999999999999999999999999");
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == gw::ErrorCode::kPermissionDenied);
  gw::FormFields p = base();
  p.emplace_back("NumMedia", "x");
  p.erase(p.begin() + 6);
  CHECK_FALSE(gw::parse_twilio_inbound(p, "uk-sms", kAccount).ok());
  gw::FormFields media = base();
  media[6].second = "1";
  auto no_url = gw::parse_twilio_inbound(media, "uk-sms", kAccount);
  REQUIRE_FALSE(no_url.ok());
  CHECK(no_url.error().message.find("MediaUrl0") != std::string::npos);
  gw::FormFields bad_sid = base();
  bad_sid[1].second = "SM123";
  CHECK_FALSE(gw::parse_twilio_inbound(bad_sid, "uk-sms", kAccount).ok());
}
