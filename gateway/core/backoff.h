// Retry delays: exponential backoff with full jitter, and a token-bucket rate
// limiter. Both take their randomness and time from outside, so tests are exact.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

#include "gateway/core/clock.h"

namespace gw {

// A uniformly random number in [0, 1). The real one reads OpenSSL's CSPRNG.
using UnitRandom = std::function<double()>;
UnitRandom system_unit_random();

struct BackoffPolicy {
  Millis base{1000};     // the ceiling of the first retry's delay
  Millis cap{300000};    // no ceiling grows past this
  int max_attempts = 8;  // after this many failed attempts the send is given up
};

// The delay ceiling before a retry: min(cap, base * 2^attempt), for attempt =
// 0, 1, 2 ... (the number of attempts that already failed - 1). Without jitter,
// for a single worker that has nothing to spread out.
Millis exponential_delay(const BackoffPolicy& policy, int attempt);

// "Full jitter": a delay drawn uniformly from [0, min(cap, base * 2^attempt)),
// for attempt = 0, 1, 2 ... (the number of attempts that already failed - 1).
// Spreads retries of many messages so they do not hit the provider together.
Millis full_jitter_delay(const BackoffPolicy& policy, int attempt, double unit_random);

// Token bucket: `rate` sends a second on average, bursts of up to `burst`.
// reserve() takes a token and returns how long the caller must wait before
// using it (zero when one is available now). Thread-safe.
class RateLimiter {
 public:
  RateLimiter(double rate_per_second, double burst, const Clock& clock);
  Millis reserve();

 private:
  const double rate_;
  const double burst_;
  const Clock& clock_;
  std::mutex mu_;
  double tokens_;
  TimePoint last_;
};

}  // namespace gw
