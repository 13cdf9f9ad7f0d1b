// ShutdownSignals: turns SIGTERM and SIGINT into a callback on a thread of its
// own, so that shutdown runs as ordinary code (stop the server, stop workers,
// close the store) rather than inside a signal handler.
//
// The constructor blocks the signals in the calling thread; start() starts the
// thread that waits for them.
// REQUIRES: constructed before any other thread starts, so that every thread
// inherits the blocked signal mask and only this one receives the signals.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace gw::cli {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int signal)> on_signal);
  ~ShutdownSignals();  // stops
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Starts the waiting thread; from then on a SIGTERM or SIGINT calls
  // `on_signal` on it, once. A no-op after the first call.
  void start();
  // Ends the waiting thread if no signal came; returns once it has exited
  // (after `on_signal`, if a signal came). Idempotent.
  void stop();

  // The signal received, or 0.
  int received() const { return received_.load(); }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<int> received_{0};
  std::atomic<bool> closing_{false};
  std::mutex mu_;  // start() and stop() from different threads
  bool started_ = false;
  std::thread waiter_;
};

}  // namespace gw::cli
