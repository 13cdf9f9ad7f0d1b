// LoginThrottle: slows down password guessing against the staff console.
//
// Failed logins are counted per username (case-insensitively, as usernames are
// unique) and per client IP, separately, so that neither many passwords against
// one account nor one address trying many accounts goes fast. After
// `max_failures` failures within `window` (5 in 15 minutes), the key is locked
// for `first_lockout` (1 minute). Every further failure after a lock ends locks
// it again for twice as long (2, 4, 8 … minutes, at most `max_lockout`, 1 hour),
// until the key has been quiet for a whole `window` after its lock ended.
// While locked, attempts are refused without checking the password.
// A successful login resets the username's count (not the IP's: one account an
// attacker owns must not unlock guessing at the others from the same address).
//
// Clock-driven; thread-safe. Memory stays bounded: entries that cannot affect a
// decision any more are dropped as the table grows.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gateway/core/clock.h"

namespace gw {

struct LoginThrottleOptions {
  int max_failures = 5;
  Millis window = std::chrono::minutes(15);
  Millis first_lockout = std::chrono::minutes(1);
  Millis max_lockout = std::chrono::hours(1);
};

class LoginThrottle {
 public:
  explicit LoginThrottle(Clock& clock, LoginThrottleOptions options = {});

  // How long the attempt must wait: zero when it may go ahead, otherwise the
  // longer of the username's and the IP's remaining lock.
  Millis retry_after(const std::string& username, const std::string& ip) const;

  void record_failure(const std::string& username, const std::string& ip);
  void record_success(const std::string& username, const std::string& ip);

 private:
  struct Entry {
    std::deque<TimePoint> failures;  // within the window, oldest first
    int level = 0;                   // locks so far in this streak
    TimePoint locked_until{};
  };
  void fail_locked(const std::string& key, TimePoint now);
  Millis remaining_locked(const std::string& key, TimePoint now) const;
  void prune_locked(TimePoint now);

  Clock& clock_;
  LoginThrottleOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // "user:<lowercase>" or "ip:<address>"
};

// Whole seconds for a Retry-After header: `d` rounded up, at least 1.
long retry_after_seconds(Millis d);

}  // namespace gw
