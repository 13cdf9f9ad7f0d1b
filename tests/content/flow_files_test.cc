// Reading a flows directory: every file's problems at once, schema.json and
// other files skipped, a missing directory an I/O error.
#include "gateway/content/flow_files.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

TEST_CASE("load_flows reports every bad file, skips schema.json, and fails on a missing directory",
          "[content][flow_files]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("flow_files_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.json") << R"({"id": "a", "start": "s", "nodes": {"s": {"type": "end", "say": 3}}})";
  std::ofstream(dir / "b.json")
      << R"({"id": "b", "start": "s", "nodes": {"s": {"type": "score", "next": "s"}}})";
  std::ofstream(dir / "schema.json") << R"({"not": "a flow"})";
  std::ofstream(dir / "notes.txt") << "not json";
  auto r = gw::load_flows(dir.string());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains((dir / "a.json").string() + ":$.nodes.s.say: must be"));
  CHECK_THAT(r.error().message, Catch::Contains((dir / "b.json").string() + ":$.nodes.s.add: is required"));
  CHECK_THAT(r.error().message, !Catch::Contains("schema.json"));
  fs::remove_all(dir);

  auto missing = gw::load_flows((dir / "nowhere").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == gw::ErrorCode::kIo);
}

TEST_CASE("load_flows reports a bad stat tag with its file and JSON path, and keeps a good one",
          "[content][flow_files][stat]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("flow_files_stat_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.json")
      << R"({"id": "a", "start": "s", "nodes": {"s": {"type": "end", "stat": "indicator:forced_labour"}}})";
  auto r = gw::load_flows(dir.string());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains((dir / "a.json").string() +
                                                ":$.nodes.s.stat: unknown ILO indicator \"forced_labour\""));
  std::ofstream(dir / "a.json")
      << R"({"id": "a", "start": "s", "nodes": {"s": {"type": "end", "stat": "indicator:debt_bondage"}}})";
  auto ok = gw::load_flows(dir.string());
  REQUIRE(ok.ok());
  CHECK(ok->find("a", "s")->stat == "indicator:debt_bondage");
  fs::remove_all(dir);
}
