#include "gateway/core/digest.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/ids.h"

TEST_CASE("an HMAC takes its own key every time, whatever the thread computed before", "[core][digest]") {
  // The contexts are kept per thread: interleaving keys and digests must not
  // let one call's key leak into the next.
  const std::string jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  const std::string other = gw::to_hex(gw::hmac_sha256("another key", "what do ya want for nothing?"));
  CHECK(other != jefe);
  for (int i = 0; i < 3; ++i) {
    CHECK(gw::to_hex(gw::hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
    CHECK(gw::to_hex(gw::hmac_sha1("Jefe", "what do ya want for nothing?")) ==
          "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(gw::to_hex(gw::hmac_sha256("another key", "what do ya want for nothing?")) == other);
    // An empty key is a key of zero bytes, not "the previous one" (RFC 2104 HMAC of "" with "").
    CHECK(gw::to_hex(gw::hmac_sha256("", "")) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  }
  std::string from_thread;
  std::thread t([&] { from_thread = gw::to_hex(gw::hmac_sha256("Jefe", "what do ya want for nothing?")); });
  t.join();
  CHECK(from_thread == jefe);
}

TEST_CASE("digests match published test vectors", "[core][digest]") {
  CHECK(gw::to_hex(gw::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2 and RFC 2202 test case 2.
  CHECK(gw::to_hex(gw::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(gw::to_hex(gw::hmac_sha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("base64 round-trips every padding length and rejects malformed text", "[core][digest]") {
  CHECK(gw::base64_encode("") == "");
  CHECK(gw::base64_encode("f") == "Zg==");
  CHECK(gw::base64_encode("fo") == "Zm8=");
  CHECK(gw::base64_encode("foo") == "Zm9v");
  for (const std::string& s :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", std::string("\0\xff\x10", 3)}) {
    auto back = gw::base64_decode(gw::base64_encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  CHECK_FALSE(gw::base64_decode("Zm9"));
  CHECK_FALSE(gw::base64_decode("Zm9v!A=="));
  CHECK_FALSE(gw::base64_decode("Zg==Zm9v"));
  CHECK_FALSE(gw::base64_decode("Z==="));
}

TEST_CASE("constant_time_equal compares contents and lengths", "[core][digest]") {
  CHECK(gw::constant_time_equal("secret", "secret"));
  CHECK_FALSE(gw::constant_time_equal("secret", "secreT"));
  CHECK_FALSE(gw::constant_time_equal("secret", "secret1"));
}
