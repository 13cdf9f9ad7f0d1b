#include "gateway/core/periodic_worker.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;

TEST_CASE("a periodic worker runs at once, again on wake, and stop does not wait out the interval",
          "[core][worker]") {
  std::atomic<int> runs{0};
  gw::PeriodicWorker w("test", 1h, [&] { ++runs; });
  w.start();
  for (int i = 0; i < 200 && runs.load() < 1; ++i) std::this_thread::sleep_for(5ms);
  CHECK(runs.load() == 1);
  w.wake();
  for (int i = 0; i < 200 && runs.load() < 2; ++i) std::this_thread::sleep_for(5ms);
  CHECK(runs.load() == 2);
  const auto t0 = std::chrono::steady_clock::now();
  w.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  const int after = runs.load();
  std::this_thread::sleep_for(20ms);
  CHECK(runs.load() == after);
}

TEST_CASE("stop waits for the task in progress to finish", "[core][worker]") {
  std::atomic<bool> started{false}, finished{false};
  gw::PeriodicWorker w("slow", 1h, [&] {
    started = true;
    std::this_thread::sleep_for(150ms);
    finished = true;
  });
  w.start();
  while (!started.load()) std::this_thread::sleep_for(1ms);
  w.stop();
  CHECK(finished.load());
}

TEST_CASE("a task that throws is logged and the worker keeps running", "[core][worker]") {
  std::atomic<int> runs{0};
  gw::PeriodicWorker w("thrower", 5ms, [&] {
    ++runs;
    throw std::runtime_error("boom");
  });
  w.start();
  for (int i = 0; i < 400 && runs.load() < 3; ++i) std::this_thread::sleep_for(5ms);
  w.stop();
  CHECK(runs.load() >= 3);
}
