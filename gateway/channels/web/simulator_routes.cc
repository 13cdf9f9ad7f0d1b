#include "gateway/channels/web/simulator_routes.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>

#include "gateway/channels/web/simulator_request.h"
#include "gateway/content/languages.h"
#include "gateway/conversations/simulator.h"
#include "gateway/core/ids.h"
#include "gateway/core/log.h"
#include "gateway/http/server.h"

namespace gw {
namespace {

using nlohmann::json;

constexpr size_t kMaxBodyBytes = 16 * 1024;

// Names of the languages the helpline works in, in English and in their own script.
const std::map<std::string, std::pair<std::string, std::string>>& language_names() {
  static const std::map<std::string, std::pair<std::string, std::string>> names = {
      {"en", {"English", "English"}},     {"ar", {"Arabic", "العربية"}},
      {"fa", {"Farsi", "فارسی"}},          {"prs", {"Dari", "دری"}},
      {"ps", {"Pashto", "پښتو"}},          {"ti", {"Tigrinya", "ትግርኛ"}},
      {"so", {"Somali", "Soomaali"}},     {"fr", {"French", "Français"}},
      {"uk", {"Ukrainian", "Українська"}}, {"it", {"Italian", "Italiano"}},
      {"hr", {"Croatian", "Hrvatski"}},   {"nl", {"Dutch", "Nederlands"}},
      {"ur", {"Urdu", "اردو"}},
  };
  return names;
}

// One visitor's conversation. Its own lock: a turn of one visitor never waits for
// another's.
struct Entry {
  std::mutex mu;
  std::unique_ptr<Simulator> sim;
  TimePoint last_used;  // guarded by Sessions::mu_
};

class Sessions {
 public:
  explicit Sessions(SimulatorRoutesOptions options) : options_(std::move(options)) {}

  // Runs one message; creates the session when `id` is empty or unknown. The
  // sessions' lock is held only to find, add or drop an entry, never while content
  // is loaded or a flow runs.
  Result<json> send(const std::string& id, const SimulatorOptions& so, const std::string& text, TimePoint now) {
    std::string sid = id;
    std::shared_ptr<Entry> entry = find(sid, now);
    if (!entry) {
      auto sim = Simulator::open(options_.content_dir, so);
      if (!sim) return sim.error();
      entry = std::make_shared<Entry>();
      entry->sim = std::move(*sim);
      entry->last_used = now;
      sid = to_hex(random_bytes(16));
      std::lock_guard<std::mutex> lock(mu_);
      evict(now);
      sessions_.emplace(sid, entry);
    }
    SimulatedTurn turn;
    {
      std::lock_guard<std::mutex> lock(entry->mu);
      turn = entry->sim->send(text, now);
    }
    json replies = json::array();
    for (const SimulatedReply& r : turn.replies) {
      replies.push_back({{"text", r.text}, {"language", r.language}, {"encoding", r.encoding},
                         {"segments", r.segments}, {"rtl", is_rtl(r.language)}, {"key", r.key}});
    }
    json events = json::array();
    for (const json& e : turn.events) events.push_back(e);
    return json{{"session", sid}, {"replies", replies}, {"events", events}};
  }

  json options() {
    json langs = json::array();
    auto sim = Simulator::open(options_.content_dir, SimulatorOptions{});
    std::vector<std::string> codes = {"en"};
    if (sim) codes = (*sim)->renderer().languages();
    for (const std::string& code : codes) {
      auto n = language_names().find(code);
      std::string name = n == language_names().end() ? code : n->second.first;
      std::string native = n == language_names().end() ? code : n->second.second;
      langs.push_back({{"code", code}, {"name", name}, {"native", native}, {"rtl", is_rtl(code)}});
    }
    return json{{"languages", langs}, {"channels", {"sms", "whatsapp", "telegram"}}, {"title", "Helpline"}};
  }

 private:
  std::shared_ptr<Entry> find(const std::string& id, TimePoint now) {
    if (id.empty()) return nullptr;
    std::lock_guard<std::mutex> lock(mu_);
    evict(now);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    it->second->last_used = now;
    return it->second;
  }

  // REQUIRES: mu_ held. An entry dropped while its turn runs lives until the turn ends.
  void evict(TimePoint now) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (now - it->second->last_used > options_.idle) it = sessions_.erase(it);
      else ++it;
    }
    while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) {
      auto oldest = sessions_.begin();
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        if (it->second->last_used < oldest->second->last_used) oldest = it;
      }
      sessions_.erase(oldest);
    }
  }

  SimulatorRoutesOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> sessions_;
};

}  // namespace

void add_simulator_routes(http::HttpServer& server, Clock& clock, SimulatorRoutesOptions options) {
  auto sessions = std::make_shared<Sessions>(options);
  server.get("/simulator/api/options", "simulator_options", [sessions](const httplib::Request&, httplib::Response& res) {
    http::send_json(res, 200, sessions->options());
  });
  server.post("/simulator/api/messages", "simulator_message",
              [sessions, &clock](const httplib::Request& req, httplib::Response& res) {
                // Bounded before it is parsed: the largest text (1,600 bytes) fits
                // many times over, even written as \u escapes.
                if (req.body.size() > kMaxBodyBytes) {
                  http::send_json_error(res, 413, "payload_too_large",
                                        "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
                  return;
                }
                auto request = parse_simulator_message(req.body);
                if (!request) {
                  http::send_json_error(res, 400, "bad_request", request.error().message);
                  return;
                }
                auto out = sessions->send(request->session, request->options, request->text, clock.now());
                if (!out) {
                  log::error("simulator.failed", {{"error", out.error().to_string()}});
                  http::send_json_error(res, 500, "content_error", "the content could not be loaded: run gateway check");
                  return;
                }
                http::send_json(res, 200, *out);
              });
}

}  // namespace gw
