#include "gateway/helpdesk/console_api.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "gateway/content/languages.h"
#include "gateway/content/sms_encoding.h"
#include "gateway/core/channel_kinds.h"
#include "gateway/core/log.h"
#include "gateway/helpdesk/console_body.h"
#include "gateway/helpdesk/routing.h"

namespace gw {
namespace {

using nlohmann::json;

constexpr size_t kHandlingWindow = 500;
constexpr std::chrono::milliseconds kStreamTick{250};  // how soon a stream notices shutdown()
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

std::optional<std::chrono::seconds> median(std::vector<std::chrono::seconds> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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

// "GB" → "uk": the country part of the rights.<country>.* template keys.
std::string rights_country(const std::string& iso) {
  std::string c = iso;
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return c == "gb" ? "uk" : c;
}

std::string address_number(const std::string& address) {
  const std::string wa = "whatsapp:";
  return address.rfind(wa, 0) == 0 ? address.substr(wa.size()) : address;
}

std::string sse_frame(const HelpdeskEvent& e) {
  json j = {{"type", e.type},
            {"handover_id", e.handover_id},
            {"conversation_id", e.conversation_id},
            {"queue", e.queue}};
  if (e.queue.empty()) j.erase("queue");
  return "data: " + j.dump() + "\n\n";
}

}  // namespace

std::vector<std::string> canned_reply_keys(const std::string& country) {
  std::vector<std::string> keys = {"emergency.numbers"};
  const std::string c = rights_country(country);
  if (c == "uk" || c == "it" || c == "hr" || c == "nl") {
    keys.push_back("rights." + c + ".numbers");
  } else {
    for (const char* k : {"uk", "it", "hr", "nl"}) keys.push_back(std::string("rights.") + k + ".numbers");
  }
  keys.insert(keys.end(), {"helpdesk.reassure", "safety.tip", "helpdesk.closing"});
  return keys;
}

std::string message_author(const Message& m) {
  if (m.direction == "in") return "person";
  return m.template_key.empty() ? "operator" : "bot";
}

namespace {
bool opens_queue(const OperatorView& op, const std::string& queue) {
  Handover h;
  h.queue = queue;
  return can_open(op, h);
}
}  // namespace

bool event_visible(const OperatorView& op, const HelpdeskEvent& e) {
  if (opens_queue(op, e.queue)) return true;
  return e.type == "handover.transferred" && !e.from_queue.empty() && opens_queue(op, e.from_queue);
}

std::optional<std::string> event_frame_for(const OperatorView& op, const HelpdeskEvent& e) {
  if (!event_visible(op, e)) return std::nullopt;
  HelpdeskEvent seen = e;
  seen.from_queue.clear();
  // Moved out of the viewer's queues: they learn it left, not where it went.
  if (!opens_queue(op, e.queue)) seen.queue.clear();
  return sse_frame(seen);
}

ConsoleApi::ConsoleApi(ConsoleContext context, ConsoleApiOptions options)
    : ctx_(context), options_(options) {}

ConsoleApi::~ConsoleApi() {
  shutdown();
}

void ConsoleApi::shutdown() {
  stopping_.store(true);
  std::lock_guard<std::mutex> lock(streams_mu_);
  for (const auto& q : streams_) q->close();
}

size_t ConsoleApi::open_streams() const {
  std::lock_guard<std::mutex> lock(streams_mu_);
  return streams_.size();
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
  auto r = ctx_.renderer.render(reason, lang, "web");
  return r ? r->text : reason;
}

void ConsoleApi::record_handling(const std::string& queue, std::chrono::seconds s) {
  std::lock_guard<std::mutex> lock(handling_mu_);
  auto& window = handling_[queue];
  window.push_back(s);
  if (window.size() > kHandlingWindow) window.pop_front();
}

void ConsoleApi::queues(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  auto figures = ctx_.helpdesk.figures();
  if (!figures) return send_error(res, figures.error(), "queues");
  auto open = ctx_.store.list_open_handovers();
  if (!open) return send_error(res, open.error(), "queues");
  auto accounts = ctx_.store.list_accounts();
  if (!accounts) return send_error(res, accounts.error(), "queues");
  std::map<int64_t, std::string> usernames;
  for (const Account& a : *accounts) usernames[a.id] = a.username;

  const TimePoint now = ctx_.clock.now();
  json queues = json::array();
  for (const QueueFigures& f : *figures) {
    if (!sees_every_queue(*op) && std::find(op->queues.begin(), op->queues.end(), f.queue) == op->queues.end())
      continue;
    std::optional<std::chrono::seconds> handling;
    {
      std::lock_guard<std::mutex> lock(handling_mu_);
      auto it = handling_.find(f.queue);
      if (it != handling_.end()) handling = median({it->second.begin(), it->second.end()});
    }
    queues.push_back({{"queue", f.queue},
                      {"waiting", f.waiting},
                      {"assigned", f.assigned},
                      {"oldest_wait_seconds", f.oldest_wait.count()},
                      {"median_first_response_seconds", optional_seconds(f.median_first_response)},
                      {"median_handling_seconds", optional_seconds(handling)}});
  }
  std::vector<Handover> visible;
  for (const Handover& h : *open) {
    if (can_open(*op, h)) visible.push_back(h);
  }
  std::stable_sort(visible.begin(), visible.end(), before_in_queue);
  json conversations = json::array();
  for (const Handover& h : visible) {
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
      auto it = usernames.find(*h.operator_id);
      o["operator"] = it != usernames.end() ? it->second : std::to_string(*h.operator_id);
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
  auto accounts = ctx_.store.list_accounts();
  if (!accounts) return send_error(res, accounts.error(), "conversation");
  std::map<int64_t, std::string> usernames;
  for (const Account& a : *accounts) usernames[a.id] = a.username;
  auto username = [&](std::optional<int64_t> id) -> json {
    if (!id) return nullptr;
    auto it = usernames.find(*id);
    return it != usernames.end() ? json(it->second) : json(std::to_string(*id));
  };

  const Handover& h = view->handover;
  const TimePoint now = ctx_.clock.now();
  auto contact = ctx_.store.get_contact(view->contact_id);
  if (!contact) return send_error(res, contact.error(), "conversation");
  const std::string kind = ctx_.person_messages.channel_kind(*contact);
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
    notes.push_back({{"id", n.id}, {"author", username(n.account_id)}, {"text", n.body}, {"at", rfc3339(n.created_at)}});
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
         {"channel_kind", kind},
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
  if (Status s = ctx_.helpdesk.assign(path_id(req), call->op, *force); !s) return send_error(res, s.error(), "assign");
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
  http::send_json(res, 200,
                  {{"message_id", *id},
                   {"encoding", sms_encoding_name(count.encoding)},
                   {"segments", count.segments}});
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
  const int64_t id = path_id(req);
  auto before = ctx_.store.get_handover(id);
  if (Status s = ctx_.helpdesk.close(id, call->op, mode == "end" ? CloseMode::kEnd : CloseMode::kBackToBot); !s)
    return send_error(res, s.error(), "close");
  if (before)
    record_handling(before->queue, std::chrono::seconds(seconds_between(
                                       before->assigned_at.value_or(before->created_at), ctx_.clock.now())));
  http::send_json(res, 200, {{"ok", true}});
}

void ConsoleApi::reveal(const httplib::Request& req, httplib::Response& res) {
  auto op = caller(req, res);
  if (!op) return;
  const int64_t id = path_id(req);
  auto h = ctx_.store.get_handover(id);
  if (!h) return send_error(res, h.error(), "reveal");
  if (!can_open(*op, *h)) return send_error(res, no_such_handover(id), "open");
  auto contact = ctx_.store.get_contact(h->contact_id);
  if (!contact) return send_error(res, contact.error(), "reveal");
  AuditEntry e;
  e.at = ctx_.clock.now();
  e.actor = "account:" + std::to_string(op->id);
  e.action = "contact.reveal";
  e.subject = "conversation:" + std::to_string(h->conversation_id);
  e.detail_json = json{{"handover", id}, {"contact", h->contact_id}}.dump();
  // No audit entry, no address.
  if (Status s = ctx_.store.append_audit(e); !s) return send_error(res, s.error(), "reveal");
  log::info("contact.revealed", {{"handover_id", id}, {"operator_id", op->id}});
  http::send_json(res, 200, {{"address", contact->address}});
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
  auto h = ctx_.store.get_handover(id);
  if (!h) return send_error(res, h.error(), "canned");
  if (!can_open(*op, *h)) return send_error(res, no_such_handover(id), "open");
  auto contact = ctx_.store.get_contact(h->contact_id);
  if (!contact) return send_error(res, contact.error(), "canned");
  const std::string kind = ctx_.person_messages.channel_kind(*contact);
  std::string country = contact->country;
  if (country.empty() && kind_has_phone_number(kind)) country = country_of_number(address_number(contact->address));
  const std::string lang = contact->language.empty() ? h->language : contact->language;
  json replies = json::array();
  for (const std::string& key : canned_reply_keys(country)) {
    auto r = ctx_.renderer.render(key, lang, kind);
    if (!r) continue;  // not in this deployment's content
    replies.push_back({{"key", key},
                       {"text", r->text},
                       {"language", r->language},
                       {"fell_back", r->fell_back},
                       {"encoding", r->encoding},
                       {"segments", r->segments}});
  }
  http::send_json(res, 200, {{"language", lang}, {"replies", replies}});
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
  if (stopping_.load()) return http::send_json_error(res, 503, "unavailable", "the server is stopping");
  std::shared_ptr<EventQueue> queue;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    if (streams_.size() >= options_.max_streams)
      return http::send_json_error(res, 503, "unavailable", "too many live consoles; try again shortly");
    if (streams_of_[op->id] >= options_.max_streams_per_account) {
      res.set_header("Retry-After", "3");
      return http::send_json_error(res, 429, "too_many_streams",
                                   "this account has " + std::to_string(options_.max_streams_per_account) +
                                       " live consoles open already; close one");
    }
    queue = ctx_.events.subscribe_queue(256);
    streams_.insert(queue);
    ++streams_of_[op->id];
  }
  log::info("console.stream_opened", {{"operator_id", op->id}});
  res.status = 200;
  res.set_header("X-Accel-Buffering", "no");
  struct State {
    bool greeted = false;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_check = std::chrono::steady_clock::now();
  };
  auto state = std::make_shared<State>();
  const OperatorView viewer = *op;
  const std::string token = http::StaffAuth::session_token(req);
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, queue, state, viewer, token](size_t, httplib::DataSink& sink) {
        auto write = [&](const std::string& s) {
          state->last_write = std::chrono::steady_clock::now();
          return sink.write(s.data(), s.size());
        };
        // Gone: the slot and the thread are free at once, not at the next write.
        if (stopping_.load() || http::client_gone()) {
          sink.done();
          return true;
        }
        if (!state->greeted) {
          state->greeted = true;
          // The browser reconnects after 3 s if the stream breaks.
          return write("retry: 3000\n: connected\n\n");
        }
        if (std::chrono::steady_clock::now() - state->last_check >= options_.keepalive) {
          // Logged out, expired or disabled since the stream opened: it ends.
          state->last_check = std::chrono::steady_clock::now();
          if (!ctx_.auth.still_signed_in(token)) {
            sink.done();
            return true;
          }
        }
        const auto waited = std::chrono::steady_clock::now() - state->last_write;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.keepalive - waited);
        auto e = queue->pop(std::clamp(left, std::chrono::milliseconds(1), kStreamTick));
        if (stopping_.load()) {
          sink.done();
          return true;
        }
        if (e) {
          auto frame = event_frame_for(viewer, *e);
          return frame ? write(*frame) : true;
        }
        if (std::chrono::steady_clock::now() - state->last_write >= options_.keepalive)
          return write(": keepalive\n\n");
        return true;
      },
      [this, queue, viewer](bool) {
        ctx_.events.unsubscribe(queue);
        std::lock_guard<std::mutex> lock(streams_mu_);
        streams_.erase(queue);
        if (auto it = streams_of_.find(viewer.id); it != streams_of_.end() && --it->second == 0) streams_of_.erase(it);
        log::info("console.stream_closed", {{"operator_id", viewer.id}});
      });
}

}  // namespace gw
