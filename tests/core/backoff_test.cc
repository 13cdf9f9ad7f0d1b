#include "gateway/core/backoff.h"

#include <catch2/catch.hpp>

#include "tests/support/fake_clock.h"

using gw::Millis;

TEST_CASE("full jitter delays grow exponentially up to the cap and span the whole range", "[core][backoff]") {
  gw::BackoffPolicy p{Millis(1000), Millis(60000), 8};
  CHECK(gw::full_jitter_delay(p, 0, 0.999).count() == 999);
  CHECK(gw::full_jitter_delay(p, 1, 0.5).count() == 1000);
  CHECK(gw::full_jitter_delay(p, 3, 0.5).count() == 4000);
  CHECK(gw::full_jitter_delay(p, 10, 0.5).count() == 30000);   // capped at 60 s
  CHECK(gw::full_jitter_delay(p, 200, 0.5).count() == 30000);  // no overflow
  CHECK(gw::full_jitter_delay(p, 2, 0.0).count() == 0);
}

TEST_CASE("the system random source stays between 0 and 1 and varies", "[core][backoff]") {
  auto r = gw::system_unit_random();
  double lo = 1, hi = 0;
  for (int i = 0; i < 200; ++i) {
    double x = r();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  CHECK(hi - lo > 0.5);
}

TEST_CASE("a rate limiter of 1/s lets one send through, then spaces the rest a second apart",
          "[core][ratelimit]") {
  gw::testing::FakeClock clock;
  gw::RateLimiter limiter(1.0, 1.0, clock);
  CHECK(limiter.reserve() == Millis(0));
  CHECK(limiter.reserve() == Millis(1000));
  CHECK(limiter.reserve() == Millis(2000));
  clock.advance(Millis(3000));  // the debt is paid; the bucket has refilled to its burst of 1
  CHECK(limiter.reserve() == Millis(0));
  CHECK(limiter.reserve() == Millis(1000));
}

TEST_CASE("a short code at 100/s sends a burst then 10 ms apart", "[core][ratelimit]") {
  gw::testing::FakeClock clock;
  gw::RateLimiter limiter(100.0, 100.0, clock);
  for (int i = 0; i < 100; ++i) REQUIRE(limiter.reserve() == Millis(0));
  CHECK(limiter.reserve() == Millis(10));
  clock.advance(Millis(500));
  for (int i = 0; i < 49; ++i) REQUIRE(limiter.reserve() == Millis(0));
}
