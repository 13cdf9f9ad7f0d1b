// ShutdownSignals: turns SIGTERM and SIGINT into a callback on a thread of its
// own, so that shutdown runs as ordinary code (stop the server, stop workers,
// close the store) rather than inside a signal handler.
//
// REQUIRES: constructed before any other thread starts, so that every thread
// inherits the blocked signal mask and only this one receives the signals.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace gw::cli {

class ShutdownSignals {
 public:
  explicit ShutdownSignals(std::function<void(int signal)> on_signal);
  ~ShutdownSignals();  // joins the waiting thread
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // The signal received, or 0.
  int received() const { return received_.load(); }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<int> received_{0};
  std::atomic<bool> closing_{false};
  std::thread waiter_;
};

}  // namespace gw::cli
