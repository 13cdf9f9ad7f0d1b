// PeriodicWorker: runs a task on a thread of its own every `interval` until
// stopped. stop() wakes it at once (no waiting out the interval) and returns
// after the task in progress, if any, has finished: that is what lets SIGTERM
// stop the workers cleanly before the store closes.
//
// The interval is waited out on the Clock it is given: with a FakeClock, a test
// moves the time and the worker runs when its interval has passed, not before.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/clock.h"

namespace gw {

class PeriodicWorker {
 public:
  // `task` runs first right after start(), then every `interval` on `clock`.
  // No thread runs before start(). REQUIRES: `clock` outlives this worker.
  PeriodicWorker(std::string name, Clock& clock, Millis interval, std::function<void()> task);
  ~PeriodicWorker();  // stops it
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // Starts the thread (a no-op while it runs). A stopped worker may start again.
  void start();
  // Idempotent; blocks until the thread has exited.
  void stop();
  // Asks for a run as soon as possible (e.g. new work arrived).
  void wake();
  // True from stop() until the next start(): a long task may end early.
  bool stop_requested() const;
  const std::string& name() const { return name_; }

 private:
  void loop();

  std::string name_;
  Clock& clock_;
  Millis interval_;
  std::function<void()> task_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace gw
