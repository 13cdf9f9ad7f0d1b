// JsonReader: one reader for the configuration and the flow files, collecting
// every problem with its JSON path.
#include "gateway/core/json_reader.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

namespace {

std::string all(const gw::JsonReader& r) {
  std::string out;
  for (const auto& p : r.problems()) out += p.path + ": " + p.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("json paths quote a key that is not a plain name, so every path reads back one way",
          "[core][json]") {
  CHECK(gw::JsonReader::member("$.nodes", "menu") == "$.nodes.menu");
  CHECK(gw::JsonReader::member("$.nodes", "a b") == "$.nodes[\"a b\"]");
  CHECK(gw::JsonReader::member("$", "x.y") == "$[\"x.y\"]");
  CHECK(gw::JsonReader::member("$", std::string(65, 'a')) == "$[\"" + std::string(65, 'a') + "\"]");
  CHECK(gw::JsonReader::item("$.channels", 2) == "$.channels[2]");

  gw::JsonReader r;
  auto doc = r.parse(R"({"channels": [{"id": "a", "odd key": 1, "ok": 2}]})");
  REQUIRE(doc);
  auto scope = r.enter_index("channels", 0);
  r.only_keys((*doc)["channels"][0], {"id", "ok"});
  r.only_keys_at((*doc)["channels"][0], r.current_path(), {"id", "odd key"}, "unknown field in a channel");
  CHECK(all(r) ==
        "$.channels[0][\"odd key\"]: unknown key\n"
        "$.channels[0].ok: unknown field in a channel\n");
}

TEST_CASE("json reading resolves env: strings only when given an environment", "[core][json]") {
  const nlohmann::json doc = {{"token", "env:TOKEN"}, {"missing", "env:NOPE"}, {"n", "seven"}};
  std::map<std::string, std::string> vars = {{"TOKEN", "s3cret"}};
  gw::JsonReader with_env([&](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
  std::string token, missing;
  int n = 3;
  CHECK(with_env.get_string(doc, "token", &token));
  CHECK(token == "s3cret");
  CHECK_FALSE(with_env.get_string(doc, "missing", &missing));
  CHECK_FALSE(with_env.get_int(doc, "n", &n, 0, 10));
  CHECK(n == 3);
  CHECK(all(with_env) ==
        "$.missing: environment variable NOPE is not set\n"
        "$.n: must be an integer, not a string\n");

  gw::JsonReader plain;
  CHECK(plain.get_string(doc, "token", &token));
  CHECK(token == "env:TOKEN");
  CHECK(plain.problems().empty());
}

TEST_CASE("json text that does not parse is one problem at the current path", "[core][json]") {
  gw::JsonReader r;
  CHECK_FALSE(r.parse(R"({"id": )").has_value());
  REQUIRE(r.problems().size() == 1);
  CHECK(r.problems()[0].path == "$");
  CHECK(r.problems()[0].message.rfind("is not valid JSON (", 0) == 0);
}
