#include "gateway/core/periodic_worker.h"

#include <exception>

#include "gateway/core/log.h"

namespace gw {

PeriodicWorker::PeriodicWorker(std::string name, Clock& clock, Millis interval, std::function<void()> task)
    : name_(std::move(name)), clock_(clock), interval_(interval), task_(std::move(task)) {}

PeriodicWorker::~PeriodicWorker() {
  stop();
}

void PeriodicWorker::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void PeriodicWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicWorker::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool PeriodicWorker::stop_requested() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

void PeriodicWorker::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    try {
      task_();
    } catch (const std::exception& e) {
      // A task must not take the process down; it is logged and runs again next time.
      log::error("worker.task_failed", {{"worker", name_}, {"what", e.what()}});
    }
    lock.lock();
    clock_.wait_for(lock, cv_, interval_, [this] { return stopping_ || woken_; });
  }
}

}  // namespace gw
