// LoginThrottle: slows down password guessing against the staff console,
// without letting an attacker lock anyone out for long.
//
// Every login attempt first asks begin() for an Attempt. The answer is decided
// and the attempt counted in one step under the throttle's lock, before any
// password is hashed, so a burst of concurrent attempts cannot all slip past
// the limits; a refused attempt is never hashed. Three budgets, each of which
// may refuse (the longest wait wins):
//   - per account (usernames case-insensitively): `account_free_failures`
//     failed attempts go freely; after that the account may try once after
//     `account_first_delay`, then after twice as long, and so on up to
//     `account_max_delay`, one attempt at a time. A success, or `forget_after`
//     of quiet, starts afresh. The delays are short on purpose: anyone can
//     trigger them for any username, and the right password works as soon as
//     the delay is over.
//   - per address: `address_failures_per_minute` failed attempts, as a budget
//     that refills continuously (a token bucket of that size). One address
//     cannot guess fast, but a colleague's login from the same address (a
//     shared proxy) waits seconds, not an hour: a success gives its attempt
//     back.
//   - globally: when more than `global_failures_per_minute` attempts failed in
//     the last minute, across all addresses, attempts are refused until the
//     minute's count falls below it; this stops guessing spread over many
//     addresses.
// A username that logged in successfully from an address is "known good" from
// there (for `known_good_for`): its attempts skip the address and global
// budgets (never the account's), so that an attack elsewhere does not lock out
// staff who log in as they always do.
//
// Clock-driven; thread-safe; the lock covers only a few map look-ups. Memory
// stays bounded: entries that cannot affect a decision any more are dropped as
// the tables grow, and known-good pairs are capped.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/core/clock.h"

namespace gw {

struct LoginThrottleOptions {
  int account_free_failures = 5;
  Millis account_first_delay = std::chrono::seconds(1);
  Millis account_max_delay = std::chrono::minutes(5);
  int address_failures_per_minute = 10;
  int global_failures_per_minute = 100;
  Millis forget_after = std::chrono::minutes(15);
  Millis known_good_for = std::chrono::hours(24 * 30);
};

class LoginThrottle {
 public:
  // One login attempt's reservation. Admitted (true) or refused with a
  // retry_after(). An admitted attempt ends with succeeded() or failed();
  // destroyed without either (e.g. the store did not answer), it gives its
  // reservation back without counting as a failure.
  class Attempt {
   public:
    Attempt(Attempt&& other) noexcept;
    Attempt& operator=(Attempt&&) = delete;
    ~Attempt();

    explicit operator bool() const { return throttle_ != nullptr; }
    // How long a refused attempt must wait; zero when admitted.
    Millis retry_after() const { return retry_after_; }
    // Which budget refused it: "account", "address" or "global"; "" when admitted.
    const char* refused_by() const { return refused_by_; }
    void succeeded();
    void failed();

   private:
    friend class LoginThrottle;
    Attempt() = default;
    LoginThrottle* throttle_ = nullptr;
    std::string user_key_, ip_;
    bool address_reserved_ = false;
    Millis retry_after_{0};
    const char* refused_by_ = "";
  };

  explicit LoginThrottle(Clock& clock, LoginThrottleOptions options = {});

  // Decides whether `username` may try a password from `ip` now and, if so,
  // reserves the attempt. `ip` may be empty (then only the account and global
  // budgets apply).
  [[nodiscard]] Attempt begin(const std::string& username, const std::string& ip);

  const LoginThrottleOptions& options() const { return options_; }

 private:
  struct AccountEntry {
    int failures = 0;
    int in_flight = 0;
    TimePoint last_failure{};
    TimePoint next_allowed{};
  };
  struct AddressEntry {
    double tokens = 0;
    TimePoint refilled{};
    int in_flight = 0;
  };
  void finish(Attempt& a, bool success, bool counted);
  Millis account_wait_locked(AccountEntry& e, TimePoint now) const;
  Millis address_wait_locked(AddressEntry& e, TimePoint now) const;
  Millis global_wait_locked(TimePoint now);
  void prune_locked(TimePoint now);

  Clock& clock_;
  LoginThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, AccountEntry> accounts_;   // lower-case username
  std::unordered_map<std::string, AddressEntry> addresses_;  // client address
  std::unordered_map<std::string, TimePoint> known_good_;    // "<username>\n<address>" → until
  // Failed attempts of the last minute, one slot per second (slot i holds second_[i]).
  std::array<int, 60> failures_per_second_{};
  std::array<int64_t, 60> second_{};
  int global_in_flight_ = 0;
};

// Whole seconds for a Retry-After header: `d` rounded up, at least 1.
long retry_after_seconds(Millis d);

}  // namespace gw
