// Stat tags: the "stat" field of a flow node (engine/stat_tag.h), how the loader
// reads it, and the effect::Stat the engine emits each time a run reaches a
// tagged node, in order with the node's own effects.
#include "gateway/engine/stat_tag.h"

#include <catch2/catch.hpp>

#include "gateway/engine/engine.h"
#include "gateway/engine/flow_parser.h"
#include "tests/engine/engine_fixture.h"

using gw::testing::EngineFixture;
namespace fx = gw::effect;

namespace {

gw::StatTag tag(const std::string& text) {
  auto r = gw::parse_stat_tag(text);
  INFO(text);
  REQUIRE(r.ok());
  return *r;
}

std::string tag_error(const std::string& text) {
  auto r = gw::parse_stat_tag(text);
  INFO(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
  return r.error().message;
}

// Effects as "stat:metric:value", "say:key", "handover:queue", "set:name", so
// that the order of the stats among the nodes' own effects shows.
std::vector<std::string> trace(const std::vector<gw::Effect>& effects) {
  std::vector<std::string> out;
  for (const gw::Effect& e : effects) {
    if (auto* s = std::get_if<fx::Stat>(&e)) out.push_back("stat:" + s->metric + ":" + s->value);
    if (auto* s = std::get_if<fx::Say>(&e)) out.push_back("say:" + s->template_key);
    if (auto* h = std::get_if<fx::Handover>(&e)) out.push_back("handover:" + h->queue);
    if (auto* x = std::get_if<fx::SetField>(&e)) out.push_back("set:" + x->name);
  }
  return out;
}

using Trace = std::vector<std::string>;

}  // namespace

TEST_CASE("a stat tag is a topic, an ILO indicator or a screening result", "[engine][stat_tag]") {
  CHECK(tag("rights.it.work") == gw::StatTag{"topic", "rights.it.work"});
  CHECK(tag("topic:rights.it.work") == gw::StatTag{"topic", "rights.it.work"});
  CHECK(tag("topic:a") == gw::StatTag{"topic", "a"});
  CHECK(tag("family-links_2") == gw::StatTag{"topic", "family-links_2"});
  CHECK(tag("indicator:deception") == gw::StatTag{"indicator", "deception"});
  CHECK(tag("screening:medium") == gw::StatTag{"screening", "medium"});
  CHECK(tag(std::string(64, 'a')).value.size() == 64);
  for (const std::string& code : gw::ilo_indicator_codes()) {
    CHECK(tag("indicator:" + code) == gw::StatTag{"indicator", code});
  }
  CHECK(gw::ilo_indicator_codes().size() == 11);
  CHECK(gw::ilo_indicator_codes().front() == "abuse_of_vulnerability");
  CHECK(gw::ilo_indicator_codes()[6] == "retention_of_identity_documents");
  CHECK(gw::ilo_indicator_codes().back() == "excessive_overtime");
  CHECK(gw::stat_tag_text(tag("rights.uk.work")) == "topic:rights.uk.work");
}

TEST_CASE("a bad stat tag says what is wrong and what is allowed, quoting little of it",
          "[engine][stat_tag]") {
  CHECK_THAT(tag_error(""), Catch::Contains("1 to 64 characters"));
  CHECK_THAT(tag_error("topic:"), Catch::Contains("starting with a letter"));
  CHECK_THAT(tag_error("Rights.UK"), Catch::Contains("\"Rights.UK\""));
  CHECK_THAT(tag_error("1st"), Catch::Contains("starting with a letter"));
  CHECK_THAT(tag_error("rights uk"), Catch::Contains("a-z, 0-9"));
  CHECK_THAT(tag_error("wage theft: yes"), Catch::Contains("unknown stat kind \"wage theft\""));
  CHECK_THAT(tag_error("topics:work"), Catch::Contains("topic:CODE, indicator:CODE, screening:CODE"));
  CHECK_THAT(tag_error("indicator:debt"), Catch::Contains("unknown ILO indicator \"debt\""));
  CHECK_THAT(tag_error("indicator:debt"), Catch::Contains("debt_bondage"));
  CHECK_THAT(tag_error("screening:severe"), Catch::Contains("low, medium or high"));
  CHECK_THAT(tag_error("screening:"), Catch::Contains("1 to 64"));
  CHECK_THAT(tag_error("topic:a:b"), Catch::Contains("\"a:b\""));
  const std::string long_code(65, 'a');
  CHECK_THAT(tag_error(long_code), Catch::Contains("1 to 64"));
  // Never more than 64 characters of the input, and never half a character.
  const std::string secret = "my name is " + std::string(200, 'x') + " and I live at";
  const std::string m = tag_error(secret);
  CHECK(m.find(std::string(65, 'x')) == std::string::npos);
  CHECK(m.find("I live at") == std::string::npos);
  const std::string arabic = "a" + std::string(100, ' ') + "\xd8\xa7\xd9\x84\xd8\xa7\xd8\xb3\xd9\x85";
  std::string cyr = "a";
  for (int i = 0; i < 40; ++i) cyr += "\xd0\xb6";  // 'ж', two bytes: the cut falls inside one
  const std::string mc = tag_error(cyr);
  CHECK(mc.size() < 64 + 200);
  CHECK_NOTHROW(nlohmann::json(mc).dump());  // still valid UTF-8
  CHECK_NOTHROW(nlohmann::json(tag_error(arabic)).dump());
}

TEST_CASE("every node kind may carry a valid stat tag, and a bad one is a problem at its JSON path",
          "[engine][stat_tag][flow_parser]") {
  auto ok = gw::parse_flow(R"({"id": "t", "start": "a", "nodes": {
      "a": {"type": "say", "stat": "indicator:isolation", "say": "x.a", "next": "b"},
      "b": {"type": "branch", "stat": "t.b", "cases": [{"if": "score", ">=": 1, "next": "c"}], "default": "c"},
      "c": {"type": "score", "stat": "screening:low", "add": 1, "next": "d"},
      "d": {"type": "set", "stat": "t.d", "field": "f", "value": "v", "next": "e"},
      "e": {"type": "subflow", "stat": "t.e", "flow": "t", "next": "f"},
      "f": {"type": "wait", "stat": "t.f", "seconds": 5, "next": "g", "timeout_next": "g"},
      "g": {"type": "capture", "stat": "t.g", "prompt": "x.g", "result": "r", "next": "h"},
      "h": {"type": "ask", "stat": "t.h", "prompt": "x.h", "choices": [{"label": "x.l", "next": "i"}],
            "fallback": "i"},
      "i": {"type": "handover", "stat": "t.i", "queue": "general"},
      "j": {"type": "end", "stat": "t.j"},
      "k": {"type": "erase", "stat": "t.k"},
      "l": {"type": "say", "say": "x.l", "next": "j"}}})",
                           "flows/t.json");
  REQUIRE(ok.ok());
  CHECK(ok->nodes.at("a").stat == "indicator:isolation");
  CHECK(ok->nodes.at("c").stat == "screening:low");
  CHECK(ok->nodes.at("k").stat == "t.k");
  CHECK(ok->nodes.at("l").stat.empty());

  auto bad = gw::parse_flow(R"({"id": "t", "start": "a", "nodes": {
      "a": {"type": "say", "stat": "indicator:slavery", "say": "x.a", "next": "b"},
      "b": {"type": "end", "stat": 3},
      "c": {"type": "end", "stat": "Person Asked"}}})",
                            "flows/t.json");
  REQUIRE_FALSE(bad.ok());
  const std::string m = bad.error().message;
  CHECK_THAT(m, Catch::Contains("flows/t.json:$.nodes.a.stat: unknown ILO indicator \"slavery\""));
  CHECK_THAT(m, Catch::Contains("flows/t.json:$.nodes.b.stat: must be a string"));
  CHECK_THAT(m, Catch::Contains("flows/t.json:$.nodes.c.stat: stat code \"Person Asked\""));
}

TEST_CASE("the engine emits a Stat each time it reaches a tagged node, before the node's own effects",
          "[engine][stat_tag]") {
  auto inner = gw::parse_flow(R"({"id": "inner", "start": "tip", "nodes": {
      "tip": {"type": "say", "stat": "inner.tip", "say": "x.tip", "next": "done"},
      "done": {"type": "end", "stat": "inner.done", "say": "x.bye"}}})",
                              "inner.json");
  auto outer = gw::parse_flow(R"({"id": "outer", "start": "which", "nodes": {
      "which": {"type": "branch", "stat": "outer.start",
                "cases": [{"if": "channel", "equals": "sms", "next": "sms"}], "default": "other"},
      "sms": {"type": "say", "stat": "screening:high", "say": ["x.one", "x.two"], "next": "sub"},
      "other": {"type": "say", "stat": "outer.other", "say": "x.other", "next": "sub"},
      "sub": {"type": "subflow", "stat": "outer.sub", "flow": "inner", "next": "q"},
      "q": {"type": "ask", "stat": "outer.q", "prompt": "x.q",
            "choices": [{"label": "x.yes", "next": "add"}, {"label": "x.no", "next": "q"}],
            "max_retries": 5, "fallback": "q"},
      "add": {"type": "score", "stat": "indicator:debt_bondage", "add": 1, "next": "set"},
      "set": {"type": "set", "field": "topic", "value": "debt", "next": "away"},
      "away": {"type": "handover", "stat": "outer.handover", "queue": "general"}}})",
                              "outer.json");
  REQUIRE(inner.ok());
  REQUIRE(outer.ok());
  EngineFixture f;
  f.flows.flows["inner"] = *inner;
  f.flows.flows["outer"] = *outer;

  f.start("outer");
  CHECK(trace(f.r.effects) == Trace{"stat:topic:outer.start", "stat:screening:high", "say:x.one", "say:x.two",
                                    "stat:topic:outer.sub", "stat:topic:inner.tip", "say:x.tip",
                                    "stat:topic:inner.done", "say:x.bye", "stat:topic:outer.q", "say:x.q"});
  CHECK(f.at() == "outer/q");
  // An answer that matches nothing asks again without reaching the node again.
  f.send("maybe");
  CHECK(f.all<fx::Stat>().empty());
  CHECK(trace(f.r.effects) == Trace{"say:x.q"});
  // Choosing the question again reaches it again: counted again.
  f.send("2");
  CHECK(trace(f.r.effects) == Trace{"stat:topic:outer.q", "say:x.q"});
  f.send("1");
  CHECK(trace(f.r.effects) ==
        Trace{"stat:indicator:debt_bondage", "set:topic", "stat:topic:outer.handover", "handover:general"});
  CHECK(f.all<fx::Stat>() ==
        std::vector<fx::Stat>{{"indicator", "debt_bondage"}, {"topic", "outer.handover"}});

  // The other branch: only the nodes this run reaches count.
  f.contact.channel = "telegram";
  f.start("outer");
  CHECK(f.all<fx::Stat>() == std::vector<fx::Stat>{{"topic", "outer.start"},
                                                   {"topic", "outer.other"},
                                                   {"topic", "outer.sub"},
                                                   {"topic", "inner.tip"},
                                                   {"topic", "inner.done"},
                                                   {"topic", "outer.q"}});
}

TEST_CASE("a question asked again on the way back from a keyword's sub-flow is not counted again",
          "[engine][stat_tag]") {
  EngineFixture f;
  auto crisis = gw::parse_flow(R"({"id": "crisis", "start": "numbers", "nodes": {
      "numbers": {"type": "say", "stat": "crisis", "say": "x.numbers", "next": "done"},
      "done": {"type": "end"}}})",
                               "crisis.json");
  REQUIRE(crisis.ok());
  f.flows.flows["crisis"] = *crisis;
  f.flows.crisis = "crisis";
  f.flows.flows.at("main").nodes.at("menu").stat = "main.menu";
  f.send("hi");
  CHECK(f.all<fx::Stat>() == std::vector<fx::Stat>{{"topic", "main.menu"}});
  REQUIRE(f.at() == "main/menu");
  gw::Input sos{"SOS"};
  sos.crisis = true;
  f.r = f.engine().step(f.flows, f.r.session, f.contact, sos, f.now);
  CHECK(f.all<fx::Stat>() == std::vector<fx::Stat>{{"topic", "crisis"}});
  CHECK(f.says() == std::vector<std::string>{"x.numbers", "main.menu"});  // the menu asked again
  CHECK(f.at() == "main/menu");
}

TEST_CASE("a Stat effect is written as JSON with its metric and value", "[engine][stat_tag]") {
  CHECK(gw::effect_to_json(fx::Stat{"indicator", "deception"}) ==
        nlohmann::json{{"effect", "stat"}, {"metric", "indicator"}, {"value", "deception"}});
}
