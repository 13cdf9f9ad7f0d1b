// `gateway simulate` from a pipe, on the shipped content: multi-turn
// conversations in English and Arabic, as text and as JSON Lines.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using gw::testing::run_process;
using nlohmann::json;

namespace {

const std::string kGateway = GATEWAY_BINARY;
const std::string kSource = GATEWAY_SOURCE_DIR;

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("simulate holds a multi-turn conversation in English from a pipe", "[cli][simulate]") {
  // The guessed language (English, from a UK number) is taken, consent given, a wrong
  // answer retried, then "talk to a person" as an adult.
  auto r = run_process({kGateway, "simulate", "--content", kSource, "--from", "+447700900123"},
                       "hello\n1\n1\n9\n3\n2\n");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string& o = r.out;
  auto welcome = o.find("Free, confidential helpline");
  auto menu = o.find("1. Your rights\n2. ");
  auto retry = o.find("Sorry, please reply with one of the numbers.");
  auto handover = o.find("[handover priority=normal queue=general]");
  REQUIRE(welcome != std::string::npos);
  REQUIRE(menu != std::string::npos);
  REQUIRE(retry != std::string::npos);
  REQUIRE(handover != std::string::npos);
  CHECK(welcome < menu);
  CHECK(menu < retry);
  CHECK(retry < handover);
  CHECK(o.find("[language language=en]") != std::string::npos);
  CHECK(o.find("(GSM-7, 1 segment)") != std::string::npos);
}

TEST_CASE("simulate --json in Arabic: replies in Arabic, UCS-2, answered with an Arabic-Indic digit",
          "[cli][simulate]") {
  auto r = run_process({kGateway, "simulate", "--content", kSource, "--lang", "ar", "--json"},
                       "\u0645\u0631\u062d\u0628\u0627\n\u0661\nMENU\n");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = json_lines(r.out);
  REQUIRE(lines.size() >= 5);
  // Turn 0: the language is known, so consent comes first, in Arabic: what it means, then the question.
  CHECK(lines[0]["turn"] == 0);
  CHECK(lines[0]["key"] == "consent.intro");
  CHECK(lines[0]["language"] == "ar");
  CHECK(lines[0]["encoding"] == "UCS-2");
  CHECK(lines[0]["segments"].get<int>() >= 1);
  CHECK(lines[1]["turn"] == 0);
  CHECK(lines[1]["key"] == "consent.ask");
  CHECK(lines[1]["text"].get<std::string>().find("\n1. ") != std::string::npos);
  // Turn 1: "\u0661" picked option 1 (yes): thanks, the safety tip and the menu, in Arabic.
  std::vector<std::string> turn1;
  bool menu_again = false;
  for (const json& l : lines) {
    if (l["turn"] == 1 && l.contains("key")) {
      turn1.push_back(l["key"]);
      CHECK(l["language"] == "ar");
    }
    if (l["turn"] == 2 && l.value("key", "") == "menu.prompt") menu_again = true;
  }
  CHECK(turn1 == std::vector<std::string>{"consent.given", "safety.tip", "menu.prompt"});
  CHECK(menu_again);  // MENU works from anywhere
}

TEST_CASE("simulate on a folder without content fails with one line naming the problem", "[cli][simulate]") {
  std::string dir = gw::testing::make_temp_dir("gw-sim");
  auto r = run_process({kGateway, "simulate", "--content", dir}, "hello\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind("gateway simulate: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.out.empty());
}
