#include "gateway/security/login_throttle.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "gateway/core/log.h"

namespace gw {
namespace {

constexpr size_t kPruneAbove = 10000;
constexpr size_t kMaxKnownGood = 10000;
constexpr Millis kMinute = std::chrono::minutes(1);
constexpr Millis kPruneEvery = std::chrono::minutes(1);
// How long an attempt refused because the table could not be reached waits.
constexpr Millis kUnavailableWait = std::chrono::seconds(5);

std::string lower(const std::string& username) {
  std::string key;
  key.reserve(username.size());
  for (char c : username) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return key;
}

int64_t unix_second(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Millis until(TimePoint from, TimePoint to) {
  return to > from ? std::chrono::duration_cast<Millis>(to - from) : Millis(0);
}

// In-flight reservations whose lease ran out no longer count.
template <typename Counts>
void expire_in_flight(Counts& c, TimePoint now) {
  if (c.in_flight > 0 && now >= c.in_flight_until) c.in_flight = 0;
}

class MemoryTable final : public LoginThrottleTable {
 public:
  explicit MemoryTable(const LoginThrottleOptions& options) : forget_after_(options.forget_after) {}

  Status update(const std::string& account, const std::string& address, TimePoint now,
                const std::function<LoginThrottleChange(const LoginThrottleView&)>& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.size() > kPruneAbove || addresses_.size() > kPruneAbove)
      prune_locked(now, now - forget_after_, now - kMinute);
    LoginThrottleView v;
    if (auto it = accounts_.find(account); it != accounts_.end()) v.account = it->second;
    if (!address.empty())
      if (auto it = addresses_.find(address); it != addresses_.end()) v.address = it->second;
    if (auto it = known_good_.find(pair_key(account, address)); it != known_good_.end())
      v.known_good_until = it->second;
    const int64_t this_second = unix_second(now);
    for (size_t i = 0; i < second_.size(); ++i)
      if (failures_per_second_[i] > 0 && this_second - second_[i] < 60)
        v.failures_by_second.emplace_back(second_[i], failures_per_second_[i]);
    v.in_flight_everywhere = in_flight_;

    LoginThrottleChange c = decide(v);
    if (c.forget_account) {
      if (auto it = accounts_.find(account); it != accounts_.end()) {
        in_flight_ -= it->second.in_flight;
        accounts_.erase(it);
      }
    } else if (c.account) {
      LoginAccountCounts& stored = accounts_[account];
      in_flight_ += c.account->in_flight - stored.in_flight;
      stored = *c.account;
    }
    if (c.address && !address.empty()) addresses_[address] = *c.address;
    if (c.add_failure) {
      const size_t i = static_cast<size_t>(this_second % 60);
      if (second_[i] != this_second) {
        second_[i] = this_second;
        failures_per_second_[i] = 0;
      }
      ++failures_per_second_[i];
    }
    if (c.known_good_until != TimePoint{}) {
      const std::string pair = pair_key(account, address);
      if (known_good_.size() >= kMaxKnownGood)
        std::erase_if(known_good_, [&](const auto& entry) { return entry.second <= now; });
      if (known_good_.size() < kMaxKnownGood || known_good_.count(pair))
        known_good_[pair] = c.known_good_until;
    }
    return {};
  }

  Status prune(TimePoint now, TimePoint forget_before, TimePoint refilled_before) override {
    std::lock_guard<std::mutex> lock(mu_);
    prune_locked(now, forget_before, refilled_before);
    return {};
  }

 private:
  static std::string pair_key(const std::string& account, const std::string& address) {
    std::string key = account;
    key += '\n';
    key += address;
    return key;
  }

  void prune_locked(TimePoint now, TimePoint forget_before, TimePoint refilled_before) {
    std::erase_if(accounts_, [&](const auto& entry) {
      const LoginAccountCounts& e = entry.second;
      const bool stale = (e.in_flight == 0 || now >= e.in_flight_until) && now >= e.next_allowed &&
                         e.last_failure <= forget_before;
      if (stale) in_flight_ -= e.in_flight;
      return stale;
    });
    std::erase_if(addresses_, [&](const auto& entry) {
      const LoginAddressCounts& e = entry.second;
      return (e.in_flight == 0 || now >= e.in_flight_until) && e.refilled <= refilled_before;
    });
    std::erase_if(known_good_, [&](const auto& entry) { return entry.second <= now; });
  }

  const Millis forget_after_;
  std::mutex mu_;
  std::unordered_map<std::string, LoginAccountCounts> accounts_;  // lower-case username
  // The sum of accounts_' in_flight, kept as they change (an account's in-flight
  // attempts end through update() before it is dropped, or their lease ran out).
  int in_flight_ = 0;
  std::unordered_map<std::string, LoginAddressCounts> addresses_;  // client address
  std::unordered_map<std::string, TimePoint> known_good_;          // "<username>\n<address>" → until
  // Failed attempts of the last minute, one slot per second (slot i holds second_[i]).
  std::array<int, 60> failures_per_second_{};
  std::array<int64_t, 60> second_{};
};

}  // namespace

std::unique_ptr<LoginThrottleTable> memory_login_throttle_table(const LoginThrottleOptions& options) {
  return std::make_unique<MemoryTable>(options);
}

long retry_after_seconds(Millis d) {
  long s = static_cast<long>((d.count() + 999) / 1000);
  return std::max(1L, s);
}

LoginThrottle::LoginThrottle(Clock& clock, LoginThrottleOptions options)
    : LoginThrottle(clock, nullptr, options) {}

LoginThrottle::LoginThrottle(Clock& clock, LoginThrottleTable* table, LoginThrottleOptions options)
    : clock_(clock), options_(options) {
  if (!table) {
    own_table_ = memory_login_throttle_table(options_);
    table = own_table_.get();
  }
  table_ = table;
}

LoginThrottle::~LoginThrottle() = default;

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(other.throttle_),
      user_key_(std::move(other.user_key_)),
      ip_(std::move(other.ip_)),
      address_reserved_(other.address_reserved_),
      known_good_(other.known_good_),
      retry_after_(other.retry_after_),
      refused_by_(other.refused_by_) {
  other.throttle_ = nullptr;
}

LoginThrottle::Attempt::~Attempt() {
  if (throttle_) throttle_->finish(*this, /*success=*/false, /*counted=*/false);
}

void LoginThrottle::Attempt::succeeded() {
  if (throttle_) throttle_->finish(*this, /*success=*/true, /*counted=*/true);
}

void LoginThrottle::Attempt::failed() {
  if (throttle_) throttle_->finish(*this, /*success=*/false, /*counted=*/true);
}

Millis LoginThrottle::account_wait(LoginAccountCounts& e, TimePoint now) const {
  expire_in_flight(e, now);
  if (e.in_flight == 0 && e.failures > 0 && now >= e.next_allowed &&
      now - e.last_failure >= options_.forget_after)
    e.failures = 0;
  if (e.failures + e.in_flight < options_.account_free_failures) return Millis(0);
  // Past the free failures: one attempt at a time, each after its delay.
  if (e.in_flight > 0) return std::max(options_.account_first_delay, until(now, e.next_allowed));
  return until(now, e.next_allowed);
}

Millis LoginThrottle::address_wait(LoginAddressCounts& e, TimePoint now) const {
  expire_in_flight(e, now);
  const double size = options_.address_failures_per_minute;
  if (e.refilled == TimePoint{}) {
    e.tokens = size;
  } else if (now > e.refilled) {
    const double elapsed = std::chrono::duration<double>(now - e.refilled).count();
    e.tokens = std::min(size, e.tokens + elapsed * size / 60.0);
  }
  e.refilled = std::max(now, e.refilled);
  if (e.tokens >= 1.0) return Millis(0);
  const double seconds = (1.0 - e.tokens) * 60.0 / size;
  return Millis(static_cast<int64_t>(std::ceil(seconds * 1000.0)));
}

Millis LoginThrottle::global_wait(const LoginThrottleView& v, TimePoint now) const {
  const int64_t this_second = unix_second(now);
  // Failures of the last minute, oldest first.
  std::vector<std::pair<int64_t, int>> recent;
  int total = v.in_flight_everywhere;
  for (const auto& [second, count] : v.failures_by_second) {
    if (this_second - second >= 60 || second > this_second) continue;
    recent.emplace_back(second, count);
    total += count;
  }
  const int bound = options_.global_failures_per_minute;
  if (total < bound) return Millis(0);
  // Wait until enough of the oldest seconds have left the minute.
  std::sort(recent.begin(), recent.end());
  int excess = total - bound + 1;
  for (const auto& [second, count] : recent) {
    excess -= count;
    if (excess <= 0) return until(now, TimePoint(std::chrono::seconds(second + 60)));
  }
  return options_.account_first_delay;  // only attempts in flight: they end soon
}

LoginThrottle::Attempt LoginThrottle::begin(const std::string& username, const std::string& ip) {
  const TimePoint now = clock_.now();
  prune_now_and_then(now);
  Attempt a;
  a.user_key_ = lower(username);
  a.ip_ = ip;
  Millis wait{0};
  Status s = table_->update(a.user_key_, ip, now, [&](const LoginThrottleView& view) {
    LoginThrottleView v = view;
    a.known_good_ = v.known_good_until > now;
    a.refused_by_ = "";
    a.address_reserved_ = false;
    wait = account_wait(v.account, now);
    if (wait.count() > 0) a.refused_by_ = "account";
    const bool check_address = !ip.empty() && !a.known_good_;
    if (check_address) {
      Millis w = address_wait(v.address, now);
      if (w > wait) {
        wait = w;
        a.refused_by_ = "address";
      }
    }
    if (!a.known_good_) {
      Millis w = global_wait(v, now);
      if (w > wait) {
        wait = w;
        a.refused_by_ = "global";
      }
    }
    LoginThrottleChange c;
    if (wait.count() > 0) return c;
    ++v.account.in_flight;
    v.account.in_flight_until = now + kInFlightLease;
    c.account = v.account;
    if (check_address) {
      v.address.tokens -= 1.0;
      ++v.address.in_flight;
      v.address.in_flight_until = now + kInFlightLease;
      c.address = v.address;
    }
    a.address_reserved_ = check_address;
    return c;
  });
  if (!s) {
    log::error("login_throttle.store_failed", {{"operation", "begin"}, {"error", s.error().to_string()}});
    a.refused_by_ = "unavailable";
    a.retry_after_ = kUnavailableWait;
    return a;
  }
  if (wait.count() > 0) {
    a.retry_after_ = wait;
    return a;
  }
  a.throttle_ = this;
  return a;
}

void LoginThrottle::finish(Attempt& a, bool success, bool counted) {
  a.throttle_ = nullptr;
  const TimePoint now = clock_.now();
  // With the address also when its budget was skipped: the known-good mark is
  // kept for the address the attempt came from.
  Status s = table_->update(a.user_key_, a.ip_, now, [&](const LoginThrottleView& view) {
    LoginThrottleChange c;
    LoginAccountCounts e = view.account;
    expire_in_flight(e, now);
    e.in_flight = std::max(0, e.in_flight - 1);
    if (success) {
      if (e.in_flight == 0)
        c.forget_account = true;
      else
        e.failures = 0;
    } else if (counted) {
      ++e.failures;
      e.last_failure = now;
      const int over = e.failures - options_.account_free_failures;
      if (over >= 0) {
        Millis delay = options_.account_first_delay;
        for (int i = 0; i < over && delay < options_.account_max_delay; ++i) delay *= 2;
        e.next_allowed = now + std::min(delay, options_.account_max_delay);
      }
    }
    if (!c.forget_account) c.account = e;
    if (a.address_reserved_) {
      LoginAddressCounts d = view.address;
      expire_in_flight(d, now);
      d.in_flight = std::max(0, d.in_flight - 1);
      // Only failures spend an address's budget.
      if (success || !counted)
        d.tokens = std::min<double>(options_.address_failures_per_minute, d.tokens + 1.0);
      c.address = d;
    }
    c.add_failure = !success && counted;
    if (success && counted && !a.ip_.empty()) c.known_good_until = now + options_.known_good_for;
    return c;
  });
  if (!s)
    log::error("login_throttle.store_failed", {{"operation", "finish"}, {"error", s.error().to_string()}});
}

void LoginThrottle::prune_now_and_then(TimePoint now) {
  const int64_t now_ms = unix_ms(now);
  int64_t last = last_prune_ms_.load(std::memory_order_relaxed);
  if (last != 0 && now_ms - last < kPruneEvery.count()) return;
  if (!last_prune_ms_.compare_exchange_strong(last, now_ms)) return;  // another thread does it
  if (last == 0) return;  // nothing to drop yet at the first attempt
  if (Status s = table_->prune(now, now - options_.forget_after, now - kMinute); !s)
    log::error("login_throttle.store_failed", {{"operation", "prune"}, {"error", s.error().to_string()}});
}

}  // namespace gw
