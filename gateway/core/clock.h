// Clock: the one way the gateway reads the time or waits.
//
// Code that needs "now" or a delay takes a Clock&, so tests hand it a FakeClock
// (tests/support/fake_clock.h) and move time without sleeping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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
  // Waits on `cv` until `done()` holds or `d` has passed on this clock, as
  // std::condition_variable::wait_for with a predicate: `lock` is held on entry
  // and on return, and `done()` is evaluated with it held. Returns done().
  // The code that makes `done()` true notifies `cv`; a fake clock also wakes the
  // wait when its time is moved, so a worker waiting on it wakes deterministically.
  virtual bool wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Millis d,
                        const std::function<bool()>& done) = 0;
};

// The real clock: std::chrono::system_clock and std::this_thread::sleep_for;
// waits measure `d` on the steady clock (condition_variable::wait_for), so a
// change of the wall-clock time neither shortens nor stretches them.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  void sleep_for(Millis d) override;
  bool wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Millis d,
                const std::function<bool()>& done) override;
};

// Milliseconds since the Unix epoch, the unit stored in the database.
int64_t to_unix_ms(TimePoint t);
TimePoint from_unix_ms(int64_t ms);
// RFC 3339 in UTC with milliseconds: "2026-11-28T12:00:00.000Z".
std::string format_rfc3339(TimePoint t);

}  // namespace gw
