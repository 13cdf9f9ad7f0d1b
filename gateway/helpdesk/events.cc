#include "gateway/helpdesk/events.h"

#include <vector>

namespace gw {

std::optional<HelpdeskEvent> EventQueue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_ || !events_.empty(); });
  if (events_.empty()) return std::nullopt;
  HelpdeskEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

size_t EventQueue::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void EventQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

void EventQueue::push(const HelpdeskEvent& e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    if (max_size_ > 0 && events_.size() >= max_size_) {
      events_.pop_front();
      ++dropped_;
    }
    events_.push_back(e);
  }
  cv_.notify_one();
}

int EventBus::subscribe(Callback callback) {
  std::lock_guard<std::mutex> lock(mu_);
  const int id = next_id_++;
  callbacks_[id] = std::move(callback);
  return id;
}

std::shared_ptr<EventQueue> EventBus::subscribe_queue(size_t max_size) {
  auto q = std::make_shared<EventQueue>(max_size);
  std::lock_guard<std::mutex> lock(mu_);
  queues_[q.get()] = q;
  return q;
}

void EventBus::unsubscribe(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_.erase(id);
}

void EventBus::unsubscribe(const std::shared_ptr<EventQueue>& queue) {
  std::lock_guard<std::mutex> lock(mu_);
  queues_.erase(queue.get());
}

void EventBus::publish(const HelpdeskEvent& event) {
  std::vector<Callback> callbacks;
  std::vector<std::shared_ptr<EventQueue>> queues;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, cb] : callbacks_) callbacks.push_back(cb);
    for (const auto& [ptr, q] : queues_) queues.push_back(q);
  }
  for (const auto& q : queues) q->push(event);
  for (const auto& cb : callbacks) cb(event);
}

}  // namespace gw
