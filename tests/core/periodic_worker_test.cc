// PeriodicWorker on a FakeClock: its interval passes when the test moves the
// time, and FakeClock::waits() tells when a pass has ended (the worker waits again).
#include "gateway/core/periodic_worker.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "tests/support/fake_clock.h"

using namespace std::chrono_literals;
using gw::testing::FakeClock;

TEST_CASE("a periodic worker runs at once, again on wake, and stop does not wait out the interval",
          "[core][worker]") {
  FakeClock clock;
  std::atomic<int> runs{0};
  gw::PeriodicWorker w("test", clock, 1h, [&] { ++runs; });
  CHECK(clock.waiting() == 0);  // no thread before start()
  w.start();
  REQUIRE(clock.await_waits(1));
  CHECK(runs.load() == 1);
  w.wake();
  REQUIRE(clock.await_waits(2));
  CHECK(runs.load() == 2);
  // The fake hour never passes: a stop that waited for it would not return.
  w.stop();
  CHECK(clock.waiting() == 0);
  clock.advance(2h);
  w.wake();
  CHECK(runs.load() == 2);
  CHECK(clock.waits() == 2);
}

TEST_CASE("a periodic worker runs again when its interval has passed on its clock, and not before",
          "[core][worker]") {
  FakeClock clock;
  std::atomic<int> runs{0};
  gw::PeriodicWorker w("ticker", clock, 1min, [&] { ++runs; });
  w.start();
  REQUIRE(clock.await_waits(1));
  clock.advance(59s);         // returns once the worker has looked at the time
  CHECK(clock.waits() == 1);  // still in its first wait: it did not run
  CHECK(clock.waiting() == 1);
  CHECK(runs.load() == 1);
  clock.advance(1s);
  REQUIRE(clock.await_waits(2));
  CHECK(runs.load() == 2);
  // The next interval counts from the end of that run.
  clock.advance(30s);
  CHECK(clock.waits() == 2);
  clock.advance(30s);
  REQUIRE(clock.await_waits(3));
  CHECK(runs.load() == 3);
  w.stop();
}

TEST_CASE("stop waits for the task in progress to finish", "[core][worker]") {
  FakeClock clock;
  std::atomic<bool> started{false}, finished{false};
  gw::PeriodicWorker* self = nullptr;
  gw::PeriodicWorker w("slow", clock, 1h, [&] {
    started = true;
    started.notify_all();
    // Still busy when stop() is called: this run ends only after it.
    while (!self->stop_requested()) std::this_thread::yield();
    finished = true;
  });
  self = &w;
  w.start();
  started.wait(false);
  w.stop();
  CHECK(finished.load());
}

TEST_CASE("a task that throws is logged and the worker keeps running", "[core][worker]") {
  FakeClock clock;
  std::atomic<int> runs{0};
  gw::PeriodicWorker w("thrower", clock, 5ms, [&] {
    ++runs;
    throw std::runtime_error("boom");
  });
  w.start();
  REQUIRE(clock.await_waits(1));
  clock.advance(5ms);
  REQUIRE(clock.await_waits(2));
  clock.advance(5ms);
  REQUIRE(clock.await_waits(3));
  w.stop();
  CHECK(runs.load() == 3);
}
