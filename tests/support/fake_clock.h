// FakeClock: a Clock whose time moves only when a test says so.
// sleep_for() advances it instead of blocking, so code that backs off or waits
// runs instantly and deterministically under test.
#pragma once

#include <mutex>
#include <vector>

#include "gateway/core/clock.h"

namespace gw::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = from_unix_ms(1'780'000'000'000)) : now_(start) {}

  TimePoint now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void sleep_for(Millis d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  void advance(Millis d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  // Every duration passed to sleep_for, in order.
  std::vector<Millis> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::vector<Millis> sleeps_;
};

}  // namespace gw::testing
