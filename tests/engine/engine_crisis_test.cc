// The crisis flow (globals.json "crisis") in the pure engine: a crisis input
// enters it from any state and the person comes back to where they were; a
// distress word where a numbered answer was expected enters it instead of the
// retry; inside the crisis flow a distress word is no new crisis; a handover
// reached through a fallback is marked unclear.
#include <catch2/catch.hpp>

#include "gateway/engine/engine.h"
#include "gateway/engine/flow_parser.h"
#include "tests/engine/engine_fixture.h"

using gw::testing::EngineFixture;
using Keys = std::vector<std::string>;
namespace fx = gw::effect;

namespace {

constexpr const char* kCrisisFlow = R"({
  "id": "crisis",
  "start": "numbers",
  "nodes": {
    "numbers": {"type": "say", "say": ["rights.info"], "vars": {"country": "$country"}, "next": "offer"},
    "offer": {"type": "ask", "prompt": "main.menu", "choices": [
      {"label": "main.menu.person", "keywords": "keyword.yes", "value": "yes", "next": "handover"},
      {"label": "main.menu.rights", "keywords": "keyword.no", "value": "no", "next": "later"}],
      "max_retries": 0, "fallback": "handover"},
    "handover": {"type": "handover", "queue": "urgent", "priority": "urgent"},
    "later": {"type": "end", "say": ["main.bye"]}
  }
})";

struct CrisisEngine : EngineFixture {
  CrisisEngine() {
    auto flow = gw::parse_flow(kCrisisFlow, "crisis.json");
    REQUIRE(flow.ok());
    flows.flows.emplace("crisis", std::move(*flow));
    flows.crisis = "crisis";
  }
  const std::vector<gw::Effect>& crisis(const std::string& text) {
    gw::Input in{text};
    in.crisis = true;
    r = engine().step(flows, r.session, contact, in, now);
    return r.effects;
  }
  const std::vector<gw::Effect>& distress(const std::string& text) {
    gw::Input in{text};
    in.distress = true;
    r = engine().step(flows, r.session, contact, in, now);
    return r.effects;
  }
};

}  // namespace

TEST_CASE("a crisis input as the first message enters the crisis flow, then the entry flow follows",
          "[engine][crisis]") {
  CrisisEngine f;
  f.crisis("SOS");
  CHECK(f.says() == Keys{"rights.info", "main.menu"});
  CHECK(f.all<fx::Say>()[0].vars == nlohmann::json{{"country", "GB"}});
  CHECK(f.at() == "crisis/offer");
  f.send("2");  // no contact now
  CHECK(f.says() == Keys{"main.bye", "main.welcome", "main.menu"});
  CHECK(f.at() == "main/menu");
}

TEST_CASE("a crisis input in the middle of a question comes back to that question", "[engine][crisis]") {
  CrisisEngine f;
  f.send("hi");
  REQUIRE(f.at() == "main/menu");
  f.crisis("112");
  CHECK(f.at() == "crisis/offer");
  f.send("2");
  CHECK(f.says() == Keys{"main.bye", "main.menu"});
  CHECK(f.at() == "main/menu");
  f.crisis("SOS");
  f.send("1");
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].queue == "urgent");
  CHECK_FALSE(h[0].unclear);
}

TEST_CASE("a distress word where a number was expected enters the crisis flow instead of the retry",
          "[engine][crisis]") {
  CrisisEngine f;
  f.send("hi");
  f.distress("please help me");
  CHECK(f.says() == Keys{"rights.info", "main.menu"});
  CHECK(f.at() == "crisis/offer");
  // A valid answer with a distress mark is still the answer.
  CrisisEngine h;
  h.send("hi");
  h.distress("1");
  CHECK(h.at() != "crisis/offer");
}

TEST_CASE("inside the crisis flow a distress word is no new crisis: the unclear answer hands over",
          "[engine][crisis]") {
  CrisisEngine f;
  f.crisis("SOS");
  f.distress("they are hurting me");
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].priority == "urgent");
  CHECK(h[0].unclear);  // reached through the fallback
  CHECK(f.says().empty());
}

TEST_CASE("without a crisis flow the marks change nothing", "[engine][crisis]") {
  EngineFixture f;
  f.send("hi");
  gw::Input in{"help me"};
  in.distress = true;
  f.r = f.engine().step(f.flows, f.r.session, f.contact, in, f.now);
  CHECK(f.says() == Keys{"main.retry", "main.menu"});
}

TEST_CASE("a handover reached after repeated unclear answers is marked unclear", "[engine][crisis]") {
  EngineFixture f;
  f.send("hi");
  f.send("what");
  f.send("what");
  f.send("what");
  auto h = f.all<fx::Handover>();
  REQUIRE(h.size() == 1);
  CHECK(h[0].unclear);
}
