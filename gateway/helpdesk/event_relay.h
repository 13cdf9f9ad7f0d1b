// EventRelay: the helpdesk's events (events.h) carried between gateway
// instances that share one store, so that an operator whose console is
// connected to one instance sees at once what happened through another (a
// message that came in there, a handover taken there).
//
// Each event published on this instance's bus goes out through
// Store::notify (PostgreSQL's NOTIFY, topic "gateway_helpdesk"), from a thread
// of the relay's own, so a publisher never waits for the database; each one that
// comes in from another instance is published on this bus. An event carries ids
// and queue names only (events.h), never a message body or an address; the relay
// adds the id of the instance it came from, so an instance ignores its own.
// With a store that has no notifications (SQLite: one process) start() does
// nothing. At most kMaxPending events wait to go out; beyond that the oldest is
// dropped (a console reloads what it missed on its next refresh).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gateway/core/result.h"
#include "gateway/helpdesk/events.h"
#include "gateway/store/store.h"

namespace gw {

class EventRelay {
 public:
  static constexpr size_t kMaxPending = 1024;
  static constexpr const char* kTopic = "gateway_helpdesk";

  EventRelay(EventBus& bus, Store& store);
  ~EventRelay();
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // Subscribes to the bus and listens to the other instances.
  Status start();
  // Stops relaying; events still waiting to go out are sent first (briefly).
  void stop();

  // The wire form of an event, and back (nullopt for anything malformed or
  // oversized: a notification is input like any other).
  static std::string encode(const HelpdeskEvent& e, const std::string& origin);
  struct Decoded {
    HelpdeskEvent event;
    std::string origin;
  };
  static std::optional<Decoded> decode(const std::string& payload);

  // Events sent, received from others, and dropped (queue full or send failed).
  size_t sent() const;
  size_t received() const;
  size_t dropped() const;

 private:
  void on_local(const HelpdeskEvent& e);
  void on_remote(const std::string& payload);
  void run_sender();

  EventBus& bus_;
  Store& store_;
  const std::string origin_;
  int subscription_ = 0;
  std::unique_ptr<Store::Listening> listening_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> pending_;
  bool stopping_ = false;
  size_t sent_ = 0;
  size_t received_ = 0;
  size_t dropped_ = 0;
  std::thread sender_;
};

}  // namespace gw
