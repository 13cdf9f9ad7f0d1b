#include "gateway/engine/flow_parser.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "gateway/content/flow_files.h"
#include "tests/engine/fake_lexicon.h"

namespace {

std::string load_error(const std::string& text, const std::string& file = "flows/main.json") {
  auto r = gw::parse_flow(text, file);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
  return r.error().message;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("the fixture flows load and exercise every node kind", "[engine][flow_parser]") {
  auto flows = gw::load_flows(gw::testing::engine_fixture_dir() + "/flows");
  REQUIRE(flows.ok());
  CHECK(flows->flows.size() == 5);
  CHECK(flows->entry == "main");
  REQUIRE(flows->globals.size() == 4);
  CHECK(flows->globals[1].keyword == "keyword.language");
  CHECK(flows->globals[1].resume);
  CHECK(flows->globals[2].handover);
  CHECK(flows->globals[2].queue == "general");
  std::set<gw::NodeKind> seen;
  for (const auto& [id, flow] : flows->flows) {
    CHECK(flow.file.find(id + ".json") != std::string::npos);
    for (const auto& [nid, node] : flow.nodes) seen.insert(node.kind);
  }
  for (gw::NodeKind k : gw::all_node_kinds()) {
    INFO(gw::node_kind_name(k));
    CHECK(seen.count(k) == 1);
  }
  const gw::Node* menu = flows->find("main", "menu");
  REQUIRE(menu);
  REQUIRE(menu->choices.size() == 3);
  CHECK(menu->choices[0].keywords == std::vector<std::string>{"keyword.rights"});
  CHECK(menu->choices[2].value == "person");
  CHECK(flows->find("screening", "q_paid")->max_retries == 2);  // the default
  CHECK(flows->find("screening", "paid_no")->score == "score");
  CHECK(flows->find("main", "urgent")->priority == gw::Priority::kUrgent);
  CHECK(flows->find("checkin", "wait")->seconds == 3600);
}

TEST_CASE("loader errors name the file and the JSON path of each problem", "[engine][flow_parser]") {
  const std::string text = R"({
    "id": "main", "start": "menu", "colour": "red",
    "nodes": {
      "menu": {"type": "ask", "prompt": "main.menu", "fallback": "menu",
               "choices": [{"label": "a", "next": "x"}, {"label": "b", "next": "y"}, {"label": "c"}]},
      "talk": {"type": "handover", "queue": "general", "priority": "soon"},
      "pause": {"type": "wait", "seconds": 0, "next": "menu", "timeout_next": "menu"},
      "odd": {"type": "dance", "next": "menu"},
      "pick": {"type": "branch", "cases": [{"if": "mood", "equals": "x", "next": "menu"},
                                           {"if": "score", ">=": 1, "<=": 5, "next": "menu"}], "default": "menu"},
      "bye": {"type": "end", "nxt": "menu"}
    }
  })";
  const std::string e = load_error(text);
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.colour: unknown field in a flow"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.menu.choices[2].next: is required"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.talk.priority: must be urgent, high or normal"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.pause.seconds: must be a whole number"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.odd.type: unknown node type"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.pick.cases[0].if: must be result.NAME"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.pick.cases[1]: needs exactly one of"));
  CHECK_THAT(e, Catch::Contains("flows/main.json:$.nodes.bye.nxt: unknown field in this end node"));
  // One line per problem, all of them at once.
  CHECK(std::count(e.begin(), e.end(), '\n') == 7);
}

TEST_CASE("a flow's id must match its file name and its JSON must parse", "[engine][flow_parser]") {
  CHECK_THAT(load_error(R"({"id": "other", "start": "a", "nodes": {"a": {"type": "end"}}})"),
             Catch::Contains("flows/main.json:$.id: must match the file name (\"main\")"));
  CHECK_THAT(load_error(R"({"id": "main", "start": )"),
             Catch::Contains("flows/main.json:$: is not valid JSON"));
  CHECK_THAT(load_error(R"({"id": "main", "start": "a", "nodes": {}})"),
             Catch::Contains("flows/main.json:$.nodes: must be an object"));
  CHECK_THAT(load_error(R"({"id": "main", "start": "a", "nodes": {"a b": {"type": "end"}}})"),
             Catch::Contains("flows/main.json:$.nodes[\"a b\"]: node ids use"));
  CHECK_THAT(load_error(R"({"id": "main", "start": "a", "nodes": {"a": {"type": "set", "next": "a"}}})"),
             Catch::Contains("$.nodes.a: needs either \"language\" or \"field\""));
  CHECK_THAT(load_error(R"({"id": "main", "start": "a", "nodes": {"a": {"type": "say", "say": ["x"],
             "vars": {"n": "$secret"}, "next": "a"}}})"),
             Catch::Contains("$.nodes.a.vars.n: refers to an unknown value"));
}

TEST_CASE("schema.json parses and describes every node kind with the fields the loader accepts",
          "[engine][flow_parser][schema]") {
  const nlohmann::json schema = read_json(std::string(GATEWAY_SOURCE_DIR) + "/flows/schema.json");
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  const nlohmann::json& defs = schema["$defs"];
  std::set<std::string> listed = defs["node"]["properties"]["type"]["enum"].get<std::set<std::string>>();
  std::set<std::string> referenced;
  for (const auto& ref : defs["node"]["oneOf"]) referenced.insert(ref["$ref"].get<std::string>());
  for (gw::NodeKind k : gw::all_node_kinds()) {
    const std::string name = gw::node_kind_name(k);
    INFO(name);
    CHECK(listed.count(name) == 1);
    CHECK(referenced.count("#/$defs/" + name) == 1);
    REQUIRE(defs.contains(name));
    CHECK(defs[name]["properties"]["type"]["const"] == name);
    CHECK(defs[name]["additionalProperties"] == false);
    std::set<std::string> props;
    for (const auto& [p, v] : defs[name]["properties"].items()) props.insert(p);
    std::set<std::string> accepted(gw::node_kind_fields(k).begin(), gw::node_kind_fields(k).end());
    accepted.insert("type");
    CHECK(props == accepted);
  }
  CHECK(listed.size() == gw::all_node_kinds().size());
  CHECK(defs["flow"]["required"] == nlohmann::json({"id", "start", "nodes"}));
  CHECK(defs.contains("globals"));
}

TEST_CASE("every fixture flow follows the loader's rules file by file", "[engine][flow_parser][schema]") {
  namespace fs = std::filesystem;
  int flows = 0;
  for (const auto& e : fs::directory_iterator(gw::testing::engine_fixture_dir() + "/flows")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    INFO(e.path().string());
    if (e.path().filename() == "globals.json") {
      gw::FlowSet set;
      CHECK(gw::parse_globals(ss.str(), e.path().string(), &set).ok());
    } else {
      auto f = gw::parse_flow(ss.str(), e.path().string());
      if (!f) FAIL(f.error().message);
      ++flows;
    }
  }
  CHECK(flows == 5);
}
