// Where the content is found when no configuration names it: an installed
// gateway's share folder, a build's source tree, else the working directory.
#include "gateway/config/default_content_dir.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "gateway/config/config.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

gw::ContentDirLayout layout_in(const fs::path& root) {
  return {"../share/helpline-gateway", root / "build", root / "src"};
}

void make_dirs(const fs::path& root) {
  fs::create_directories(root / "build" / "bench");
  fs::create_directories(root / "src" / "flows");
  fs::create_directories(root / "prefix" / "bin");
  fs::create_directories(root / "prefix" / "share" / "helpline-gateway");
  fs::create_directories(root / "elsewhere" / "bin");
}

}  // namespace

TEST_CASE("a binary in its install prefix reads the content installed beside it", "[config]") {
  gw::testing::TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  make_dirs(root);
  CHECK(gw::resolve_content_dir(root / "prefix" / "bin" / "gateway", layout_in(root)) ==
        (root / "prefix" / "share" / "helpline-gateway").string());
}

TEST_CASE("a binary in its build tree reads the source tree, from any folder of the build", "[config]") {
  gw::testing::TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  make_dirs(root);
  CHECK(gw::resolve_content_dir(root / "build" / "gateway", layout_in(root)) == (root / "src").string());
  CHECK(gw::resolve_content_dir(root / "build" / "bench" / "gateway_bench", layout_in(root)) ==
        (root / "src").string());
  // Reached through a symbolic link, the build tree is still the build tree.
  fs::create_directory_symlink(root / "build", root / "link");
  CHECK(gw::resolve_content_dir(root / "link" / "gateway", layout_in(root)) == (root / "src").string());
}

TEST_CASE("a binary neither installed nor in its build tree reads the working directory", "[config]") {
  gw::testing::TempDir dir;
  const fs::path root = fs::canonical(dir.path());
  make_dirs(root);
  CHECK(gw::resolve_content_dir(root / "elsewhere" / "bin" / "gateway", layout_in(root)) == ".");
  // A folder whose name only starts like the build tree's is not inside it.
  fs::create_directories(root / "build2");
  CHECK(gw::resolve_content_dir(root / "build2" / "gateway", layout_in(root)) == ".");
  // A copied build (its source tree gone) falls back too.
  gw::ContentDirLayout gone = layout_in(root);
  gone.source_dir = root / "absent";
  CHECK(gw::resolve_content_dir(root / "build" / "gateway", gone) == ".");
}

TEST_CASE("the test binary, run from the build tree, defaults to the source tree's content", "[config]") {
  // The same rule as build/gateway: the embedded default and a file without
  // content_dir both start from it; an explicit content_dir is kept as written.
  const std::string expected = fs::canonical(GATEWAY_SOURCE_DIR).string();
  CHECK(gw::default_content_dir() == expected);
  CHECK(gw::default_config().content_dir == expected);
  auto cfg = gw::parse_config(nlohmann::json{{"listen", "127.0.0.1:0"}}, gw::process_env());
  REQUIRE(cfg);
  CHECK(cfg->content_dir == expected);
  auto explicit_dir = gw::parse_config(nlohmann::json{{"content_dir", "content"}}, gw::process_env());
  REQUIRE(explicit_dir);
  CHECK(explicit_dir->content_dir == "content");
}
