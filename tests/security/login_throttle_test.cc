#include "gateway/security/login_throttle.h"

#include <catch2/catch.hpp>

#include "tests/support/fake_clock.h"

using gw::LoginThrottle;
using gw::Millis;
using gw::testing::FakeClock;
using namespace std::chrono_literals;

namespace {
void fail_times(LoginThrottle& t, const std::string& user, const std::string& ip, int n) {
  for (int i = 0; i < n; ++i) t.record_failure(user, ip);
}
}  // namespace

TEST_CASE("five failures within 15 minutes lock the username for a minute", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  fail_times(throttle, "amina", "10.0.0.1", 4);
  CHECK(throttle.retry_after("amina", "10.0.0.2") == Millis(0));
  throttle.record_failure("amina", "10.0.0.1");
  CHECK(throttle.retry_after("amina", "10.0.0.2") == Millis(60'000));
  // Case does not matter for usernames.
  CHECK(throttle.retry_after("AMINA", "10.0.0.3") == Millis(60'000));
  clock.advance(20s);
  CHECK(throttle.retry_after("Amina", "10.0.0.3") == Millis(40'000));
  CHECK(gw::retry_after_seconds(throttle.retry_after("Amina", "10.0.0.3")) == 40);
  clock.advance(40s);
  CHECK(throttle.retry_after("amina", "10.0.0.3") == Millis(0));
}

TEST_CASE("failures spread over more than 15 minutes do not lock", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  for (int i = 0; i < 10; ++i) {
    throttle.record_failure("amina", "");
    clock.advance(4min);
  }
  CHECK(throttle.retry_after("amina", "") == Millis(0));
}

TEST_CASE("each failure after a lock doubles the lock, up to an hour", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  fail_times(throttle, "amina", "", 5);
  std::vector<long> locks;
  for (int i = 0; i < 8; ++i) {
    Millis wait = throttle.retry_after("amina", "");
    locks.push_back(static_cast<long>(wait.count() / 60'000));
    clock.advance(wait);
    throttle.record_failure("amina", "");
  }
  CHECK(locks == std::vector<long>{1, 2, 4, 8, 16, 32, 60, 60});
}

TEST_CASE("a success resets the username but a quiet window is needed to end a streak",
          "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  fail_times(throttle, "amina", "", 4);
  throttle.record_success("amina", "");
  fail_times(throttle, "amina", "", 4);
  CHECK(throttle.retry_after("amina", "") == Millis(0));

  fail_times(throttle, "bilal", "", 5);
  clock.advance(1min);
  // Quiet for the lock and a whole window after it: back to five tries.
  clock.advance(15min);
  fail_times(throttle, "bilal", "", 4);
  CHECK(throttle.retry_after("bilal", "") == Millis(0));
  throttle.record_failure("bilal", "");
  CHECK(throttle.retry_after("bilal", "") == Millis(60'000));
}

TEST_CASE("one address trying many usernames is locked by its IP", "[security][throttle]") {
  FakeClock clock;
  LoginThrottle throttle(clock);
  for (const char* user : {"a1", "a2", "a3", "a4", "a5"}) throttle.record_failure(user, "198.51.100.7");
  CHECK(throttle.retry_after("someone-else", "198.51.100.7") == Millis(60'000));
  CHECK(throttle.retry_after("someone-else", "198.51.100.8") == Millis(0));
  // A success on one account does not unlock the address.
  throttle.record_success("a1", "198.51.100.7");
  CHECK(throttle.retry_after("a1", "198.51.100.7") == Millis(60'000));
}

TEST_CASE("Retry-After seconds round up and are at least one", "[security][throttle]") {
  CHECK(gw::retry_after_seconds(Millis(1)) == 1);
  CHECK(gw::retry_after_seconds(Millis(1000)) == 1);
  CHECK(gw::retry_after_seconds(Millis(1001)) == 2);
  CHECK(gw::retry_after_seconds(Millis(60'000)) == 60);
}
