// Content files in memory: reading a content directory with its bounds and path
// rules, writing it back, the temporary copy and the digest.
#include "gateway/content/content_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using gw::ContentFiles;

namespace {

const std::string kRoot = GATEWAY_SOURCE_DIR;

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("the shipped content is read with every file of the three folders and no other",
          "[content][content_files]") {
  auto files = gw::read_content_files(kRoot);
  REQUIRE(files.ok());
  CHECK(files->count("flows/main.json") == 1);
  CHECK(files->count("flows/schema.json") == 1);
  CHECK(files->count("flows/README.md") == 1);
  CHECK(files->count("templates/menu.json") == 1);
  CHECK(files->count("translations/uk.po") == 1);
  CHECK(files->count("translations/messages.pot") == 1);
  for (const auto& [path, bytes] : *files) {
    INFO(path);
    CHECK((path.rfind("flows/", 0) == 0 || path.rfind("templates/", 0) == 0 ||
           path.rfind("translations/", 0) == 0));
  }
  std::ifstream in(kRoot + "/translations/uk.po", std::ios::binary);
  const std::string uk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(files->at("translations/uk.po") == uk);
}

TEST_CASE("content written to a directory reads back the same, hidden files skipped and subfolders kept",
          "[content][content_files]") {
  gw::testing::TempDir dir;
  const ContentFiles files = {{"flows/a.json", "{}\n"},
                              {"templates/sub/deep/b.json", "{\"x\": 1}\n"},
                              {"translations/uk.po", std::string("bytes\0with nul\n", 15)}};
  REQUIRE(gw::write_content_files(files, dir.path().string()).ok());
  write_file(dir.path() / "flows/.hidden.json", "{}");
  write_file(dir.path() / "templates/.git/x", "y");
  write_file(dir.path() / "other/ignored.json", "{}");
  auto back = gw::read_content_files(dir.path().string());
  REQUIRE(back.ok());
  CHECK(*back == files);
  // No temporary file is left beside the written ones.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "flows"))
    entries += e.path().filename() != ".hidden.json";
  CHECK(entries == 1);
}

TEST_CASE("writing refuses a path that is not plain and writes nothing", "[content][content_files]") {
  gw::testing::TempDir outer;
  const fs::path dir = outer.path() / "content";
  for (const std::string bad : {"../x", "/etc/x", "flows/../../x", "flows//a", "flows/./a", "", "a\\b"}) {
    INFO(bad);
    const ContentFiles files = {{"flows/good.json", "{}"}, {bad, "x"}};
    auto s = gw::write_content_files(files, dir.string());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == gw::ErrorCode::kInvalidArgument);
    CHECK_FALSE(fs::exists(dir / "flows/good.json"));
  }
  CHECK_FALSE(fs::exists(outer.path() / "x"));
}

TEST_CASE("writing refuses a folder that a symbolic link takes outside the directory",
          "[content][content_files]") {
  gw::testing::TempDir dir, outside;
  fs::create_symlink(outside.path(), dir.path() / "flows");
  auto s = gw::write_content_files({{"flows/a.json", "{}"}}, dir.path().string());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("flows/a.json") != std::string::npos);
  CHECK_FALSE(fs::exists(outside.path() / "a.json"));
}

TEST_CASE("reading refuses a symbolic link that leaves the directory and follows one that stays",
          "[content][content_files]") {
  gw::testing::TempDir dir, outside;
  write_file(outside.path() / "secret", "secret");
  write_file(dir.path() / "templates/a.json", "{}");
  fs::create_directories(dir.path() / "flows");
  fs::create_symlink(dir.path() / "templates/a.json", dir.path() / "flows/inside.json");
  auto ok = gw::read_content_files(dir.path().string());
  REQUIRE(ok.ok());
  CHECK(ok->at("flows/inside.json") == "{}");

  fs::create_symlink(outside.path() / "secret", dir.path() / "flows/escape.json");
  auto r = gw::read_content_files(dir.path().string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("flows/escape.json") != std::string::npos);
}

TEST_CASE("reading refuses a file over the size bound, naming it", "[content][content_files]") {
  gw::testing::TempDir dir;
  write_file(dir.path() / "templates/big.json", std::string(gw::kMaxContentFileBytes + 1, ' '));
  auto r = gw::read_content_files(dir.path().string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("templates/big.json") != std::string::npos);
}

TEST_CASE("materialized content is a private directory holding the files, removed at the end",
          "[content][content_files]") {
  std::string where;
  {
    auto m = gw::MaterializedContent::create({{"templates/a.json", "{\"k\": {}}\n"}});
    REQUIRE(m.ok());
    gw::MaterializedContent owner = std::move(*m);
    CHECK(m->dir().empty());
    where = owner.dir();
    REQUIRE(fs::is_directory(where));
    CHECK((fs::status(where).permissions() & fs::perms::others_all) == fs::perms::none);
    auto back = gw::read_content_files(where);
    REQUIRE(back.ok());
    CHECK(back->at("templates/a.json") == "{\"k\": {}}\n");
  }
  CHECK_FALSE(fs::exists(where));
}

TEST_CASE("the content digest is SHA-256 and changes with any path or byte", "[content][content_files]") {
  CHECK(gw::content_digest({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const ContentFiles a = {{"flows/a.json", "ab"}, {"flows/b.json", "c"}};
  const ContentFiles b = {{"flows/a.json", "a"}, {"flows/b.json", "bc"}};
  const ContentFiles c = {{"flows/a.json", "ab"}, {"flows/c.json", "c"}};
  CHECK(gw::content_digest(a).size() == 64);
  CHECK(gw::content_digest(a) == gw::content_digest(ContentFiles(a)));
  CHECK(gw::content_digest(a) != gw::content_digest(b));
  CHECK(gw::content_digest(a) != gw::content_digest(c));
}

TEST_CASE("a content folder that is itself a symbolic link is read where it leads", "[content][content_files]") {
  gw::testing::TempDir dir, elsewhere;
  write_file(elsewhere.path() / "menu.json", "{}");
  fs::create_symlink(elsewhere.path(), dir.path() / "flows");
  auto r = gw::read_content_files(dir.path().string());
  REQUIRE(r.ok());
  CHECK(r->at("flows/menu.json") == "{}");
}
