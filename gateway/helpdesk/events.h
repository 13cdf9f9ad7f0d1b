// EventBus: in-process notifications of what happens in the helpdesk (a new
// handover, a message from a waiting person, assign, transfer, reply, close),
// for the operator console's live updates (Server-Sent Events).
//
// An event carries ids and the queue only, never a message body or an address:
// a subscriber reads what it may see through the helpdesk. Subscribers either
// get a callback (run on the publishing thread, without the bus's lock held:
// keep it short) or a bounded queue they drain from their own thread;
// a full queue drops its oldest event, so a stalled console never holds up
// the gateway. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace gw {

struct HelpdeskEvent {
  // "handover.created", "message.inbound", "handover.assigned",
  // "handover.transferred", "handover.replied", "handover.closed"
  std::string type;
  int64_t conversation_id = 0;
  int64_t handover_id = 0;
  std::string queue;
  std::string from_queue{};  // "handover.transferred": the queue it left
};

// A subscriber's own queue of events.
class EventQueue {
 public:
  explicit EventQueue(size_t max_size) : max_size_(max_size) {}
  // Waits up to `timeout` for an event; nullopt when none came or the queue was closed.
  std::optional<HelpdeskEvent> pop(std::chrono::milliseconds timeout);
  size_t dropped() const;
  // Wakes a waiting pop(); later pops return at once.
  void close();

 private:
  friend class EventBus;
  void push(const HelpdeskEvent& e);

  const size_t max_size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<HelpdeskEvent> events_;
  size_t dropped_ = 0;
  bool closed_ = false;
};

class EventBus {
 public:
  using Callback = std::function<void(const HelpdeskEvent&)>;

  // Returns an id for unsubscribe().
  int subscribe(Callback callback);
  // A queue that receives every event from now on, until unsubscribed.
  std::shared_ptr<EventQueue> subscribe_queue(size_t max_size = 256);
  void unsubscribe(int id);
  void unsubscribe(const std::shared_ptr<EventQueue>& queue);

  void publish(const HelpdeskEvent& event);

 private:
  std::mutex mu_;
  int next_id_ = 1;
  std::map<int, Callback> callbacks_;
  std::map<EventQueue*, std::shared_ptr<EventQueue>> queues_;
};

}  // namespace gw
