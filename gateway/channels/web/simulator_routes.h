// The browser simulator's API, served when a `web` channel is configured:
//   GET  /simulator/api/options   the languages (with their own names) and channels
//   POST /simulator/api/messages  {"session": id|null, "text", "language", "channel", "from"}
//        → {"session": id, "replies": [{text, language, encoding, segments, rtl, key}],
//           "events": [{"event": ...}]}
// Conversations live in memory only (Simulator), never in the store: nothing a
// visitor types is kept. Sessions are bounded in number and expire when idle.
#pragma once

#include <string>

#include "gateway/core/clock.h"

namespace gw {

namespace http {
class HttpServer;
}

struct SimulatorRoutesOptions {
  std::string content_dir = ".";
  bool serve_fuzzy = true;
  size_t max_sessions = 200;
  std::chrono::minutes idle = std::chrono::minutes(30);
};

void add_simulator_routes(http::HttpServer& server, Clock& clock, SimulatorRoutesOptions options);

}  // namespace gw
