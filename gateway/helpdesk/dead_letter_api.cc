#include "gateway/helpdesk/dead_letter_api.h"

#include <nlohmann/json.hpp>

#include "gateway/core/log.h"

namespace gw {
namespace {

using nlohmann::json;

constexpr int kListLimit = 200;
const std::vector<std::string> kSupervisorRoles = {"supervisor", "admin"};

void send_store_error(httplib::Response& res, const Error& e, const char* action) {
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kTimeout) {
    return http::send_json_error(res, 503, "unavailable", "try again shortly");
  }
  log::error("dead_letters.failed", {{"action", action}, {"code", error_code_name(e.code)}});
  http::send_json_error(res, 500, "internal", "internal error");
}

}  // namespace

void DeadLetterApi::add_routes(http::HttpServer& server) {
  server.get("/api/helpdesk/dead-letters", "helpdesk_dead_letters",
             [this](const httplib::Request& req, httplib::Response& res) { list(req, res); });
  server.post("/api/helpdesk/dead-letters/([0-9]{1,18})/retry", "helpdesk_dead_letter_retry",
              [this](const httplib::Request& req, httplib::Response& res) { retry(req, res); });
}

void DeadLetterApi::list(const httplib::Request& req, httplib::Response& res) {
  if (!ctx_.auth.require(req, res, kSupervisorRoles)) return;
  auto total = ctx_.intake.dead_letter_count();
  if (!total) return send_store_error(res, total.error(), "list");
  auto letters = ctx_.intake.dead_letters(kListLimit);
  if (!letters) return send_store_error(res, letters.error(), "list");
  json out = json::array();
  for (const DeadLetter& d : *letters) {
    out.push_back({{"id", d.id},
                   {"channel", d.channel_id},
                   {"received_at", format_rfc3339(d.received_at)},
                   {"dead_at", format_rfc3339(d.dead_at)},
                   {"attempts", d.attempts},
                   {"error_kind", d.error_kind},
                   {"held", d.held}});
  }
  http::send_json(res, 200, {{"total", *total}, {"dead_letters", std::move(out)}});
}

void DeadLetterApi::retry(const httplib::Request& req, httplib::Response& res) {
  auto who = ctx_.auth.require(req, res, kSupervisorRoles);
  if (!who) return;
  int64_t id = 0;
  try {
    id = std::stoll(req.matches[1].str());
  } catch (...) {
    return http::send_json_error(res, 404, "not_found", "no such dead letter");
  }
  const TimePoint now = ctx_.clock.now();
  if (Status s = ctx_.intake.retry_dead_letter(id, now); !s) {
    if (s.error().code == ErrorCode::kNotFound) {
      return http::send_json_error(res, 404, "not_found", "no dead letter " + std::to_string(id));
    }
    return send_store_error(res, s.error(), "retry");
  }
  AuditEntry e;
  e.at = now;
  e.actor = "account:" + std::to_string(who->account_id);
  e.action = "intake.retry";
  e.subject = "intake:" + std::to_string(id);
  if (Status s = ctx_.store.append_audit(e); !s) {
    // The retry stands (the message is queued again); the missing entry is logged.
    log::error("audit.failed",
               {{"action", "intake.retry"}, {"intake_id", id}, {"error", s.error().to_string()}});
  }
  log::info("intake.retry_requested", {{"intake_id", id}, {"account_id", who->account_id}});
  if (ctx_.retried) ctx_.retried();
  http::send_json(res, 200, {{"ok", true}});
}

}  // namespace gw
