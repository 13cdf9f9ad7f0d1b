#include "gateway/cli/shutdown_signals.h"

#include <pthread.h>
#include <signal.h>

namespace gw::cli {
namespace {

sigset_t shutdown_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ShutdownSignals::ShutdownSignals(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  sigset_t set = shutdown_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client that hangs up mid-response must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

ShutdownSignals::~ShutdownSignals() {
  stop();
}

void ShutdownSignals::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  waiter_ = std::thread([this] {
    sigset_t s = shutdown_set();
    int sig = 0;
    if (sigwait(&s, &sig) != 0) return;
    if (closing_.load()) return;  // woken by stop()
    received_.store(sig);
    on_signal_(sig);
  });
}

void ShutdownSignals::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!waiter_.joinable()) return;
  if (received_.load() == 0) {
    closing_.store(true);
    pthread_kill(waiter_.native_handle(), SIGTERM);
  }
  waiter_.join();
}

}  // namespace gw::cli
