// `gateway content export` and `gateway content import` through the built binary.
#include "gateway/cli/content_command.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "gateway/content/content_files.h"
#include "tests/support/serve_gateway.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

using gw::testing::run_process;

namespace {

const std::string kGateway = GATEWAY_BINARY;

struct GatewayDir {
  gw::testing::TempDir dir{"gw-content-cli"};
  std::string config = gw::testing::write_serve_config(dir.path().string());
};

}  // namespace

TEST_CASE("content export of the shipped content reproduces the repository's files exactly",
          "[cli][content]") {
  GatewayDir g;
  const std::string out = (g.dir.path() / "export").string();
  auto r = run_process({kGateway, "content", "export", out, "--config", g.config});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("version 1") != std::string::npos);
  auto exported = gw::read_content_files(out);
  auto shipped = gw::read_content_files(GATEWAY_SOURCE_DIR);
  REQUIRE(exported.ok());
  REQUIRE(shipped.ok());
  CHECK(exported->size() == shipped->size());
  for (const auto& [path, bytes] : *shipped) {
    INFO(path);
    REQUIRE(exported->count(path) == 1);
    CHECK(exported->at(path) == bytes);
  }
  // A file the version does not have is removed from an export folder; others are left alone.
  std::ofstream(std::filesystem::path(out) / "flows" / "stale.json") << "{}";
  std::ofstream(std::filesystem::path(out) / "notes.txt") << "mine";
  r = run_process({kGateway, "content", "export", out, "--config", g.config});
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(out) / "flows" / "stale.json"));
  CHECK(std::filesystem::exists(std::filesystem::path(out) / "notes.txt"));
}

TEST_CASE("content import puts only what differs into the draft, and export then import changes nothing",
          "[cli][content]") {
  GatewayDir g;
  const std::string out = (g.dir.path() / "export").string();
  REQUIRE(run_process({kGateway, "content", "export", out, "--config", g.config}).exit_code == 0);
  auto same = run_process({kGateway, "content", "import", out, "--config", g.config});
  INFO(same.err);
  REQUIRE(same.exit_code == 0);
  CHECK(same.out.find("content import: 0 entries") != std::string::npos);

  const auto po = std::filesystem::path(out) / "translations" / "uk.po";
  std::string text;
  {
    std::ifstream in(po, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string from = "Що вам потрібно? Надішліть номер.";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "Що вам потрібно? Напишіть номер.");
  std::ofstream(po, std::ios::binary | std::ios::trunc) << text;
  auto one = run_process({kGateway, "content", "import", out, "--config", g.config});
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find("content import: 1 entry") != std::string::npos);

  auto missing =
      run_process({kGateway, "content", "import", (g.dir.path() / "nowhere").string(), "--config", g.config});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("gateway content import: ") == 0);
  CHECK(missing.err.find('\n') == missing.err.size() - 1);
}
