#include "gateway/engine/flow_check.h"

#include <catch2/catch.hpp>

#include "gateway/engine/flow_parser.h"
#include "tests/engine/fake_lexicon.h"

namespace {

using Severity = gw::FlowProblem::Severity;

gw::FlowSet flows_of(std::initializer_list<std::pair<const char*, const char*>> files) {
  gw::FlowSet set;
  set.entry = "f";
  for (const auto& [file, text] : files) {
    auto f = gw::parse_flow(text, file);
    if (!f) FAIL(f.error().message);
    set.flows[f->id] = *f;
  }
  return set;
}

const std::set<std::string> kKeys = {"k.a", "k.b", "k.c"};

// The problems as "file:location: severity: message" lines.
std::vector<std::string> lines(const std::vector<gw::FlowProblem>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.to_string());
  return out;
}

bool has(const std::vector<gw::FlowProblem>& ps, const std::string& location, Severity sev,
         const std::string& words) {
  for (const auto& p : ps) {
    if (p.location == location && p.severity == sev && p.message.find(words) != std::string::npos)
      return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the fixture flows pass every check", "[engine][flow_check]") {
  gw::testing::FakeLexicon lex;
  auto problems = gw::check_flows(gw::testing::fixture_flows(), lex.keys());
  CAPTURE(lines(problems));
  CHECK(problems.empty());
}

TEST_CASE("a dangling node reference is an error at its JSON path", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "q", "nodes": {
      "q": {"type": "ask", "prompt": "k.a", "fallback": "gone",
            "choices": [{"label": "k.b", "next": "e"}, {"label": "k.c", "next": "missing"}]},
      "e": {"type": "end"}}})"}});
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  CHECK(ps.size() == 2);
  CHECK(has(ps, "$.nodes.q.choices[1].next", Severity::kError, "\"missing\" does not exist"));
  CHECK(has(ps, "$.nodes.q.fallback", Severity::kError, "\"gone\""));
  CHECK(ps[0].file == "f.json");
  CHECK(gw::has_errors(ps));

  auto bad_start = flows_of({{"f.json", R"({"id": "f", "start": "nope", "nodes": {"e": {"type": "end"}}})"}});
  CHECK(has(gw::check_flows(bad_start, kKeys), "$.start", Severity::kError, "\"nope\" does not exist"));
}

TEST_CASE("an unknown sub-flow, entry flow or keyword flow is an error", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "s", "nodes": {
      "s": {"type": "subflow", "flow": "elsewhere", "next": "e"}, "e": {"type": "end"}}})"}});
  set.globals.push_back({"k.a", "nowhere", false, false, "", gw::Priority::kNormal, ""});
  set.globals_file = "globals.json";
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  CHECK(ps.size() == 2);
  CHECK(has(ps, "$.nodes.s.flow", Severity::kError, "flow \"elsewhere\" does not exist"));
  CHECK(has(ps, "$.keywords[0].flow", Severity::kError, "\"nowhere\""));
  set.entry = "main";
  CHECK(has(gw::check_flows(set, kKeys), "$.entry", Severity::kError, "entry flow \"main\""));
}

TEST_CASE("a template key that is not defined is an error wherever it is used", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "s", "nodes": {
      "s": {"type": "say", "say": ["k.a", "k.typo"], "next": "q"},
      "q": {"type": "ask", "prompt": "k.b", "retry": "k.retry", "fallback": "h",
            "choices": [{"label": "k.label", "keywords": ["k.c", "keyword.nope"], "next": "h"}]},
      "h": {"type": "handover", "queue": "general", "note": "note.none"}}})"}});
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  CHECK(ps.size() == 5);
  CHECK(has(ps, "$.nodes.s.say[1]", Severity::kError, "template key \"k.typo\" is not defined"));
  CHECK(has(ps, "$.nodes.q.retry", Severity::kError, "\"k.retry\""));
  CHECK(has(ps, "$.nodes.q.choices[0].label", Severity::kError, "\"k.label\""));
  CHECK(has(ps, "$.nodes.q.choices[0].keywords[1]", Severity::kError, "\"keyword.nope\""));
  CHECK(has(ps, "$.nodes.h.note", Severity::kError, "\"note.none\""));
}

TEST_CASE("a node that cannot be reached from the start is a warning", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "s", "nodes": {
      "s": {"type": "say", "say": "k.a", "next": "e"},
      "orphan": {"type": "say", "say": "k.b", "next": "e"},
      "e": {"type": "end"}}})"}});
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  REQUIRE(ps.size() == 1);
  CHECK(has(ps, "$.nodes.orphan", Severity::kWarning, "not reachable"));
  CHECK_FALSE(gw::has_errors(ps));
  CHECK(ps[0].to_string() == "f.json:$.nodes.orphan: warning: node is not reachable from the start node");
}

TEST_CASE("a flow whose start can reach no end is a warning", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "q", "nodes": {
      "q": {"type": "ask", "prompt": "k.a", "fallback": "q", "choices": [{"label": "k.b", "next": "s"}]},
      "s": {"type": "say", "say": "k.c", "next": "q"}}})"}});
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  REQUIRE(ps.size() == 1);  // the loop waits at q: no loop warning
  CHECK(has(ps, "$.start", Severity::kWarning, "never finishes"));
}

TEST_CASE("a loop with no ask, capture or wait on it is a warning naming its nodes", "[engine][flow_check]") {
  auto set = flows_of({{"f.json", R"({"id": "f", "start": "a", "nodes": {
      "a": {"type": "say", "say": "k.a", "next": "b"},
      "b": {"type": "branch", "cases": [{"if": "score", ">=": 3, "next": "e"}], "default": "c"},
      "c": {"type": "score", "add": 1, "next": "a"},
      "self": {"type": "set", "field": "x", "value": "y", "next": "self"},
      "e": {"type": "end"}}})"}});
  auto ps = gw::check_flows(set, kKeys);
  CAPTURE(lines(ps));
  CHECK(has(ps, "$.nodes.a", Severity::kWarning, "nodes a, b, c form a loop"));
  CHECK(has(ps, "$.nodes.self", Severity::kWarning, "nodes self form a loop"));
  CHECK_FALSE(gw::has_errors(ps));
}
