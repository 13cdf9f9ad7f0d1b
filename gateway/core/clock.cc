#include "gateway/core/clock.h"

#include <cstdio>
#include <ctime>
#include <thread>

namespace gw {

TimePoint SystemClock::now() const {
  return std::chrono::system_clock::now();
}

void SystemClock::sleep_for(Millis d) {
  std::this_thread::sleep_for(d);
}

bool SystemClock::wait_for(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Millis d,
                           const std::function<bool()>& done) {
  return cv.wait_for(lock, d, done);
}

int64_t to_unix_ms(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

TimePoint from_unix_ms(int64_t ms) {
  return TimePoint(Millis(ms));
}

std::string format_rfc3339(TimePoint t) {
  const int64_t ms = to_unix_ms(t);
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace gw
