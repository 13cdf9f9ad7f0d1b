// `gateway stats merge`: the worked example of docs/statistics.md, and bad
// input named by file and JSON path with nothing on standard output; the
// refusals of `gateway stats export` (its output is tested end to end in
// tests/e2e/stats_e2e_test.cc).
#include "gateway/cli/stats_command.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/cli/stats_export_command.h"
#include "tests/stats/worked_example.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace {

struct Exports {
  gw::testing::TempDir dir{"gw-stats-merge"};
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir.path() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::vector<std::string> example() {
    return {write("A.json", gw::testing::kExampleExportA), write("B.json", gw::testing::kExampleExportB),
            write("C.json", gw::testing::kExampleExportC)};
  }
};

struct Run {
  int code;
  std::string out, err;
};

Run merge(const std::vector<std::string>& files, int min_cell = 11, const std::string& format = "json") {
  std::ostringstream out, err;
  const int code = gw::cli::run_stats_merge(files, min_cell, format, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("stats merge of the three example exports prints the documented report", "[cli][stats]") {
  Exports e;
  Run r = merge(e.example(), 15);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  CHECK(nlohmann::ordered_json::parse(r.out) == nlohmann::ordered_json::parse(gw::testing::kExampleMerged));

  Run csv = merge(e.example(), 15, "csv");
  REQUIRE(csv.code == 0);
  CHECK(csv.out ==
        "metric,value,week,count\r\n"
        "conversations.language,ar,2026-W48,<15\r\n"
        "conversations.language,ar,2026-W49,<15\r\n"
        "conversations.language,ar,total,<15\r\n"
        "conversations.language,en,2026-W48,55\r\n"
        "conversations.language,en,2026-W49,<15\r\n"
        "conversations.language,en,total,<15\r\n"
        "conversations.language,ti,2026-W48,0\r\n"
        "conversations.language,ti,2026-W49,<15\r\n"
        "conversations.language,ti,total,<15\r\n"
        "conversations.language,uk,2026-W48,<15\r\n"
        "conversations.language,uk,2026-W49,<15\r\n"
        "conversations.language,uk,total,<15\r\n"
        "conversations.language,total,2026-W48,94\r\n"
        "conversations.language,total,2026-W49,68\r\n"
        "conversations.language,total,total,162\r\n");
}

TEST_CASE("stats merge names the bad file and the JSON path on one line and prints nothing", "[cli][stats]") {
  Exports e;
  auto files = e.example();
  std::string bad = gw::testing::kExampleExportB;
  bad.replace(bad.find("[15, \"<11\"]"), 11, "[15, 7]");
  files[1] = e.write("bad.json", bad);
  Run r = merge(files);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find(files[1] + ": $.tables[0].rows[0].weeks[1]: 7 is shown") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

  files[1] = e.write("notjson.json", "{\"format\": ");
  r = merge(files);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("notjson.json: is not valid JSON") != std::string::npos);

  files[1] = (e.dir.path() / "missing.json").string();
  r = merge(files);
  CHECK(r.code == 1);
  CHECK(r.err.find("missing.json: cannot be read") != std::string::npos);

  files[1] = e.write("big.json", std::string(16 * 1024 * 1024 + 1, ' '));
  r = merge(files);
  CHECK(r.code == 1);
  CHECK(r.err.find("big.json: is larger than 16 MB") != std::string::npos);

  nlohmann::json shifted = nlohmann::json::parse(gw::testing::kExampleExportC);
  shifted["from"] = "2026-W49";
  shifted["to"] = "2026-W50";
  shifted["weeks"] = {"2026-W49", "2026-W50"};
  files[1] = e.write("later.json", shifted.dump());
  r = merge(files);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("later.json: covers 2026-W49 to 2026-W50") != std::string::npos);
}

TEST_CASE("stats merge refuses --min-cell below 5 and an unknown format as usage errors", "[cli][stats]") {
  Exports e;
  Run r = merge(e.example(), 4);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("--min-cell") != std::string::npos);
  CHECK(merge(e.example(), 11, "xml").code == 2);
  CHECK(merge({}, 11).code == 2);
}

TEST_CASE("gateway stats merge runs from the command line with json by default and k 11", "[cli][stats]") {
  Exports e;
  auto files = e.example();
  std::vector<std::string> argv = {GATEWAY_BINARY, "stats", "merge"};
  argv.insert(argv.end(), files.begin(), files.end());
  auto r = gw::testing::run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["min_cell"] == 11);
  CHECK(j["country"] == "all");
  argv.push_back("--min-cell");
  argv.push_back("3");
  r = gw::testing::run_process(argv);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(gw::testing::run_process({GATEWAY_BINARY, "stats", "merge"}).exit_code == 2);
  CHECK(gw::testing::run_process({GATEWAY_BINARY, "stats", "merge", files[0], "--format", "xml"}).exit_code ==
        2);
  r = gw::testing::run_process({GATEWAY_BINARY, "stats", "merge", files[0], "--format", "csv"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("metric,value,week,count\r\n", 0) == 0);
}

TEST_CASE("gateway stats export refuses a missing database or a bad option with one line and makes nothing",
          "[cli][stats]") {
  gw::testing::TempDir dir{"gw-stats-export"};
  const std::string db = (dir.path() / "data" / "gateway.db").string();
  const std::string config = (dir.path() / "gw.json").string();
  std::ofstream(config) << nlohmann::json{{"database", {{"driver", "sqlite"}, {"path", db}}}}.dump();
  const auto run = [&](gw::cli::StatsExportOptions o) {
    o.config_path = config;
    std::ostringstream out, err;
    const int code = gw::cli::run_stats_export(o, out, err);
    return Run{code, out.str(), err.str()};
  };
  Run missing = run({});
  CHECK(missing.code == 1);
  CHECK(missing.out.empty());
  CHECK(missing.err ==
        "gateway stats export: no database at " + db + " (start the gateway first, or give its --config)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "data"));  // no database, no keys made

  gw::cli::StatsExportOptions bad;
  bad.to = "2026-W49";
  bad.from = "2026-W50";
  Run reversed = run(bad);
  CHECK(reversed.code == 1);
  CHECK(reversed.out.empty());
  CHECK(reversed.err.find("2026-W50") != std::string::npos);
  CHECK(std::count(reversed.err.begin(), reversed.err.end(), '\n') == 1);
  bad = {};
  bad.country = "FR";
  CHECK(run(bad).err ==
        "gateway stats export: --country: must be \"all\" or one of GB, IT, HR, NL, other, unknown\n");
}
