// ConsoleApi: the operator console's JSON API over the Helpdesk service, and
// its live feed of helpdesk events as Server-Sent Events.
//
// Every route runs StaffAuth::require() first (operators, supervisors and
// admins; a state change is a POST and needs the X-CSRF-Token header), then
// calls the Helpdesk, which checks who may do what and audits it. `{id}` below
// is a handover id, as the queue list gives it.
//
//   GET  /api/helpdesk/queues         figures per queue (waiting, oldest wait, median
//                                     first response, median handling time of the
//                                     conversations closed here since start) and
//                                     the open conversations this operator may open
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
// An event stream holds a worker thread while it is open (the server gives
// streams a pool of their own, so they never take the threads webhooks need),
// so their number is bounded: max_streams in all (more get 503) and
// max_streams_per_account for one account (more get 429). Each ends within a
// fraction of a second when the client goes away (http::client_gone()), or at
// shutdown(), which the owner calls when the server is asked to stop:
// HttpServer::run() waits for open requests, streams included.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/content/renderer.h"
#include "gateway/core/clock.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/helpdesk.h"
#include "gateway/helpdesk/person_messages.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/store/store.h"

namespace gw {

// What the console API works with; everything must outlive the ConsoleApi.
struct ConsoleContext {
  http::StaffAuth& auth;
  Helpdesk& helpdesk;
  Store& store;
  Clock& clock;
  EventBus& events;
  const Renderer& renderer;              // canned replies and handover reasons
  const PersonMessages& person_messages;  // the channel kind a contact is reached on
};

struct ConsoleApiOptions {
  std::chrono::milliseconds keepalive{15000};  // an idle stream gets a comment this often
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

 private:
  struct Stream;

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
  std::optional<Posted> posted(const httplib::Request& req, httplib::Response& res, const char* field = nullptr);
  // A handover reason (a template key) as text in the operator's language.
  std::string reason_text(const std::string& reason, const OperatorView& op) const;

  // Records how long a conversation closed through the console was handled.
  void record_handling(const std::string& queue, std::chrono::seconds s);

  ConsoleContext ctx_;
  ConsoleApiOptions options_;
  std::mutex handling_mu_;
  std::map<std::string, std::deque<std::chrono::seconds>> handling_;  // per queue, newest last, bounded
  std::atomic<bool> stopping_{false};
  mutable std::mutex streams_mu_;
  std::set<std::shared_ptr<EventQueue>> streams_;
  std::map<int64_t, size_t> streams_of_;  // open streams by account id
};

// The template keys offered as canned replies to a person in `country` (ISO
// 3166 alpha-2, "" when unknown: then every country's numbers are offered).
std::vector<std::string> canned_reply_keys(const std::string& country);

// Who wrote a message: "person" (inbound), "operator" (outbound free text) or
// "bot" (outbound from a template: the flows and the helpdesk's own notices).
std::string message_author(const Message& m);

// Whether a console of `op` is told about event `e`: events of conversations
// in queues they may open, and the transfer of one out of such a queue (so
// that it leaves their list). Nothing of other queues.
bool event_visible(const OperatorView& op, const HelpdeskEvent& e);
// The Server-Sent Events frame `op` gets for `e`, nullopt when none
// (event_visible). A transfer out of their queues does not name the new queue.
std::optional<std::string> event_frame_for(const OperatorView& op, const HelpdeskEvent& e);

}  // namespace gw
