// SimulatorSessions: the browser simulator's conversations in memory, bounded so
// that no one client can take the simulator from everyone else.
//
// - A conversation is dropped after `idle` without a message, or when it ends
//   (end()).
// - Each client address (an IPv4 address, or an IPv6 /64: one subscriber's
//   network) may hold at most `max_per_address` live conversations; one more is
//   refused (429), it never replaces anyone's.
// - Each client address may start at most `new_per_minute` conversations a minute
//   (a token bucket holding that many), refused with 429 and the wait.
// - When all `max_sessions` are taken, a new conversation takes the place of the
//   least recently used one of the address holding the most: a client that fills
//   the table loses its own conversations first.
//
// Thread-safe. The table's lock is held only to find, add or drop an entry, never
// while a flow runs; each conversation has a lock of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/conversations/simulator.h"
#include "gateway/conversations/simulator_content.h"
#include "gateway/core/clock.h"

namespace gw {

struct SimulatorLimits {
  size_t max_sessions = 200;
  size_t max_per_address = 20;
  int new_per_minute = 20;
  std::chrono::minutes idle = std::chrono::minutes(30);
};

// What a request gets: 200 with the turn, 429 with a wait, or 500 when the
// content cannot be loaded; `body` is the JSON to send either way.
struct SimulatorAnswer {
  int status = 200;
  nlohmann::json body;
  std::chrono::seconds retry_after{0};  // with 429
};

// The key limits are counted by: an IPv4 address as it is (also when written as
// an IPv4-mapped IPv6 address), an IPv6 address's first 64 bits; anything else as it is.
std::string client_key(const std::string& remote_addr);

class SimulatorSessions {
 public:
  // `content` must outlive this object.
  SimulatorSessions(SimulatorLimits limits, SimulatorContentCache& content);

  // Runs one message from `client` (a client_key()); starts a conversation when
  // `id` is empty or unknown (expired, ended, replaced), within the limits above.
  SimulatorAnswer send(const std::string& client, const std::string& id, const SimulatorOptions& options,
                       const std::string& text, TimePoint now);

  // Ends conversation `id` (its id is what lets a client end it); false when there is none.
  bool end(const std::string& id);

  // Live conversations, of everyone / of `client`.
  size_t size() const;
  size_t count_of(const std::string& client) const;

 private:
  struct Entry;
  struct Bucket {
    double tokens = 0;
    TimePoint at{};
  };

  std::shared_ptr<Entry> find(const std::string& id, TimePoint now);
  // REQUIRES: mu_ held. Each returns the refusal, or nullopt when the client may start one.
  std::optional<SimulatorAnswer> admit(const std::string& client, TimePoint now);
  void take_token(const std::string& client, TimePoint now);
  void drop_idle(TimePoint now);
  void make_room();
  void erase(std::map<std::string, std::shared_ptr<Entry>>::iterator it);

  SimulatorLimits limits_;
  SimulatorContentCache& content_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> sessions_;  // by id
  std::map<std::string, size_t> per_client_;                // live conversations by client
  std::map<std::string, Bucket> buckets_;                   // new-conversation tokens by client
};

}  // namespace gw
