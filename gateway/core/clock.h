// Clock: the one way the gateway reads the time or waits.
//
// Code that needs "now" or a delay takes a Clock&, so tests hand it a FakeClock
// (tests/support/fake_clock.h) and move time without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace gw {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC).
  virtual TimePoint now() const = 0;
  // Blocks the caller for `d` (a fake clock advances instead).
  virtual void sleep_for(Millis d) = 0;
};

// The real clock: std::chrono::system_clock and std::this_thread::sleep_for.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  void sleep_for(Millis d) override;
};

// Milliseconds since the Unix epoch, the unit stored in the database.
int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(int64_t ms);
// RFC 3339 in UTC with milliseconds: "2026-11-28T12:00:00.000Z".
std::string format_rfc3339(TimePoint t);

}  // namespace gw
