// ConsoleApi: the operator console's JSON API over the Helpdesk service, and
// its live feed of helpdesk events as Server-Sent Events (event_stream.h).
//
// A thin adapter: every route runs StaffAuth::require() first (operators,
// supervisors and admins; a state change is a POST and needs the X-CSRF-Token
// header), parses the request, calls the Helpdesk, which decides who may do
// what and audits it, and maps its answer to JSON. `{id}` below is a handover
// id, as the queue list gives it.
//
//   GET  /api/helpdesk/queues         figures per queue (waiting, oldest wait, median
//                                     first response, median handling time over the
//                                     most recent handovers: helpdesk.h) and the
//                                     open conversations this operator may open
//   POST /api/helpdesk/next           the next conversation routing offers, now
//                                     assigned to the caller; 204 when none
//   GET  /api/helpdesk/conversations/{id}          history, contact (masked), notes;
//                                                  audited as conversation.open
//   POST /api/helpdesk/conversations/{id}/assign   {} or {"force": true}
//   POST /api/helpdesk/conversations/{id}/transfer {"queue", "operator"?: username}
//   POST /api/helpdesk/conversations/{id}/reply    {"text"}
//   POST /api/helpdesk/conversations/{id}/notes    {"text"}
//   POST /api/helpdesk/conversations/{id}/close    {"mode": "back_to_bot" | "end"}
//   POST /api/helpdesk/conversations/{id}/reveal   the full address, audited as
//                                                  contact.reveal
//   GET  /api/helpdesk/canned?conversation={id}    canned replies rendered in the
//                                                  person's language, with segments
//   POST /api/helpdesk/segments       {"text"} → {"encoding", "segments"} as an SMS
//   GET  /api/helpdesk/events         text/event-stream: one "data: {json}" per
//                                     helpdesk event the caller may see, and a
//                                     ": keepalive" comment when idle
//
// Errors are JSON {"error", "message"}: 400 for a bad body, 403 when the
// Helpdesk refuses, 404, 409 when another operator has the conversation, 503.
// Neither a message body nor an address is ever logged or put in an error.
//
// Event streams are bounded in number (ConsoleApiOptions) and end when their
// client goes away or at shutdown(), which the owner calls when the server is
// asked to stop: HttpServer::run() waits for open requests, streams included.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gateway/content/live_content.h"
#include "gateway/content/renderer.h"
#include "gateway/core/clock.h"
#include "gateway/helpdesk/event_stream.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/helpdesk.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/store/store.h"

namespace gw {

// What the console API works with; everything must outlive the ConsoleApi.
struct ConsoleContext {
  http::StaffAuth& auth;
  Helpdesk& helpdesk;
  Store& store;
  Clock& clock;  // "now" of the answers, and the event streams' keepalive
  EventBus& events;
  ContentSource content;  // its renderer: canned replies and handover reasons
};

struct ConsoleApiOptions {
  std::chrono::milliseconds keepalive{15000};  // an idle stream gets a comment this often (on the Clock)
  size_t max_streams = 32;                     // event streams open at once; more get 503
  size_t max_streams_per_account = 4;          // of one staff account; more get 429
};

class ConsoleApi {
 public:
  explicit ConsoleApi(ConsoleContext context, ConsoleApiOptions options = {});
  // Ends the streams still open (shutdown()).
  ~ConsoleApi();
  ConsoleApi(const ConsoleApi&) = delete;
  ConsoleApi& operator=(const ConsoleApi&) = delete;

  // Registers the /api/helpdesk/* routes. REQUIRES: the server is not running yet.
  void add_routes(http::HttpServer& server);

  // Ends every open event stream within a fraction of a second and refuses new
  // ones. Safe from any thread (a signal handler's thread included) and more
  // than once.
  void shutdown();

  // Event streams open now.
  size_t open_streams() const;
  // EventStreams::wait_for_open_streams.
  bool wait_for_open_streams(size_t n, std::chrono::milliseconds timeout) const;

 private:
  void queues(const httplib::Request& req, httplib::Response& res);
  void next(const httplib::Request& req, httplib::Response& res);
  void conversation(const httplib::Request& req, httplib::Response& res);
  void assign(const httplib::Request& req, httplib::Response& res);
  void transfer(const httplib::Request& req, httplib::Response& res);
  void reply(const httplib::Request& req, httplib::Response& res);
  void note(const httplib::Request& req, httplib::Response& res);
  void close(const httplib::Request& req, httplib::Response& res);
  void reveal(const httplib::Request& req, httplib::Response& res);
  void canned(const httplib::Request& req, httplib::Response& res);
  void segments(const httplib::Request& req, httplib::Response& res);
  void events(const httplib::Request& req, httplib::Response& res);

  // The caller, as the Helpdesk sees them, or nullopt with `res` filled.
  std::optional<OperatorView> caller(const httplib::Request& req, httplib::Response& res);
  // A state-changing request: its caller, its JSON object body and, when
  // `field` is given, that string field of the body; nullopt with `res` filled
  // (401/403 for the caller, 400 for the body or the field).
  struct Posted {
    OperatorView op;
    nlohmann::json body;
    std::string field;
  };
  std::optional<Posted> posted(const httplib::Request& req, httplib::Response& res,
                               const char* field = nullptr);
  // A handover reason (a template key) as text in the operator's language.
  std::string reason_text(const std::string& reason, const OperatorView& op) const;
  // Account id → username, for the names the console shows; nullopt with `res` filled.
  std::optional<std::map<int64_t, std::string>> usernames(httplib::Response& res, const char* action);

  ConsoleContext ctx_;
  EventStreams streams_;
};

// Who wrote a message: "person" (inbound), "operator" (outbound free text) or
// "bot" (outbound from a template: the flows and the helpdesk's own notices).
std::string message_author(const Message& m);

}  // namespace gw
