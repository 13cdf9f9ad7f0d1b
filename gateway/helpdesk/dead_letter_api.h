// DeadLetterApi: the supervisors' view of the intake's dead letters — inbound
// messages whose handling failed too often (gateway/store/intake.h) — and the
// one thing to do with them: have one tried again.
//
//   GET  /api/helpdesk/dead-letters              {"total": N, "dead_letters": [{"id", "channel",
//                                                "received_at", "dead_at", "attempts",
//                                                "error_kind", "held"}]}, oldest first, at
//                                                most 200; "held": the person's later
//                                                messages still in the intake
//   POST /api/helpdesk/dead-letters/{id}/retry   due again now, attempts counted afresh;
//                                                audited as intake.retry; 404 when {id} is
//                                                no dead letter
//
// Supervisors and admins only (StaffAuth::require; a POST needs the
// X-CSRF-Token header). Nothing of a message is shown — no body, no address,
// no error text, which could quote either — only ids, the channel, times,
// counts and the kind of error. Errors are JSON {"error", "message"}.
#pragma once

#include <functional>

#include "gateway/core/clock.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/store/intake.h"
#include "gateway/store/store.h"

namespace gw {

// What the dead-letter API works with; everything must outlive the DeadLetterApi.
struct DeadLetterContext {
  http::StaffAuth& auth;
  Intake& intake;
  Store& store;  // the audit log
  Clock& clock;
  std::function<void()> retried;  // after a retry: wakes the intake's worker (may be empty)
};

class DeadLetterApi {
 public:
  explicit DeadLetterApi(DeadLetterContext context) : ctx_(std::move(context)) {}

  // Registers the routes above. REQUIRES: the server is not running yet.
  void add_routes(http::HttpServer& server);

 private:
  void list(const httplib::Request& req, httplib::Response& res);
  void retry(const httplib::Request& req, httplib::Response& res);

  DeadLetterContext ctx_;
};

}  // namespace gw
