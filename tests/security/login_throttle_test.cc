#include "gateway/security/login_throttle.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "tests/support/fake_clock.h"
#include "tests/support/login_attempts.h"

using gw::LoginThrottle;
using gw::Millis;
using gw::testing::fail_times;
using gw::testing::FakeClock;
using gw::testing::succeeds;
using namespace std::chrono_literals;

TEST_CASE("of 20 attempts at one account in flight at once only the five free ones are admitted",
          "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  std::vector<LoginThrottle::Attempt> admitted;
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    auto a = throttle.begin("amina", "10.0.0." + std::to_string(i));
    if (a) {
      admitted.push_back(std::move(a));
    } else {
      ++refused;
      CHECK(a.refused_by() == std::string("account"));
      CHECK(a.retry_after() >= Millis(1000));
    }
  }
  CHECK(admitted.size() == 5);
  CHECK(refused == 15);
  for (auto& a : admitted) a.failed();
  // The five failed: now one attempt a second, then two, ...
  auto next = throttle.begin("amina", "10.0.0.99");
  CHECK_FALSE(next);
  CHECK(next.retry_after() == Millis(1000));
}

TEST_CASE("an account's delays double from one second up to the cap, and the right password works after one",
          "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  CHECK(fail_times(throttle, "Amina", "", 5) == 5);
  std::vector<long> delays;
  for (int i = 0; i < 12; ++i) {
    auto refused = throttle.begin("amina", "");
    REQUIRE_FALSE(refused);
    delays.push_back(static_cast<long>(refused.retry_after().count() / 1000));
    clock.advance(refused.retry_after());
    auto a = throttle.begin("AMINA", "");
    REQUIRE(a);
    a.failed();
  }
  CHECK(delays == std::vector<long>{1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300});
  // Never an hour: the owner gets in once the delay is over.
  Millis wait = throttle.begin("amina", "").retry_after();
  CHECK(wait <= Millis(300'000));
  clock.advance(wait);
  CHECK(succeeds(throttle, "amina", ""));
  // A success starts afresh: five free attempts again.
  CHECK(fail_times(throttle, "amina", "", 5) == 5);
}

TEST_CASE("an account left alone for 15 minutes starts afresh", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  fail_times(throttle, "amina", "", 7);
  clock.advance(15min);
  CHECK(fail_times(throttle, "amina", "", 5) == 5);
}

TEST_CASE("one address cannot guess fast, but another user's login from it waits seconds, not an hour",
          "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  // Ten failures against ten accounts use the address's budget for the minute.
  for (int i = 0; i < 10; ++i)
    CHECK(fail_times(throttle, "user" + std::to_string(i), "198.51.100.7", 1) == 1);
  auto refused = throttle.begin("someone-else", "198.51.100.7");
  CHECK_FALSE(refused);
  CHECK(refused.refused_by() == std::string("address"));
  CHECK(refused.retry_after() <= Millis(6000));
  CHECK(throttle.begin("someone-else", "198.51.100.8"));  // other addresses are not concerned
  // Within the minute the address gets at most one more guess every six seconds.
  int guesses = 0;
  for (int s = 0; s < 60; ++s) {
    guesses += fail_times(throttle, "user" + std::to_string(s), "198.51.100.7", 1);
    clock.advance(1s);
  }
  CHECK(guesses <= 10);
  // A colleague behind the same proxy logs in after a few seconds' wait.
  Millis wait = throttle.begin("omar", "198.51.100.7").retry_after();
  CHECK(wait <= Millis(6000));
  clock.advance(wait);
  CHECK(succeeds(throttle, "omar", "198.51.100.7"));
}

TEST_CASE("failed logins spread over many addresses trip the global guard", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  REQUIRE(succeeds(throttle, "amina", "192.0.2.1"));  // amina logs in from her office as usual
  // 148 addresses, four guesses each, in ten seconds.
  int admitted = 0, refused_globally = 0;
  Millis longest{0};
  for (int round = 0; round < 4; ++round) {
    for (int ip = 0; ip < 148; ++ip) {
      auto a =
          throttle.begin("target" + std::to_string(round * 1000 + ip), "203.0.113." + std::to_string(ip));
      if (a) {
        ++admitted;
        a.failed();
      } else if (a.refused_by() == std::string("global")) {
        ++refused_globally;
        longest = std::max(longest, a.retry_after());
      }
    }
    clock.advance(2500ms);
  }
  CHECK(admitted <= 100);
  CHECK(refused_globally > 400);
  CHECK(longest <= Millis(60'000));
  // A fresh address is refused too, while the minute is full ...
  auto stranger = throttle.begin("nobody", "198.51.100.1");
  CHECK_FALSE(stranger);
  CHECK(stranger.refused_by() == std::string("global"));
  // ... but not a username from an address it logged in from before.
  CHECK(succeeds(throttle, "amina", "192.0.2.1"));
  // Once the minute has passed, logins go ahead again.
  clock.advance(60s);
  CHECK(succeeds(throttle, "nobody", "198.51.100.1"));
}

TEST_CASE("an attempt abandoned without an outcome gives its reservation back", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  for (int i = 0; i < 50; ++i) {
    auto a = throttle.begin("amina", "10.0.0.1");
    REQUIRE(a);  // e.g. the store did not answer: not a failure
  }
  CHECK(fail_times(throttle, "amina", "10.0.0.1", 5) == 5);
}

TEST_CASE("Retry-After seconds round up and are at least one", "[security][throttle]") {
  CHECK(gw::retry_after_seconds(Millis(1)) == 1);
  CHECK(gw::retry_after_seconds(Millis(1000)) == 1);
  CHECK(gw::retry_after_seconds(Millis(1001)) == 2);
  CHECK(gw::retry_after_seconds(Millis(60'000)) == 60);
}

TEST_CASE("two gateways counting in one table give an account its five free failures once, not each",
          "[security][throttle]") {
  FakeClock clock;
  auto table = gw::memory_login_throttle_table({});
  LoginThrottle a(clock, table.get());
  LoginThrottle b(clock, table.get());
  CHECK(fail_times(a, "amina", "10.0.0.1", 3) == 3);
  CHECK(fail_times(b, "Amina", "10.0.0.2", 2) == 2);
  auto on_a = a.begin("amina", "10.0.0.3");
  auto on_b = b.begin("AMINA", "10.0.0.4");
  CHECK_FALSE(on_a);
  CHECK_FALSE(on_b);
  CHECK(on_b.refused_by() == std::string("account"));
  CHECK(on_b.retry_after() == Millis(1000));
  // The right password through one gateway starts afresh on both.
  clock.advance(1s);
  CHECK(succeeds(a, "amina", "10.0.0.3"));
  CHECK(fail_times(b, "amina", "10.0.0.4", 5) == 5);
}

TEST_CASE("an attempt left in flight by a gateway that stopped holds the account for at most the lease",
          "[security][throttle]") {
  FakeClock clock;
  auto table = gw::memory_login_throttle_table({});
  // Five attempts begun and never ended: the instance that made them is gone.
  REQUIRE(table->update("amina", "", clock.now(), [&](const gw::LoginThrottleView&) {
    gw::LoginThrottleChange c;
    gw::LoginAccountCounts counts;
    counts.in_flight = 5;
    counts.in_flight_until = clock.now() + LoginThrottle::kInFlightLease;
    c.account = counts;
    return c;
  }));
  LoginThrottle throttle(clock, table.get());
  auto refused = throttle.begin("amina", "10.0.0.1");
  REQUIRE_FALSE(refused);
  CHECK(refused.refused_by() == std::string("account"));
  clock.advance(LoginThrottle::kInFlightLease);
  CHECK(succeeds(throttle, "amina", "10.0.0.1"));
}

TEST_CASE("a table that cannot be reached refuses the attempt for a few seconds", "[security][throttle]") {
  struct Broken final : gw::LoginThrottleTable {
    gw::Status update(const std::string&, const std::string&, gw::TimePoint,
                      const std::function<gw::LoginThrottleChange(const gw::LoginThrottleView&)>&) override {
      return gw::Error::unavailable("down");
    }
    gw::Status prune(gw::TimePoint, gw::TimePoint, gw::TimePoint) override { return {}; }
  } broken;
  FakeClock clock;
  LoginThrottle throttle(clock, &broken);
  auto a = throttle.begin("amina", "10.0.0.1");
  CHECK_FALSE(a);
  CHECK(a.refused_by() == std::string("unavailable"));
  CHECK(a.retry_after() == Millis(5000));
}
