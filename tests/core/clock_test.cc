#include "gateway/core/clock.h"

#include <catch2/catch.hpp>

#include "tests/support/fake_clock.h"

TEST_CASE("FakeClock moves only when advanced or slept on", "[core][clock]") {
  gw::testing::FakeClock clock(gw::from_unix_ms(1000));
  CHECK(gw::to_unix_ms(clock.now()) == 1000);
  clock.advance(gw::Millis(250));
  CHECK(gw::to_unix_ms(clock.now()) == 1250);
  clock.sleep_for(gw::Millis(750));
  CHECK(gw::to_unix_ms(clock.now()) == 2000);
  REQUIRE(clock.sleeps().size() == 1);
  CHECK(clock.sleeps()[0] == gw::Millis(750));
}

TEST_CASE("timestamps format as RFC 3339 UTC with milliseconds", "[core][clock]") {
  CHECK(gw::format_rfc3339(gw::from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(gw::format_rfc3339(gw::from_unix_ms(1'780'000'000'123)) == "2026-05-28T20:26:40.123Z");
}

TEST_CASE("SystemClock reads a plausible wall-clock time", "[core][clock]") {
  gw::SystemClock clock;
  // After 2024-01-01 and before 2100: catches an epoch or unit mistake.
  const auto ms = gw::to_unix_ms(clock.now());
  CHECK(ms > 1'704'067'200'000);
  CHECK(ms < 4'102'444'800'000);
}
