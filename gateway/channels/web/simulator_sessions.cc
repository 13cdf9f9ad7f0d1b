#include "gateway/channels/web/simulator_sessions.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gateway/content/languages.h"
#include "gateway/core/ids.h"
#include "gateway/core/log.h"

namespace gw {
namespace {

using nlohmann::json;

constexpr size_t kMaxBuckets = 4096;  // clients tracked for the rate; full buckets go first

json error_body(const std::string& code, const std::string& message) {
  return json{{"error", code}, {"message", message}};
}

std::chrono::seconds at_least_one_second(std::chrono::nanoseconds d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d);
  return std::max(s, std::chrono::seconds(1));
}

}  // namespace

std::string client_key(const std::string& remote_addr) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, remote_addr.c_str(), &v6) != 1) return remote_addr;
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN] = {};
  if (std::memcmp(v6.s6_addr, kMapped, sizeof kMapped) == 0) {
    inet_ntop(AF_INET, v6.s6_addr + 12, text, sizeof text);
    return text;
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  inet_ntop(AF_INET6, &v6, text, sizeof text);
  return std::string(text) + "/64";
}

struct SimulatorSessions::Entry {
  std::mutex mu;  // held while a turn runs
  std::unique_ptr<Simulator> sim;
  std::string client;
  TimePoint last_used;  // guarded by SimulatorSessions::mu_
};

SimulatorSessions::SimulatorSessions(SimulatorLimits limits, SimulatorContentCache& content)
    : limits_(limits), content_(content) {}

size_t SimulatorSessions::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

size_t SimulatorSessions::count_of(const std::string& client) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

bool SimulatorSessions::end(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  erase(it);
  return true;
}

SimulatorAnswer SimulatorSessions::send(const std::string& client, const std::string& id,
                                        const SimulatorOptions& options, const std::string& text,
                                        TimePoint now) {
  std::string sid = id;
  std::shared_ptr<Entry> entry = find(sid, now);
  if (!entry) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      drop_idle(now);
      if (auto refused = admit(client, now)) return *refused;
      take_token(client, now);
    }
    auto content = content_.get();
    if (!content) {
      log::error("simulator.failed", {{"error", content.error().to_string()}});
      return {500, error_body("content_error", "the content could not be loaded: run gateway check")};
    }
    entry = std::make_shared<Entry>();
    entry->sim = std::make_unique<Simulator>(std::move(*content), options);
    entry->client = client;
    entry->last_used = now;
    sid = to_hex(random_bytes(16));
    std::lock_guard<std::mutex> lock(mu_);
    drop_idle(now);
    // Another request of the same client may have taken the last place meanwhile.
    if (per_client_[client] >= limits_.max_per_address) {
      SimulatorAnswer refused = *admit(client, now);
      return refused;
    }
    make_room();
    sessions_.emplace(sid, entry);
    ++per_client_[client];
  }
  SimulatedTurn turn;
  {
    std::lock_guard<std::mutex> lock(entry->mu);
    turn = entry->sim->send(text, now);
  }
  json replies = json::array();
  for (const SimulatedReply& r : turn.replies) {
    replies.push_back({{"text", r.text},
                       {"language", r.language},
                       {"encoding", r.encoding},
                       {"segments", r.segments},
                       {"rtl", is_rtl(r.language)},
                       {"key", r.key}});
  }
  json events = json::array();
  for (const json& e : turn.events) events.push_back(e);
  return {200, json{{"session", sid}, {"replies", replies}, {"events", events}}};
}

std::shared_ptr<SimulatorSessions::Entry> SimulatorSessions::find(const std::string& id, TimePoint now) {
  if (id.empty()) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  drop_idle(now);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  it->second->last_used = now;
  return it->second;
}

std::optional<SimulatorAnswer> SimulatorSessions::admit(const std::string& client, TimePoint now) {
  if (auto c = per_client_.find(client); c != per_client_.end() && c->second >= limits_.max_per_address) {
    // Its place frees when its least recently used conversation goes idle.
    TimePoint oldest = TimePoint::max();
    for (const auto& [sid, e] : sessions_) {
      if (e->client == client) oldest = std::min(oldest, e->last_used);
    }
    return SimulatorAnswer{429,
                           error_body("too_many_sessions",
                                      "too many conversations from this address at once; "
                                      "end one or wait for one to expire"),
                           at_least_one_second(oldest + limits_.idle - now)};
  }
  const double rate = limits_.new_per_minute / 60.0;  // tokens a second
  auto b = buckets_.find(client);
  if (b == buckets_.end()) return std::nullopt;
  const double elapsed = std::chrono::duration<double>(now - b->second.at).count();
  const double tokens =
      std::min<double>(limits_.new_per_minute, b->second.tokens + std::max(0.0, elapsed) * rate);
  if (tokens >= 1.0) return std::nullopt;
  const auto wait = std::chrono::duration<double>((1.0 - tokens) / rate);
  return SimulatorAnswer{
      429, error_body("rate_limited", "too many new conversations from this address; try again later"),
      at_least_one_second(std::chrono::duration_cast<std::chrono::nanoseconds>(wait))};
}

void SimulatorSessions::take_token(const std::string& client, TimePoint now) {
  const double cap = limits_.new_per_minute;
  const double rate = cap / 60.0;
  auto b = buckets_.find(client);
  if (b == buckets_.end()) {
    if (buckets_.size() >= kMaxBuckets) {
      // Forget the clients whose buckets are full again: they start where they were.
      for (auto it = buckets_.begin(); it != buckets_.end();) {
        const double elapsed = std::chrono::duration<double>(now - it->second.at).count();
        if (it->second.tokens + elapsed * rate >= cap)
          it = buckets_.erase(it);
        else
          ++it;
      }
      if (buckets_.size() >= kMaxBuckets) {
        auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](const auto& a, const auto& c) {
          return a.second.at < c.second.at;
        });
        buckets_.erase(oldest);
      }
    }
    buckets_.emplace(client, Bucket{cap - 1.0, now});
    return;
  }
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b->second.at).count());
  b->second.tokens = std::min(cap, b->second.tokens + elapsed * rate) - 1.0;
  b->second.at = now;
}

void SimulatorSessions::erase(std::map<std::string, std::shared_ptr<Entry>>::iterator it) {
  auto c = per_client_.find(it->second->client);
  if (c != per_client_.end() && --c->second == 0) per_client_.erase(c);
  sessions_.erase(it);
}

// REQUIRES: mu_ held. An entry dropped while its turn runs lives until the turn ends.
void SimulatorSessions::drop_idle(TimePoint now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second->last_used > limits_.idle)
      erase(it++);
    else
      ++it;
  }
}

// REQUIRES: mu_ held.
void SimulatorSessions::make_room() {
  while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
    // The client holding the most conversations gives up its least recently used
    // (among clients holding as many, the least recently used conversation goes).
    auto victim = sessions_.begin();
    size_t victim_count = per_client_[victim->second->client];
    for (auto it = std::next(sessions_.begin()); it != sessions_.end(); ++it) {
      const size_t count = per_client_[it->second->client];
      if (count > victim_count ||
          (count == victim_count && it->second->last_used < victim->second->last_used)) {
        victim = it;
        victim_count = count;
      }
    }
    erase(victim);
  }
}

}  // namespace gw
