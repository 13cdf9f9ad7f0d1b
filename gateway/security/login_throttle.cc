#include "gateway/security/login_throttle.h"

#include <algorithm>
#include <cmath>

namespace gw {
namespace {

constexpr size_t kPruneAbove = 10000;
constexpr size_t kMaxKnownGood = 10000;
constexpr Millis kMinute = std::chrono::minutes(1);

std::string lower(const std::string& username) {
  std::string key;
  key.reserve(username.size());
  for (char c : username) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return key;
}

int64_t unix_second(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Millis until(TimePoint from, TimePoint to) {
  return to > from ? std::chrono::duration_cast<Millis>(to - from) : Millis(0);
}

}  // namespace

long retry_after_seconds(Millis d) {
  long s = static_cast<long>((d.count() + 999) / 1000);
  return std::max(1L, s);
}

LoginThrottle::LoginThrottle(Clock& clock, LoginThrottleOptions options) : clock_(clock), options_(options) {}

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(other.throttle_),
      user_key_(std::move(other.user_key_)),
      ip_(std::move(other.ip_)),
      address_reserved_(other.address_reserved_),
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

Millis LoginThrottle::account_wait_locked(AccountEntry& e, TimePoint now) const {
  if (e.in_flight == 0 && e.failures > 0 && now >= e.next_allowed &&
      now - e.last_failure >= options_.forget_after)
    e.failures = 0;
  if (e.failures + e.in_flight < options_.account_free_failures) return Millis(0);
  // Past the free failures: one attempt at a time, each after its delay.
  if (e.in_flight > 0) return std::max(options_.account_first_delay, until(now, e.next_allowed));
  return until(now, e.next_allowed);
}

Millis LoginThrottle::address_wait_locked(AddressEntry& e, TimePoint now) const {
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

Millis LoginThrottle::global_wait_locked(TimePoint now) {
  const int64_t this_second = unix_second(now);
  // Seconds of the last minute, oldest first, with their failures.
  int total = global_in_flight_;
  for (size_t i = 0; i < second_.size(); ++i) {
    if (this_second - second_[i] >= 60) failures_per_second_[i] = 0;
    total += failures_per_second_[i];
  }
  const int bound = options_.global_failures_per_minute;
  if (total < bound) return Millis(0);
  // Wait until enough of the oldest seconds have left the minute.
  int excess = total - bound + 1;
  for (int64_t s = this_second - 59; s <= this_second; ++s) {
    const size_t i = static_cast<size_t>(s % 60);
    if (second_[i] != s) continue;
    excess -= failures_per_second_[i];
    if (excess <= 0) return until(now, TimePoint(std::chrono::seconds(s + 60)));
  }
  return options_.account_first_delay;  // only attempts in flight: they end soon
}

LoginThrottle::Attempt LoginThrottle::begin(const std::string& username, const std::string& ip) {
  const TimePoint now = clock_.now();
  Attempt a;
  a.user_key_ = lower(username);
  a.ip_ = ip;
  std::lock_guard<std::mutex> lock(mu_);
  if (accounts_.size() > kPruneAbove || addresses_.size() > kPruneAbove) prune_locked(now);
  auto good = known_good_.find(a.user_key_ + "\n" + ip);
  const bool known_good = good != known_good_.end() && good->second > now;

  AccountEntry& account = accounts_[a.user_key_];
  Millis wait = account_wait_locked(account, now);
  if (wait.count() > 0) a.refused_by_ = "account";
  AddressEntry* address = nullptr;
  if (!ip.empty() && !known_good) {
    address = &addresses_[ip];
    Millis w = address_wait_locked(*address, now);
    if (w > wait) {
      wait = w;
      a.refused_by_ = "address";
    }
  }
  if (!known_good) {
    Millis w = global_wait_locked(now);
    if (w > wait) {
      wait = w;
      a.refused_by_ = "global";
    }
  }
  if (wait.count() > 0) {
    a.retry_after_ = wait;
    return a;
  }
  a.refused_by_ = "";
  ++account.in_flight;
  if (address) {
    address->tokens -= 1.0;
    ++address->in_flight;
    a.address_reserved_ = true;
  }
  ++global_in_flight_;
  a.throttle_ = this;
  return a;
}

void LoginThrottle::finish(Attempt& a, bool success, bool counted) {
  const TimePoint now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  --global_in_flight_;
  auto account = accounts_.find(a.user_key_);
  auto address = a.address_reserved_ ? addresses_.find(a.ip_) : addresses_.end();
  if (address != addresses_.end()) {
    --address->second.in_flight;
    // Only failures spend an address's budget.
    if (success || !counted)
      address->second.tokens =
          std::min<double>(options_.address_failures_per_minute, address->second.tokens + 1.0);
  }
  if (account != accounts_.end()) {
    AccountEntry& e = account->second;
    --e.in_flight;
    if (success) {
      if (e.in_flight == 0)
        accounts_.erase(account);
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
  }
  if (!success && counted) {
    const int64_t s = unix_second(now);
    const size_t i = static_cast<size_t>(s % 60);
    if (second_[i] != s) {
      second_[i] = s;
      failures_per_second_[i] = 0;
    }
    ++failures_per_second_[i];
  }
  if (success && counted) {
    const std::string pair = a.user_key_ + "\n" + a.ip_;
    if (known_good_.size() >= kMaxKnownGood)
      std::erase_if(known_good_, [&](const auto& entry) { return entry.second <= now; });
    if (known_good_.size() < kMaxKnownGood || known_good_.count(pair))
      known_good_[pair] = now + options_.known_good_for;
  }
  a.throttle_ = nullptr;
}

void LoginThrottle::prune_locked(TimePoint now) {
  std::erase_if(accounts_, [&](const auto& entry) {
    const AccountEntry& e = entry.second;
    return e.in_flight == 0 && now >= e.next_allowed && now - e.last_failure >= options_.forget_after;
  });
  std::erase_if(addresses_, [&](const auto& entry) {
    const AddressEntry& e = entry.second;
    // Idle long enough to have refilled completely.
    return e.in_flight == 0 && now - e.refilled >= kMinute;
  });
}

}  // namespace gw
