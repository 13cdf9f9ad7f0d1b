// The browser simulator's page and API, served when a `web` channel is configured:
//   GET  /                        redirects to the page, /simulator/index.html
//   GET  /simulator/api/options   the languages (with their own names), channels and access
//   POST /simulator/api/messages  {"session": id|null, "text", "language", "channel", "from"}
//        → {"session": id, "replies": [{text, language, encoding, segments, rtl, key}],
//           "events": [{"event": ...}]}
//   POST /simulator/api/end       {"session": id} → {"ended": bool}: the page ends its
//                                 conversation when it is left or started over
// Conversations live in memory only (Simulator), never in the store: nothing a
// visitor types is kept. They are bounded in number, per client address and in
// how fast a client may start them (SimulatorSessions), and expire when idle. The
// content is loaded once and again only when its files change (SimulatorContentCache).
//
// POSTs must be Content-Type: application/json (415 otherwise), so that a form
// on another site cannot post to the simulator. Access:
//   kPublic  anyone (the default)
//   kStaff   the page redirects to the console's login (/console/) and the API
//            answers as StaffAuth::require does (401, 403 without X-CSRF-Token on POSTs)
//            unless the request has a live staff session
//   kOff     nothing is registered: every route answers 404
#pragma once

#include <chrono>
#include <string>

#include "gateway/channels/web/simulator_sessions.h"
#include "gateway/conversations/simulator_content.h"
#include "gateway/core/clock.h"

namespace gw {

namespace http {
class HttpServer;
class StaffAuth;
}  // namespace http

enum class SimulatorAccess { kPublic, kStaff, kOff };

// "public", "staff", "off"; nullopt for anything else.
std::optional<SimulatorAccess> parse_simulator_access(const std::string& text);

struct SimulatorRoutesOptions {
  std::string content_dir = ".";
  bool serve_fuzzy = true;
  SimulatorLimits limits;
  SimulatorAccess access = SimulatorAccess::kPublic;
  std::chrono::seconds content_check_every = std::chrono::seconds(5);
  // Loads the content; empty: load_simulator_content(content_dir, serve_fuzzy).
  SimulatorContentCache::Loader loader;
};

// Registers the page and the API on `server`. `clock` must outlive the server, and
// so must `staff`, which is required with SimulatorAccess::kStaff (ignored otherwise).
void add_simulator_routes(http::HttpServer& server, Clock& clock, SimulatorRoutesOptions options,
                          http::StaffAuth* staff = nullptr);

}  // namespace gw
