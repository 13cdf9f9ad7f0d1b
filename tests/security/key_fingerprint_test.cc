#include "gateway/security/key_fingerprint.h"

#include <catch2/catch.hpp>
#include <string>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"

namespace {

std::string new_key() {
  return gw::base64_encode(gw::random_bytes(32));
}

gw::KeyFingerprints of(const std::vector<std::string>& data, const std::string& index) {
  auto f = gw::key_fingerprints(data, index);
  REQUIRE(f.ok());
  return *f;
}

}  // namespace

TEST_CASE("key fingerprints identify each key, are stable, and reveal neither key", "[security]") {
  const std::string a = new_key(), b = new_key(), index = new_key();
  const gw::KeyFingerprints one = of({a, b}, index);
  REQUIRE(one.data.size() == 2);
  CHECK(one.data == of({a, b}, index).data);
  CHECK(one.index == of({a, b}, index).index);
  CHECK(one.data[0].size() == 64);
  CHECK(of({b, a}, index).data[0] == one.data[1]);
  CHECK(one.data[0] != one.data[1]);
  CHECK(one.data[0] != one.index);
  // Not the key, nor its SHA-256 (Crypto's key id is a prefix of that).
  for (const std::string& key : {a, b, index}) {
    const std::string raw = *gw::base64_decode(key);
    for (const std::string& f : {one.data[0], one.data[1], one.index}) {
      CHECK(f.find(gw::to_hex(raw)) == std::string::npos);
      CHECK(f != gw::to_hex(gw::sha256(raw)));
    }
  }
}

TEST_CASE("loaded keys cover recorded ones only when each data key and the index key are loaded",
          "[security]") {
  const std::string a = new_key(), b = new_key(), index = new_key();
  CHECK(gw::keys_cover(of({b, a}, index), of({a}, index)));
  CHECK(gw::keys_cover(of({a, b}, index), of({a, b}, index)));
  CHECK_FALSE(gw::keys_cover(of({a}, index), of({a, b}, index)));
  CHECK_FALSE(gw::keys_cover(of({a}, new_key()), of({a}, index)));
  CHECK_FALSE(gw::keys_cover(of({new_key()}, index), of({a}, index)));
}

TEST_CASE("a key that is not base64 of 32 bytes is named, not shown", "[security]") {
  auto f = gw::key_fingerprints({new_key(), "c2hvcnQ="}, new_key());
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message == "data key #2 is not base64 of 32 bytes");
}

TEST_CASE("after an index key rotation, loaded keys still cover what the previous index key recorded",
          "[security]") {
  const std::string a = new_key(), old_index = new_key(), new_index = new_key();
  auto loaded = gw::key_fingerprints({a}, new_index, old_index);
  REQUIRE(loaded.ok());
  CHECK(gw::keys_cover(*loaded, of({a}, old_index)));
  CHECK(gw::keys_cover(*loaded, of({a}, new_index)));
  CHECK_FALSE(gw::keys_cover(*loaded, of({a}, new_key())));
  CHECK_FALSE(gw::keys_cover(of({a}, new_index), of({a}, old_index)));
}
