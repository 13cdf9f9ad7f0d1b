// PeriodicWorker: runs a task on a thread of its own every `interval` until
// stopped. stop() wakes it at once (no waiting out the interval) and returns
// after the task in progress, if any, has finished: that is what lets SIGTERM
// stop the workers cleanly before the store closes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gw {

class PeriodicWorker {
 public:
  // `task` runs first right after start(), then every `interval`.
  PeriodicWorker(std::string name, std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicWorker();  // stops it
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void start();
  // Idempotent; blocks until the thread has exited.
  void stop();
  // Asks for a run as soon as possible (e.g. new work arrived).
  void wake();
  const std::string& name() const { return name_; }

 private:
  void loop();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace gw
