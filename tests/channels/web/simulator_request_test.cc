#include "gateway/channels/web/simulator_request.h"

#include <catch2/catch.hpp>

TEST_CASE("a simulator message body gives its text, session and options, the number as E.164",
          "[simulator]") {
  auto r = gw::parse_simulator_message(
      R"({"session":"ab12","text":"hello","language":"ar","channel":"whatsapp","from":"+44 (7700) 900-123"})");
  REQUIRE(r.ok());
  CHECK(r->session == "ab12");
  CHECK(r->text == "hello");
  CHECK(r->options.language == "ar");
  CHECK(r->options.channel == "whatsapp");
  CHECK(r->options.from == "+447700900123");

  auto minimal = gw::parse_simulator_message(R"({"session":null,"text":"hi","from":7})");
  REQUIRE(minimal.ok());
  CHECK(minimal->session.empty());
  CHECK(minimal->options.channel == "sms");
  CHECK(minimal->options.from.empty());
}

TEST_CASE("a simulator message body that is not an object, or has a bad text, from or channel, is refused",
          "[simulator]") {
  for (const char* body :
       {"", "[]", "\"text\"", "{", R"({"text":""})", R"({"text":5})", R"({"from":"+44"})",
        R"({"text":"hi","from":"+0447700900123"})", R"({"text":"hi","from":"+4477009001234567"})",
        R"({"text":"hi","from":"+44 abc"})", R"({"text":"hi","channel":"web"})"}) {
    auto r = gw::parse_simulator_message(body);
    CAPTURE(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("4477") == std::string::npos);
  }
  CHECK_FALSE(gw::parse_simulator_message(nlohmann::json{{"text", std::string(1601, 'a')}}.dump()).ok());
  CHECK(gw::parse_simulator_message(nlohmann::json{{"text", std::string(1600, 'a')}}.dump()).ok());
}
