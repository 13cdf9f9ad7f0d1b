#include "gateway/security/password_hasher.h"

#include <catch2/catch.hpp>

using gw::PasswordHasher;
using gw::PasswordHashOptions;

TEST_CASE("a password hash is an encoded argon2id string that verifies only the same password",
          "[security][password]") {
  PasswordHasher hasher(PasswordHashOptions::for_tests());
  auto h = hasher.hash("correct horse battery");
  REQUIRE(h.ok());
  CHECK(h->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0) == 0);
  CHECK(hasher.verify("correct horse battery", *h));
  CHECK_FALSE(hasher.verify("correct horse batterY", *h));
  CHECK_FALSE(hasher.verify("", *h));
  // Each hash has its own salt.
  auto again = hasher.hash("correct horse battery");
  REQUIRE(again.ok());
  CHECK(*again != *h);
  CHECK(hasher.verify("correct horse battery", *again));
}

TEST_CASE("the production parameters are OWASP's Argon2id minimum, t=2 over 19 MiB", "[security][password]") {
  PasswordHashOptions defaults;
  CHECK(defaults.time_cost == 2);
  CHECK(defaults.memory_kib == 19456);
  CHECK(defaults.parallelism == 1);
}

TEST_CASE("a hash verifies with the parameters it was written with, not the hasher's",
          "[security][password]") {
  PasswordHashOptions other = PasswordHashOptions::for_tests();
  other.memory_kib = 16;
  other.time_cost = 2;
  auto h = PasswordHasher(other).hash("a long enough password");
  REQUIRE(h.ok());
  CHECK(h->find("$m=16,t=2,p=1$") != std::string::npos);
  CHECK(PasswordHasher(PasswordHashOptions::for_tests()).verify("a long enough password", *h));
}

TEST_CASE("verify refuses malformed and non-argon2id hashes", "[security][password]") {
  PasswordHasher hasher(PasswordHashOptions::for_tests());
  CHECK_FALSE(hasher.verify("whatever password", ""));
  CHECK_FALSE(hasher.verify("whatever password", "$argon2id$garbage"));
  auto h = hasher.hash("whatever password");
  REQUIRE(h.ok());
  std::string as_argon2i = *h;
  as_argon2i.replace(0, 9, "$argon2i");
  CHECK_FALSE(hasher.verify("whatever password", as_argon2i));
}

TEST_CASE("the password policy asks for 12 characters, counted as characters not bytes",
          "[security][password]") {
  auto short_one = gw::check_password_policy("elevenchars");
  REQUIRE_FALSE(short_one.ok());
  CHECK(short_one.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(short_one.error().message.find("at least 12 characters") != std::string::npos);
  CHECK(short_one.error().message.find("elevenchars") == std::string::npos);
  CHECK(gw::check_password_policy("twelve chars").ok());
  // 11 Cyrillic letters are 22 bytes but still too short; 12 are enough.
  CHECK_FALSE(gw::check_password_policy("абвгдежзийк").ok());
  CHECK(gw::check_password_policy("абвгдежзийкл").ok());
  CHECK_FALSE(gw::check_password_policy(std::string(1025, 'x')).ok());
  CHECK_FALSE(gw::check_password_policy("\xff\xfe invalid utf8 text").ok());
  // Anything but well-formed UTF-8 is refused, wherever it is: a truncated sequence,
  // a stray trail byte, an overlong form, a surrogate, a code point past U+10FFFF.
  for (const char* bad : {"long enough text \xD0", "long enough \x80 text", "long enough \xC0\xAF text",
                          "long enough \xED\xA0\x80 text", "long enough \xF4\x90\x80\x80 text"}) {
    auto r = gw::check_password_policy(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "the password is not valid UTF-8 text");
  }
  // Characters beyond the Basic Multilingual Plane count once each.
  std::string emoji;
  for (int i = 0; i < 11; ++i) emoji += "\xF0\x9F\x98\x80";
  CHECK_FALSE(gw::check_password_policy(emoji).ok());
  CHECK(gw::check_password_policy(emoji + "\xF0\x9F\x98\x80").ok());
  PasswordHasher hasher(PasswordHashOptions::for_tests());
  auto refused = hasher.hash("short");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == gw::ErrorCode::kInvalidArgument);
}

TEST_CASE("the dummy hash is a real argon2id hash that no guess matches", "[security][password]") {
  PasswordHasher hasher(PasswordHashOptions::for_tests());
  const std::string& dummy = hasher.dummy_hash();
  CHECK(dummy.rfind("$argon2id$", 0) == 0);
  CHECK(&hasher.dummy_hash() == &dummy);
  CHECK_FALSE(hasher.verify("password1234", dummy));
}
