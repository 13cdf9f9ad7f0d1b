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
// Where the counts are kept: a LoginThrottleTable. By default one in this
// process's memory. With several instances on one database (PostgreSQL), a
// table shared by all of them (gateway/store/login_throttle_table.h), so that
// an account gets its free failures once, not once per instance, and the
// address and global budgets count every instance's attempts. Each decision
// reads and changes the account's and the address's counts in one step that
// no other attempt at the same account or address can interleave with; the
// global budget reads the others' attempts as they stand (a burst spread
// over many accounts and addresses at the same moment may pass it by the
// attempts in flight). An attempt in flight holds its reservation for at most
// kInFlightLease: an instance that stops mid-attempt does not block the
// account for longer.
//
// Clock-driven (instances share one clock: NTP); thread-safe; no lock is held
// while a password is hashed. Memory and table rows stay bounded: entries
// that cannot affect a decision any more are dropped (in memory as the tables
// grow; in a shared table at most once a minute), and known-good pairs are
// capped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

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

// One account's counts (the account named case-insensitively).
struct LoginAccountCounts {
  int failures = 0;
  int in_flight = 0;
  TimePoint in_flight_until{};  // in_flight counts until then
  TimePoint last_failure{};
  TimePoint next_allowed{};
};

// One address's budget: a token bucket. refilled == TimePoint{}: never used (full).
struct LoginAddressCounts {
  double tokens = 0;
  TimePoint refilled{};
  int in_flight = 0;
  TimePoint in_flight_until{};
};

// What one decision reads.
struct LoginThrottleView {
  LoginAccountCounts account;    // zero when the account has none
  LoginAddressCounts address;    // zero when there is none, or no address was given
  TimePoint known_good_until{};  // of this account at this address; zero when none
  // Failed attempts of the last 60 seconds (up to now), as (Unix second, count), any order.
  std::vector<std::pair<int64_t, int>> failures_by_second;
  // Attempts in flight at every account (in_flight of the accounts whose lease has not run out).
  int in_flight_everywhere = 0;
};

// What one decision changes.
struct LoginThrottleChange {
  std::optional<LoginAccountCounts> account;  // the account's new counts
  bool forget_account = false;                // drop the account's counts (instead)
  std::optional<LoginAddressCounts> address;  // the address's new counts (only with an address)
  bool add_failure = false;                   // one more failure in now's second
  TimePoint known_good_until{};  // when set, this account is known good at this address until then
};

// Where LoginThrottle keeps its counts. update() reads the view of `account`
// (lower-case username) and `address` (may be empty) at `now`, calls `decide`
// and stores its change, with no other update() of the same account or
// address in between. `decide` may be called again if the store retries.
class LoginThrottleTable {
 public:
  virtual ~LoginThrottleTable() = default;
  virtual Status update(const std::string& account, const std::string& address, TimePoint now,
                        const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) = 0;
  // Drops what can no longer affect a decision at `now`: accounts with nothing
  // in flight, past their delay and quiet since `forget_before`; addresses with
  // nothing in flight unused since `refilled_before`; failures and known-good
  // marks that have run out.
  virtual Status prune(TimePoint now, TimePoint forget_before, TimePoint refilled_before) = 0;
};

// The table in this process's memory (the default). It also drops stale
// entries by itself once it holds many, by `options`' forget_after.
std::unique_ptr<LoginThrottleTable> memory_login_throttle_table(const LoginThrottleOptions& options);

class LoginThrottle {
 public:
  // How long an admitted attempt holds its reservation at most.
  static constexpr Millis kInFlightLease = std::chrono::minutes(1);

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
    // Which budget refused it: "account", "address" or "global"; "unavailable"
    // when the table could not be reached; "" when admitted.
    const char* refused_by() const { return refused_by_; }
    void succeeded();
    void failed();

   private:
    friend class LoginThrottle;
    Attempt() = default;
    LoginThrottle* throttle_ = nullptr;
    std::string user_key_, ip_;
    bool address_reserved_ = false;
    bool known_good_ = false;
    Millis retry_after_{0};
    const char* refused_by_ = "";
  };

  // Counts in this process's memory.
  explicit LoginThrottle(Clock& clock, LoginThrottleOptions options = {});
  // Counts in `table` (which must outlive this); in memory when it is null.
  LoginThrottle(Clock& clock, LoginThrottleTable* table, LoginThrottleOptions options = {});
  ~LoginThrottle();

  // Decides whether `username` may try a password from `ip` now and, if so,
  // reserves the attempt. `ip` may be empty (then only the account and global
  // budgets apply). When the table cannot be reached the attempt is refused
  // (refused_by() "unavailable", retry after a few seconds) and the error logged.
  [[nodiscard]] Attempt begin(const std::string& username, const std::string& ip);

  const LoginThrottleOptions& options() const { return options_; }

 private:
  void finish(Attempt& a, bool success, bool counted);
  Millis account_wait(LoginAccountCounts& e, TimePoint now) const;
  Millis address_wait(LoginAddressCounts& e, TimePoint now) const;
  Millis global_wait(const LoginThrottleView& v, TimePoint now) const;
  void prune_now_and_then(TimePoint now);

  Clock& clock_;
  LoginThrottleOptions options_;
  std::unique_ptr<LoginThrottleTable> own_table_;  // the memory table, when none was given
  LoginThrottleTable* table_ = nullptr;
  std::atomic<int64_t> last_prune_ms_{0};
};

// Whole seconds for a Retry-After header: `d` rounded up, at least 1.
long retry_after_seconds(Millis d);

}  // namespace gw
