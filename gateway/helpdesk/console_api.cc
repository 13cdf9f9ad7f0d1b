#include "gateway/helpdesk/console_api.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "gateway/content/sms_encoding.h"
#include "gateway/core/log.h"
#include "gateway/helpdesk/console_body.h"

namespace gw {
namespace {

using nlohmann::json;

const std::vector<std::string> kConsoleRoles = {"operator", "supervisor", "admin"};

std::string rfc3339(TimePoint t) {
  return format_rfc3339(t);
}

int64_t seconds_between(TimePoint from, TimePoint to) {
  return std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(to - from).count());
}

json optional_seconds(const std::optional<std::chrono::seconds>& s) {
  return s ? json(s->count()) : json(nullptr);
}

// The handover id of a /conversations/{id}... path, or 0.
int64_t path_id(const httplib::Request& req) {
  if (req.matches.size() < 2) return 0;
  try {
    return std::stoll(req.matches[1].str());
  } catch (...) {
    return 0;
  }
}

// A JSON object body, or nullopt with a 400 in `res`. An empty body is {}.
std::optional<json> object_body(const httplib::Request& req, httplib::Response& res) {
  auto j = parse_console_body(req.body);
  if (!j) {
    http::send_json_error(res, 400, "invalid_request", j.error().message);
    return std::nullopt;
  }
  return std::move(*j);
}

// The string field `name` of `body`, or nullopt with a 400 in `res`.
std::optional<std::string> string_field(const json& body, const char* name, httplib::Response& res) {
  auto value = console_string(body, name);
  if (!value) {
    http::send_json_error(res, 400, "invalid_request", value.error().message);
    return std::nullopt;
  }
  return std::move(*value);
}

// A Helpdesk error as an HTTP answer. Its messages hold ids and codes only;
// anything unexpected is logged by code and answered without detail.
void send_error(httplib::Response& res, const Error& e, const char* action) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return http::send_json_error(res, 400, "invalid_request", e.message);
    case ErrorCode::kNotFound:
      return http::send_json_error(res, 404, "not_found", e.message);
    case ErrorCode::kAlreadyExists:
      return http::send_json_error(res, 409, "taken", e.message);
    case ErrorCode::kPermissionDenied:
      return http::send_json_error(res, 403, "forbidden", e.message);
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return http::send_json_error(res, 503, "unavailable", "try again shortly");
    default:
      log::error("console.failed", {{"action", action}, {"code", static_cast<int>(e.code)}});
      return http::send_json_error(res, 500, "internal", "internal error");
  }
}

}  // namespace

std::string message_author(const Message& m) {
  if (m.direction == "in") return "person";
  return m.template_key.empty() ? "operator" : "bot";
}

ConsoleApi::ConsoleApi(ConsoleContext context, ConsoleApiOptions options)
    : ctx_(context),
      streams_(context.auth, context.events, context.clock,
               EventStreamOptions{options.keepalive, options.max_streams, options.max_streams_per_account}) {}

ConsoleApi::~ConsoleApi() {
  shutdown();
}

void ConsoleApi::shutdown() {
  streams_.shutdown();
}

size_t ConsoleApi::open_streams() const {
  return streams_.open_streams();
}

bool ConsoleApi::wait_for_open_streams(size_t n, std::chrono::milliseconds timeout) const {
  return streams_.wait_for_open_streams(n, timeout);
}

void ConsoleApi::add_routes(http::HttpServer& server) {
  auto bind = [this](void (ConsoleApi::*fn)(const httplib::Request&, httplib::Response&)) {
    return [this, fn](const httplib::Request& req, httplib::Response& res) { (this->*fn)(req, res); };
  };
  const std::string conv = "/api/helpdesk/conversations/([0-9]{1,18})";
  server.get("/api/helpdesk/queues", "helpdesk_queues", bind(&ConsoleApi::queues));
  server.post("/api/helpdesk/next", "helpdesk_next", bind(&ConsoleApi::next));
  server.get(conv, "helpdesk_conversation", bind(&ConsoleApi::conversation));
  server.post(conv + "/assign", "helpdesk_assign", bind(&ConsoleApi::assign));
  server.post(conv + "/transfer", "helpdesk_transfer", bind(&ConsoleApi::transfer));
  server.post(conv + "/reply", "helpdesk_reply", bind(&ConsoleApi::reply));
  server.post(conv + "/notes", "helpdesk_note", bind(&ConsoleApi::note));
  server.post(conv + "/close", "helpdesk_close", bind(&ConsoleApi::close));
  server.post(conv + "/reveal", "helpdesk_reveal", bind(&ConsoleApi::reveal));
  server.get("/api/helpdesk/canned", "helpdesk_canned", bind(&ConsoleApi::canned));
  server.post("/api/helpdesk/segments", "helpdesk_segments", bind(&ConsoleApi::segments));
  server.get("/api/helpdesk/events", "helpdesk_events", bind(&ConsoleApi::events));
}

std::optional<OperatorView> ConsoleApi::caller(const httplib::Request& req, httplib::Response& res) {
  auto p = ctx_.auth.require(req, res, kConsoleRoles);
  if (!p) return std::nullopt;
  OperatorView op;
  op.id = p->account_id;
  op.role = p->role;
  op.languages = p->languages;
  op.queues = p->queues;
  op.capacity = p->capacity;
  return op;
}

std::optional<ConsoleApi::Posted> ConsoleApi::posted(const httplib::Request& req, httplib::Response& res,
                                                     const char* field) {
  auto op = caller(req, res);
  if (!op) return std::nullopt;
  auto body = object_body(req, res);
  if (!body) return std::nullopt;
  Posted p{std::move(*op), std::move(*body), {}};
  if (field) {
    auto value = string_field(p.body, field, res);
    if (!value) return std::nullopt;
    p.field = std::move(*value);
  }
  return p;
}

std::string ConsoleApi::reason_text(const std::string& reason, const OperatorView& op) const {
  if (reason.empty()) return "";
  const std::string lang =
      std::find(op.languages.begin(), op.languages.end(), "en") != op.languages.end() || op.languages.empty()
          ? "en"
          : op.languages.front();
  const ContentView content = ctx_.content();
  auto r = content.renderer->render(reason, lang, "web");
  return r ? r->text : reason;
}

std::optional<std::map<int64_t, std::string>> ConsoleApi::usernames(httplib::Response& res,
                                                                    const char* action) {
  auto accounts = ctx_.store.list_accounts();
  if (!accounts) {
    send_error(res, accounts.error(), action);
    return std::nullopt;
  }
  std::map<int64_t, std::string> names;
  for (const Account& a : *accounts) names[a.id] = a.username;
  return names;
}

void ConsoleApi::queues(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  auto overview = ctx_.helpdesk.overview(*op);
  if (!overview) return send_error(res, overview.error(), "queues");
  auto names = usernames(res, "queues");
  if (!names) return;

  const TimePoint now = ctx_.clock.now();
  json queues = json::array();
  for (const QueueFigures& f : overview->queues) {
    queues.push_back({{"queue", f.queue},
                      {"waiting", f.waiting},
                      {"assigned", f.assigned},
                      {"oldest_wait_seconds", f.oldest_wait.count()},
                      {"median_first_response_seconds", optional_seconds(f.median_first_response)},
                      {"median_handling_seconds", optional_seconds(f.median_handling)}});
  }
  json conversations = json::array();
  for (const Handover& h : overview->conversations) {
    json o = {{"handover_id", h.id},
              {"conversation_id", h.conversation_id},
              {"queue", h.queue},
              {"priority", h.priority},
              {"language", h.language},
              {"state", h.state},
              {"operator", nullptr},
              {"mine", h.operator_id && *h.operator_id == op->id},
              {"waiting_seconds", seconds_between(h.created_at, now)},
              {"reason", reason_text(h.reason, *op)}};
    if (h.operator_id) {
      auto it = names->find(*h.operator_id);
      o["operator"] = it != names->end() ? it->second : std::to_string(*h.operator_id);
    }
    conversations.push_back(std::move(o));
  }
  http::send_json(res, 200, {{"queues", queues}, {"conversations", conversations}});
}

void ConsoleApi::next(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  auto taken = ctx_.helpdesk.take_next(*op);
  if (!taken) return send_error(res, taken.error(), "next");
  if (!taken->has_value()) {
    res.status = 204;
    return;
  }
  const Handover& h = **taken;
  http::send_json(res, 200,
                  {{"handover_id", h.id},
                   {"conversation_id", h.conversation_id},
                   {"queue", h.queue},
                   {"priority", h.priority},
                   {"language", h.language},
                   {"state", h.state}});
}

void ConsoleApi::conversation(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  auto view = ctx_.helpdesk.conversation_view(path_id(req), *op);
  if (!view) return send_error(res, view.error(), "conversation");
  auto names = usernames(res, "conversation");
  if (!names) return;
  auto username = [&](std::optional<int64_t> id) -> json {
    if (!id) return nullptr;
    auto it = names->find(*id);
    return it != names->end() ? json(it->second) : json(std::to_string(*id));
  };

  const Handover& h = view->handover;
  const TimePoint now = ctx_.clock.now();
  json messages = json::array();
  for (const Message& m : view->messages) {
    const SegmentCount count = count_segments(m.body);
    messages.push_back({{"id", m.id},
                        {"direction", m.direction},
                        {"author", message_author(m)},
                        {"text", m.body},
                        {"status", m.status},
                        {"template_key", m.template_key},
                        {"segments", m.segments > 0 ? m.segments : count.segments},
                        {"encoding", sms_encoding_name(count.encoding)},
                        {"at", rfc3339(m.created_at)}});
  }
  json notes = json::array();
  for (const Note& n : view->notes) {
    notes.push_back(
        {{"id", n.id}, {"author", username(n.account_id)}, {"text", n.body}, {"at", rfc3339(n.created_at)}});
  }
  const bool mine = h.state == "assigned" && h.operator_id && *h.operator_id == op->id;
  http::send_json(
      res, 200,
      {{"handover",
        {{"handover_id", h.id},
         {"conversation_id", h.conversation_id},
         {"queue", h.queue},
         {"priority", h.priority},
         {"language", h.language},
         {"state", h.state},
         {"operator", username(h.operator_id)},
         {"mine", mine},
         {"waiting_seconds", seconds_between(h.created_at, h.assigned_at.value_or(now))},
         {"reason", reason_text(h.reason, *op)},
         {"created_at", rfc3339(h.created_at)}}},
       {"contact",
        {{"address", view->address},
         {"language", view->language},
         {"country", view->country},
         {"channel", view->channel_id},
         {"channel_kind", view->channel_kind},
         {"opted_out", view->opted_out}}},
       {"messages", messages},
       {"notes", notes},
       {"can_reply", h.state != "closed" && !view->opted_out && (mine || sees_every_queue(*op))}});
}

void ConsoleApi::assign(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res);
  if (!call) return;
  auto force = console_bool(call->body, "force", false);
  if (!force) return http::send_json_error(res, 400, "invalid_request", force.error().message);
  if (Status s = ctx_.helpdesk.assign(path_id(req), call->op, *force); !s)
    return send_error(res, s.error(), "assign");
  http::send_json(res, 200, {{"ok", true}});
}

void ConsoleApi::transfer(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res, "queue");
  if (!call) return;
  const json& body = call->body;
  std::optional<int64_t> to;
  if (body.contains("operator") && !body["operator"].is_null()) {
    auto name = string_field(body, "operator", res);
    if (!name) return;
    auto found = ctx_.store.find_account(*name);
    if (!found) return send_error(res, found.error(), "transfer");
    if (!found->has_value() || (*found)->disabled)
      return http::send_json_error(res, 400, "invalid_request", "no such operator");
    to = (*found)->id;
  }
  if (Status s = ctx_.helpdesk.transfer(path_id(req), call->op, call->field, to); !s)
    return send_error(res, s.error(), "transfer");
  http::send_json(res, 200, {{"ok", true}});
}

void ConsoleApi::reply(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res, "text");
  if (!call) return;
  auto id = ctx_.helpdesk.reply(path_id(req), call->op, call->field);
  if (!id) return send_error(res, id.error(), "reply");
  const SegmentCount count = count_segments(call->field);
  http::send_json(
      res, 200,
      {{"message_id", *id}, {"encoding", sms_encoding_name(count.encoding)}, {"segments", count.segments}});
}

void ConsoleApi::note(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res, "text");
  if (!call) return;
  auto id = ctx_.helpdesk.add_note(path_id(req), call->op, call->field);
  if (!id) return send_error(res, id.error(), "note");
  http::send_json(res, 200, {{"note_id", *id}});
}

void ConsoleApi::close(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res, "mode");
  if (!call) return;
  const std::string& mode = call->field;
  if (mode != "back_to_bot" && mode != "end")
    return http::send_json_error(res, 400, "invalid_request", "mode is \"back_to_bot\" or \"end\"");
  const CloseMode close_mode = mode == "end" ? CloseMode::kEnd : CloseMode::kBackToBot;
  if (Status s = ctx_.helpdesk.close(path_id(req), call->op, close_mode); !s)
    return send_error(res, s.error(), "close");
  http::send_json(res, 200, {{"ok", true}});
}

void ConsoleApi::reveal(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  auto address = ctx_.helpdesk.reveal_address(path_id(req), *op);
  if (!address) return send_error(res, address.error(), "reveal");
  http::send_json(res, 200, {{"address", *address}});
}

void ConsoleApi::canned(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  int64_t id = 0;
  try {
    id = std::stoll(req.get_param_value("conversation"));
  } catch (...) {
    return http::send_json_error(res, 400, "invalid_request", "expected ?conversation={handover id}");
  }
  auto choice = ctx_.helpdesk.canned_replies(id, *op);
  if (!choice) return send_error(res, choice.error(), "canned");
  json replies = json::array();
  for (const std::string& key : choice->keys) {
    const ContentView content = ctx_.content();
    auto r = content.renderer->render(key, choice->language, choice->channel_kind);
    if (!r) continue;  // not in this deployment's content
    replies.push_back({{"key", key},
                       {"text", r->text},
                       {"language", r->language},
                       {"fell_back", r->fell_back},
                       {"encoding", r->encoding},
                       {"segments", r->segments}});
  }
  http::send_json(res, 200, {{"language", choice->language}, {"replies", replies}});
}

void ConsoleApi::segments(const httplib::Request& req, httplib::Response& res) {
  auto call = posted(req, res, "text");
  if (!call) return;
  const SegmentCount c = count_segments(call->field);
  http::send_json(res, 200,
                  {{"encoding", sms_encoding_name(c.encoding)},
                   {"segments", c.segments},
                   {"characters", c.characters},
                   {"units", c.units}});
}

void ConsoleApi::events(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  streams_.open(*op, http::StaffAuth::session_token(req), res);
}

}  // namespace gw
