#include "gateway/core/backoff.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gateway/core/ids.h"

namespace gw {

UnitRandom system_unit_random() {
  return [] {
    const std::string bytes = random_bytes(8);
    uint64_t v = 0;
    std::memcpy(&v, bytes.data(), sizeof v);
    return static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
  };
}

namespace {

double ceiling_ms(const BackoffPolicy& policy, int attempt) {
  const double base = static_cast<double>(policy.base.count());
  const double cap = static_cast<double>(policy.cap.count());
  return std::min(cap, base * std::pow(2.0, std::clamp(attempt, 0, 62)));
}

}  // namespace

Millis exponential_delay(const BackoffPolicy& policy, int attempt) {
  return Millis(static_cast<int64_t>(ceiling_ms(policy, attempt)));
}

Millis full_jitter_delay(const BackoffPolicy& policy, int attempt, double unit_random) {
  const double r = std::clamp(unit_random, 0.0, 1.0);
  return Millis(static_cast<int64_t>(ceiling_ms(policy, attempt) * r));
}

RateLimiter::RateLimiter(double rate_per_second, double burst, const Clock& clock)
    : rate_(rate_per_second),
      burst_(std::max(1.0, burst)),
      clock_(clock),
      tokens_(std::max(1.0, burst)),
      last_(clock.now()) {}

Millis RateLimiter::reserve() {
  std::lock_guard<std::mutex> lock(mu_);
  const TimePoint now = clock_.now();
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  tokens_ -= 1.0;  // may go negative: the debt is the wait
  if (tokens_ >= 0) return Millis(0);
  return Millis(static_cast<int64_t>(std::ceil(-tokens_ / rate_ * 1000.0)));
}

}  // namespace gw
