#include "gateway/helpdesk/console_body.h"

#include <catch2/catch.hpp>

using nlohmann::json;

TEST_CASE("a console body is a JSON object, an empty body an empty one, anything else invalid",
          "[helpdesk][console]") {
  auto empty = gw::parse_console_body("");
  REQUIRE(empty.ok());
  CHECK(*empty == json::object());
  auto obj = gw::parse_console_body(R"({"text":"hi"})");
  REQUIRE(obj.ok());
  CHECK((*obj)["text"] == "hi");
  for (const char* body : {"[]", "null", "\"text\"", "{", "not json", "{\"a\":1}{}"}) {
    CAPTURE(body);
    auto r = gw::parse_console_body(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("console body fields of the wrong type are invalid, never an exception", "[helpdesk][console]") {
  const json body = {{"text", "hi"}, {"n", 3}, {"force", "yes"}, {"on", true}, {"off", nullptr}};
  CHECK(*gw::console_string(body, "text") == "hi");
  auto n = gw::console_string(body, "n");
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().message == "expected a string \"n\"");
  CHECK_FALSE(gw::console_string(body, "absent").ok());
  CHECK(*gw::console_bool(body, "on", false) == true);
  CHECK(*gw::console_bool(body, "off", true) == true);
  CHECK(*gw::console_bool(body, "absent", false) == false);
  auto force = gw::console_bool(body, "force", false);
  REQUIRE_FALSE(force.ok());
  CHECK(force.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK_FALSE(gw::console_bool(body, "n", false).ok());
  CHECK_FALSE(gw::console_bool(json::array(), "force", false).value_or(true));
}
