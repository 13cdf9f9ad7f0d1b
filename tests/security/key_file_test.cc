#include "gateway/security/key_file.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gateway/core/digest.h"
#include "gateway/security/crypto.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using gw::ErrorCode;
using gw::testing::TempDir;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void write_file(const fs::path& p, const std::string& content, fs::perms perms) {
  std::ofstream(p) << content;
  fs::permissions(p, perms);
}

}  // namespace

TEST_CASE("a missing key file is created with mode 0600 and reused on the next call", "[security]") {
  TempDir dir;
  const fs::path path = dir.path() / "nested" / "data" / "keys.json";
  bool created = false;
  auto first = gw::load_or_create_key_file(path, &created);
  REQUIRE(first.ok());
  CHECK(created);
  CHECK(mode_of(path) == 0600);
  CHECK(gw::base64_decode(first->data_b64)->size() == 32);
  CHECK(gw::base64_decode(first->index_b64)->size() == 32);
  CHECK(first->data_b64 != first->index_b64);
  CHECK(gw::Crypto::from_keys({first->data_b64}, first->index_b64).ok());

  auto second = gw::load_or_create_key_file(path, &created);
  REQUIRE(second.ok());
  CHECK_FALSE(created);
  CHECK(second->data_b64 == first->data_b64);
  CHECK(second->index_b64 == first->index_b64);

  // No temporary file is left behind.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(path.parent_path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("a key file readable by group or others is refused", "[security]") {
  TempDir dir;
  const fs::path path = dir.path() / "keys.json";
  REQUIRE(gw::load_or_create_key_file(path, nullptr).ok());
  fs::permissions(path, fs::perms(0644));
  auto r = gw::load_or_create_key_file(path, nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kPermissionDenied);
  CHECK(r.error().message.find("0644") != std::string::npos);

  fs::permissions(path, fs::perms(0640));
  CHECK_FALSE(gw::load_or_create_key_file(path, nullptr).ok());
  fs::permissions(path, fs::perms(0400));
  CHECK(gw::load_or_create_key_file(path, nullptr).ok());
}

TEST_CASE("a malformed key file is refused, not overwritten", "[security]") {
  TempDir dir;
  const fs::path path = dir.path() / "keys.json";
  const std::string short_key = gw::base64_encode("short");
  const std::string good = gw::base64_encode(std::string(32, 'k'));
  const std::vector<std::string> bad_contents = {
      "not json",
      "[]",
      nlohmann::json{{"data", good}}.dump(),
      nlohmann::json{{"data", good}, {"index", 5}}.dump(),
      nlohmann::json{{"data", short_key}, {"index", good}}.dump(),
  };
  for (const auto& content : bad_contents) {
    write_file(path, content, fs::perms(0600));
    bool created = true;
    auto r = gw::load_or_create_key_file(path, &created);
    INFO(content);
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(created);
    CHECK(r.error().message.find(good) == std::string::npos);
    std::ifstream in(path);
    std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(now == content);
  }
}

TEST_CASE("a rotated key file keeps the old keys, is replaced whole with mode 0600, and refuses a bad key",
          "[security]") {
  TempDir dir("gw-keyfile-rotate");
  const fs::path path = dir.path() / "keys.json";
  auto first = gw::load_or_create_key_file(path, nullptr);
  REQUIRE(first.ok());
  CHECK(first->data_previous.empty());
  CHECK(first->index_previous.empty());

  gw::KeyMaterial rotated = *first;
  rotated.data_previous = {first->data_b64};
  rotated.data_b64 = gw::base64_encode(std::string(32, 'n'));
  rotated.index_previous = first->index_b64;
  rotated.index_b64 = gw::base64_encode(std::string(32, 'x'));
  REQUIRE(gw::replace_key_file(path, rotated).ok());
  CHECK(mode_of(path) == 0600);
  auto read = gw::read_key_file(path);
  REQUIRE(read.ok());
  CHECK(read->data_b64 == rotated.data_b64);
  CHECK(read->data_keys() == std::vector<std::string>{rotated.data_b64, first->data_b64});
  CHECK(read->index_b64 == rotated.index_b64);
  CHECK(read->index_previous == first->index_b64);
  // Nothing but the file itself is left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);

  gw::KeyMaterial bad = rotated;
  bad.data_previous.push_back("c2hvcnQ=");
  auto refused = gw::replace_key_file(path, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("c2hvcnQ=") == std::string::npos);
  CHECK(gw::read_key_file(path)->data_previous.size() == 1);

  write_file(path, R"({"data": ")" + rotated.data_b64 + R"(", "index": ")" + rotated.index_b64 +
                       R"(", "data_previous": "not a list"})",
             fs::perms::owner_read | fs::perms::owner_write);
  CHECK_FALSE(gw::read_key_file(path).ok());
}
