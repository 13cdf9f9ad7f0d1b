#include "gateway/security/login_throttle.h"

#include <algorithm>

namespace gw {
namespace {

constexpr size_t kPruneAbove = 10000;

std::string user_key(const std::string& username) {
  std::string key = "user:";
  for (char c : username) key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return key;
}

std::string ip_key(const std::string& ip) {
  return "ip:" + ip;
}

}  // namespace

long retry_after_seconds(Millis d) {
  long s = static_cast<long>((d.count() + 999) / 1000);
  return std::max(1L, s);
}

LoginThrottle::LoginThrottle(Clock& clock, LoginThrottleOptions options) : clock_(clock), options_(options) {}

Millis LoginThrottle::remaining_locked(const std::string& key, TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return Millis(0);
  return std::chrono::duration_cast<Millis>(it->second.locked_until - now);
}

Millis LoginThrottle::retry_after(const std::string& username, const std::string& ip) const {
  const TimePoint now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  return std::max(remaining_locked(user_key(username), now), remaining_locked(ip_key(ip), now));
}

void LoginThrottle::fail_locked(const std::string& key, TimePoint now) {
  Entry& e = entries_[key];
  while (!e.failures.empty() && now - e.failures.front() >= options_.window) e.failures.pop_front();
  // A streak ends once the key stayed quiet for a whole window after its lock.
  if (e.level > 0 && now >= e.locked_until + options_.window) e.level = 0;
  e.failures.push_back(now);
  if (e.level == 0 && static_cast<int>(e.failures.size()) < options_.max_failures) return;
  ++e.level;
  Millis lock = options_.first_lockout;
  for (int i = 1; i < e.level && lock < options_.max_lockout; ++i) lock *= 2;
  e.locked_until = now + std::min(lock, options_.max_lockout);
}

void LoginThrottle::record_failure(const std::string& username, const std::string& ip) {
  const TimePoint now = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() > kPruneAbove) prune_locked(now);
  fail_locked(user_key(username), now);
  if (!ip.empty()) fail_locked(ip_key(ip), now);
}

void LoginThrottle::record_success(const std::string& username, const std::string& /*ip*/) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(user_key(username));
}

void LoginThrottle::prune_locked(TimePoint now) {
  std::erase_if(entries_, [&](const auto& entry) {
    const Entry& e = entry.second;
    const bool recent_failure = !e.failures.empty() && now - e.failures.back() < options_.window;
    const bool streak_alive = e.level > 0 && now < e.locked_until + options_.window;
    return !recent_failure && !streak_alive;
  });
}

}  // namespace gw
