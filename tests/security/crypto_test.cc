#include "gateway/security/crypto.h"

#include <catch2/catch.hpp>
#include <string>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"

using gw::Crypto;
using gw::ErrorCode;

namespace {

std::string new_key() {
  return gw::base64_encode(gw::random_bytes(32));
}

Crypto make_crypto(const std::vector<std::string>& data, const std::string& index) {
  auto c = Crypto::from_keys(data, index);
  REQUIRE(c.ok());
  return *c;
}

}  // namespace

TEST_CASE("an encrypted value decrypts to the plaintext and does not contain it", "[security]") {
  const Crypto c = make_crypto({new_key()}, new_key());
  const std::string text = "I am at the farm near +447700900123";
  auto blob = c.encrypt(text, "messages.body");
  REQUIRE(blob.ok());
  CHECK(blob->size() == text.size() + Crypto::kOverhead);
  CHECK(blob->find("447700900123") == std::string::npos);
  CHECK(static_cast<uint8_t>((*blob)[0]) == Crypto::kVersion);
  auto back = c.decrypt(*blob, "messages.body");
  REQUIRE(back.ok());
  CHECK(*back == text);

  // Fresh nonce each time: equal plaintexts give different values.
  auto again = c.encrypt(text, "messages.body");
  REQUIRE(again.ok());
  CHECK(*again != *blob);

  auto empty = c.encrypt("", "sessions.state");
  REQUIRE(empty.ok());
  CHECK(c.decrypt(*empty, "sessions.state").value_or("x").empty());
}

TEST_CASE("a value with any byte flipped fails to decrypt", "[security]") {
  const Crypto c = make_crypto({new_key()}, new_key());
  auto blob = c.encrypt("help me", "messages.body");
  REQUIRE(blob.ok());
  for (size_t i = 0; i < blob->size(); ++i) {
    std::string bad = *blob;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = c.decrypt(bad, "messages.body");
    INFO("flipped byte " << i);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("a value moved to another column fails to decrypt", "[security]") {
  const Crypto c = make_crypto({new_key()}, new_key());
  auto blob = c.encrypt("+447700900123", "contacts.address");
  REQUIRE(blob.ok());
  auto r = c.decrypt(*blob, "messages.body");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kPermissionDenied);
}

TEST_CASE("truncated values and values under an unknown key fail cleanly", "[security]") {
  const Crypto c = make_crypto({new_key()}, new_key());
  const Crypto other = make_crypto({new_key()}, new_key());
  auto blob = c.encrypt("hello", "a.b");
  REQUIRE(blob.ok());
  for (size_t n = 0; n < Crypto::kOverhead; ++n) {
    auto r = c.decrypt(blob->substr(0, n), "a.b");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK_FALSE(c.decrypt(blob->substr(0, blob->size() - 1), "a.b").ok());
  auto unknown = other.decrypt(*blob, "a.b");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::kNotFound);
}

TEST_CASE("after rotation old values stay readable and new values use the new key", "[security]") {
  const std::string old_key = new_key();
  const std::string new_key_b64 = new_key();
  const std::string index = new_key();
  const Crypto before = make_crypto({old_key}, index);
  auto old_blob = before.encrypt("old answer", "sessions.state");
  REQUIRE(old_blob.ok());

  const Crypto after = make_crypto({new_key_b64, old_key}, index);
  CHECK(after.decrypt(*old_blob, "sessions.state").value_or("") == "old answer");
  auto new_blob = after.encrypt("new answer", "sessions.state");
  REQUIRE(new_blob.ok());
  CHECK(new_blob->substr(1, 4) != old_blob->substr(1, 4));  // a different key id
  CHECK(after.active_key_id() != before.active_key_id());
  // The old deployment cannot read what the new key wrote.
  CHECK_FALSE(before.decrypt(*new_blob, "sessions.state").ok());
  // And once the old key is dropped, old values are unreadable.
  const Crypto dropped = make_crypto({new_key_b64}, index);
  CHECK_FALSE(dropped.decrypt(*old_blob, "sessions.state").ok());
}

TEST_CASE("index hashes are deterministic HMACs that depend on the index key only", "[security]") {
  const std::string index = new_key();
  const Crypto a = make_crypto({new_key()}, index);
  const Crypto b = make_crypto({new_key()}, index);
  const Crypto c = make_crypto({new_key()}, new_key());
  const std::string h = a.index_hash("+447700900123");
  CHECK(h.size() == 32);
  CHECK(h == b.index_hash("+447700900123"));
  CHECK(h != a.index_hash("+447700900124"));
  CHECK(h != c.index_hash("+447700900123"));
}

TEST_CASE("index_hash is HMAC-SHA256 with the index key", "[security]") {
  // RFC 4231's "Hi There" with a 32-byte key of 0x0b, computed independently:
  //   printf 'Hi There' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0b0b...0b
  const Crypto c = make_crypto({new_key()}, gw::base64_encode(std::string(32, '\x0b')));
  CHECK(gw::to_hex(c.index_hash("Hi There")) ==
        "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7");
}

TEST_CASE("keys that are not base64 of 32 bytes are refused without being echoed", "[security]") {
  const std::string good = new_key();
  const std::string short_key = gw::base64_encode("sixteen byte key");
  auto r = Crypto::from_keys({good, short_key}, new_key());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("data key #2") != std::string::npos);
  CHECK(r.error().message.find(short_key) == std::string::npos);

  auto bad_index = Crypto::from_keys({good}, "not base64!");
  REQUIRE_FALSE(bad_index.ok());
  CHECK(bad_index.error().message.find("index key") != std::string::npos);

  CHECK_FALSE(Crypto::from_keys({}, new_key()).ok());
  CHECK_FALSE(Crypto::from_keys({good, good}, new_key()).ok());
  CHECK_FALSE(Crypto::from_keys({good}, good).ok());
}

TEST_CASE("copies of a Crypto share their keys: adopt gives every copy the new ones at once", "[security]") {
  const std::string old_key = new_key();
  const std::string rotated = new_key();
  const std::string index = new_key();
  Crypto serving = make_crypto({old_key}, index);
  const Crypto store_copy = serving;  // as a store keeps one
  auto old_blob = store_copy.encrypt("before", "messages.body");
  REQUIRE(old_blob.ok());

  serving.adopt(make_crypto({rotated, old_key}, index));
  CHECK(store_copy.active_key_id() == serving.active_key_id());
  CHECK(store_copy.data_key_ids().size() == 2);
  auto new_blob = store_copy.encrypt("after", "messages.body");
  REQUIRE(new_blob.ok());
  CHECK(Crypto::key_id_of(*new_blob) == make_crypto({rotated}, index).active_key_id());
  CHECK(new_blob->substr(1, 4) == store_copy.active_key_raw_id());
  CHECK(store_copy.decrypt(*old_blob, "messages.body").value_or("") == "before");
  CHECK(Crypto::key_id_of(*old_blob) == store_copy.data_key_ids()[1]);
  CHECK(Crypto::key_id_of("ab").empty());
}

TEST_CASE("while an index key is rotated, a value has two hashes: the new key's first", "[security]") {
  const std::string data = new_key();
  const std::string old_index = new_key();
  const std::string new_index = new_key();
  const Crypto before = make_crypto({data}, old_index);
  auto during = Crypto::from_keys({data}, new_index, old_index);
  REQUIRE(during.ok());
  const Crypto after = make_crypto({data}, new_index);
  const auto hashes = during->index_hashes("+447700900123");
  REQUIRE(hashes.size() == 2);
  CHECK(hashes[0] == after.index_hash("+447700900123"));
  CHECK(hashes[1] == before.index_hash("+447700900123"));
  CHECK(after.index_hashes("+447700900123").size() == 1);
  CHECK(during->index_key_id() == after.index_key_id());
  CHECK(during->index_previous_id() == before.index_key_id());
  CHECK(after.index_previous_id().empty());
  // The previous index key may equal neither the index key nor a data key.
  CHECK_FALSE(Crypto::from_keys({data}, new_index, new_index).ok());
  CHECK_FALSE(Crypto::from_keys({data}, new_index, data).ok());
}
