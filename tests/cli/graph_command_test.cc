// `gateway content graph`: the shipped menu's diagram on stdout, in English and
// in Arabic, and one-line errors for what cannot be drawn.
#include <catch2/catch.hpp>

#include "tests/support/subprocess.h"

namespace {
const std::string kGateway = GATEWAY_BINARY;
const std::string kRoot = GATEWAY_SOURCE_DIR;

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("content graph prints the SVG of the menu flow and nothing on stderr", "[cli][content]") {
  auto r = gw::testing::run_process({kGateway, "content", "graph", "menu", "--content", kRoot});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("<?xml", 0) == 0);
  CHECK(r.out.find("</svg>") != std::string::npos);
  CHECK(count(r.out, "id=\"node-") == 9);  // ask, stuck and the seven parts
  CHECK(r.out.find("id=\"node-ask\"") != std::string::npos);
  CHECK(r.out.find(">Your rights</text>") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("content graph --lang ar shows the Arabic texts of the menu", "[cli][content]") {
  auto r =
      gw::testing::run_process({kGateway, "content", "graph", "menu", "--content", kRoot, "--lang", "ar"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(">\u062d\u0642\u0648\u0642\u0643</text>") != std::string::npos);  // "Your rights"
  CHECK(r.out.find(">Your rights</text>") == std::string::npos);
}

TEST_CASE("content graph of an unknown flow or language fails with one line naming it", "[cli][content]") {
  auto r = gw::testing::run_process({kGateway, "content", "graph", "nosuch", "--content", kRoot});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("\"nosuch\"") != std::string::npos);
  CHECK(count(r.err, "\n") == 1);

  r = gw::testing::run_process({kGateway, "content", "graph", "menu", "--content", kRoot, "--lang", "xx"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("\"xx\"") != std::string::npos);
  CHECK(count(r.err, "\n") == 1);

  r = gw::testing::run_process({kGateway, "content", "graph"});
  CHECK(r.exit_code == 2);
}
