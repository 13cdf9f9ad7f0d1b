// An inbound message as the intake keeps it: every field back as it was, and
// a stored text that is not one gives an error that quotes none of its values.
#include "gateway/messages/inbound_message.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using gw::ChannelKind;
using gw::InboundMessage;

namespace {

InboundMessage full_message(ChannelKind kind) {
  InboundMessage m;
  m.channel_id = "uk-whatsapp";
  m.kind = kind;
  m.provider_id = "MM00000000000000000000000000000042";
  m.from = "whatsapp:+447700900123";
  m.to = "whatsapp:+447700900000";
  m.body = "Line one\nLine \"two\" — ünïcödé ✓ 😀";
  m.media = {{"https://api.twilio.com/media/ME1", "image/jpeg"},
             {"https://api.twilio.com/media/ME2", "audio/ogg"}};
  m.num_segments = 3;
  m.profile_name = "Amira";
  m.wa_id = "447700900123";
  m.button_text = "Yes please";
  m.button_payload = "consent_yes";
  m.opt_out_type = "STOP";
  m.messaging_service_sid = "MG00000000000000000000000000000007";
  return m;
}

void check_same(const InboundMessage& a, const InboundMessage& b) {
  CHECK(a.channel_id == b.channel_id);
  CHECK(a.kind == b.kind);
  CHECK(a.provider_id == b.provider_id);
  CHECK(a.from == b.from);
  CHECK(a.to == b.to);
  CHECK(a.body == b.body);
  REQUIRE(a.media.size() == b.media.size());
  for (size_t i = 0; i < a.media.size(); ++i) {
    CHECK(a.media[i].url == b.media[i].url);
    CHECK(a.media[i].content_type == b.media[i].content_type);
  }
  CHECK(a.num_segments == b.num_segments);
  CHECK(a.profile_name == b.profile_name);
  CHECK(a.wa_id == b.wa_id);
  CHECK(a.button_text == b.button_text);
  CHECK(a.button_payload == b.button_payload);
  CHECK(a.opt_out_type == b.opt_out_type);
  CHECK(a.messaging_service_sid == b.messaging_service_sid);
}

// The personal and provider values of full_message(), none of which an error may quote.
const std::vector<std::string> kValues = {"uk-whatsapp",
                                          "MM00000000000000000000000000000042",
                                          "447700900123",
                                          "447700900000",
                                          "Line one",
                                          "ME1",
                                          "image/jpeg",
                                          "Amira",
                                          "Yes please",
                                          "consent_yes",
                                          "MG00000000000000000000000000000007",
                                          "pigeon"};

void check_rejected_quietly(const std::string& stored) {
  INFO(stored);
  auto r = gw::deserialize_inbound(stored);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK_FALSE(r.error().message.empty());
  for (const std::string& v : kValues) {
    INFO(v);
    CHECK(r.error().message.find(v) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("an inbound message comes back from the intake with every field, whatever its channel kind",
          "[intake][channels]") {
  for (ChannelKind kind :
       {ChannelKind::kSms, ChannelKind::kWhatsApp, ChannelKind::kTelegram, ChannelKind::kWeb}) {
    INFO(gw::channel_kind_name(kind));
    const InboundMessage m = full_message(kind);
    auto back = gw::deserialize_inbound(gw::serialize_inbound(m));
    REQUIRE(back.ok());
    check_same(*back, m);
  }
}

TEST_CASE("a message with only the required fields comes back with the others empty", "[intake][channels]") {
  InboundMessage m;
  m.channel_id = "tg";
  m.kind = ChannelKind::kTelegram;
  m.provider_id = "90001";
  m.from = "123456789";
  m.body = "";
  auto back = gw::deserialize_inbound(gw::serialize_inbound(m));
  REQUIRE(back.ok());
  check_same(*back, m);
  CHECK(back->kind == ChannelKind::kTelegram);
  CHECK(back->media.empty());
  CHECK(back->num_segments == 0);
}

TEST_CASE(
    "a stored message that is not JSON, lacks a field, has a wrong type or an unknown kind is an error "
    "naming no value",
    "[intake][channels]") {
  const nlohmann::json full =
      nlohmann::json::parse(gw::serialize_inbound(full_message(ChannelKind::kWhatsApp)));

  SECTION("not JSON") {
    check_rejected_quietly("{\"channel\":\"uk-whatsapp\",\"from\":\"whatsapp:+447700900123\"");
    check_rejected_quietly("");
    check_rejected_quietly("[\"whatsapp:+447700900123\"]");
    check_rejected_quietly("\"Amira\"");
  }
  SECTION("a required field missing") {
    for (const char* key : {"channel", "kind", "id", "from", "body"}) {
      INFO(key);
      nlohmann::json j = full;
      REQUIRE(j.erase(key) == 1);
      check_rejected_quietly(j.dump());
    }
  }
  SECTION("a field of the wrong type") {
    const std::vector<std::pair<std::string, nlohmann::json>> wrong = {
        {"channel", 7},
        {"kind", nlohmann::json::array({"whatsapp"})},
        {"from", 447700900123LL},
        {"body", nlohmann::json::object({{"text", "Line one"}})},
        {"to", false},
        {"profile_name", 12},
        {"segments", "3"},
        {"media", "https://api.twilio.com/media/ME1"},
        {"media", nlohmann::json::array({{{"url", 1}, {"type", "image/jpeg"}}})},
        {"media", nlohmann::json::array({{{"url", "https://api.twilio.com/media/ME1"}}})},
    };
    for (const auto& [key, value] : wrong) {
      INFO(key << " = " << value.dump());
      nlohmann::json j = full;
      j[key] = value;
      check_rejected_quietly(j.dump());
    }
  }
  SECTION("an unknown channel kind") {
    nlohmann::json j = full;
    j["kind"] = "pigeon";
    check_rejected_quietly(j.dump());
  }
}

TEST_CASE("a message whose text is not valid UTF-8 can still be kept in the intake", "[intake][channels]") {
  // A provider's form field is bytes: a malformed sequence must not turn
  // serializing into an exception that fails the webhook on every retry.
  InboundMessage m = full_message(ChannelKind::kSms);
  m.body = "caf\xE9 ok";  // Latin-1 é
  m.profile_name = "\xFF\xFE";
  std::string stored;
  REQUIRE_NOTHROW(stored = gw::serialize_inbound(m));
  auto back = gw::deserialize_inbound(stored);
  REQUIRE(back.ok());
  CHECK(back->from == m.from);
  CHECK(back->provider_id == m.provider_id);
  CHECK(back->body.rfind("caf", 0) == 0);
}
