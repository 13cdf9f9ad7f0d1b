// The canonical layout of flow and templates files: the shipped files are in it.
#include "gateway/content/flow_json.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("every shipped flow and templates file is its own canonical text", "[content][flow_json]") {
  const fs::path root = GATEWAY_SOURCE_DIR;
  size_t flows = 0, templates = 0;
  for (const auto& e : fs::directory_iterator(root / "flows")) {
    if (e.path().extension() != ".json" || e.path().filename() == "schema.json") continue;
    INFO(e.path());
    const std::string text = read(e.path());
    CHECK(gw::write_flow_json(Json::parse(text)) == text);
    ++flows;
  }
  for (const auto& e : fs::directory_iterator(root / "templates")) {
    if (e.path().extension() != ".json") continue;
    INFO(e.path());
    const std::string text = read(e.path());
    CHECK(gw::write_templates_json(Json::parse(text)) == text);
    ++templates;
  }
  CHECK(flows >= 10);
  CHECK(templates >= 10);
}

TEST_CASE("a flow keeps containers of scalars on one line and expands the rest", "[content][flow_json]") {
  const Json flow = Json::parse(R"({"id": "f", "tags": ["a", "ü"], "nodes": {
    "end": {"type": "end"},
    "ask": {"type": "ask", "prompt": ["p", "q"], "vars": {"n": 1.5, "ok": true, "none": null}},
    "deep": {"type": "branch", "cases": [{"if": "x", "next": "y"}], "empty": {}, "list": []}}})");
  CHECK(gw::write_flow_json(flow) ==
        "{\n"
        "  \"id\": \"f\",\n"
        "  \"tags\": [\"a\", \"ü\"],\n"
        "  \"nodes\": {\n"
        "    \"end\": {\"type\": \"end\"},\n"
        "    \"ask\": {\"type\": \"ask\", \"prompt\": [\"p\", \"q\"], \"vars\": {\"n\": 1.5, \"ok\": true, "
        "\"none\": null}},\n"
        "    \"deep\": {\n"
        "      \"type\": \"branch\",\n"
        "      \"cases\": [\n"
        "        {\"if\": \"x\", \"next\": \"y\"}\n"
        "      ],\n"
        "      \"empty\": {},\n"
        "      \"list\": []\n"
        "    }\n"
        "  }\n"
        "}\n");
}

TEST_CASE("a flow of scalars only is still expanded at the top", "[content][flow_json]") {
  CHECK(gw::write_flow_json(Json::parse(R"({"id": "f", "s": "a\"b\n"})")) ==
        "{\n  \"id\": \"f\",\n  \"s\": \"a\\\"b\\n\"\n}\n");
}

TEST_CASE("a node's stat tag is written where it stands, on the node's one line",
          "[content][flow_json][stat]") {
  const std::string text =
      "{\n"
      "  \"id\": \"f\",\n"
      "  \"start\": \"a\",\n"
      "  \"nodes\": {\n"
      "    \"a\": {\"type\": \"score\", \"stat\": \"indicator:deception\", \"add\": 1, \"next\": \"b\"},\n"
      "    \"b\": {\n"
      "      \"type\": \"ask\",\n"
      "      \"stat\": \"screening.started\",\n"
      "      \"prompt\": \"p\",\n"
      "      \"choices\": [\n"
      "        {\"label\": \"l\", \"next\": \"a\"}\n"
      "      ],\n"
      "      \"fallback\": \"a\"\n"
      "    }\n"
      "  }\n"
      "}\n";
  CHECK(gw::write_flow_json(Json::parse(text)) == text);
  // A tag added to a node in the studio goes where it was put, the rest unchanged.
  Json doc = Json::parse(text);
  doc["nodes"]["a"].erase("stat");
  doc["nodes"]["a"]["stat"] = "indicator:isolation";
  CHECK_THAT(gw::write_flow_json(doc),
             Catch::Contains("\"a\": {\"type\": \"score\", \"add\": 1, \"next\": \"b\", "
                             "\"stat\": \"indicator:isolation\"},\n"));
}
