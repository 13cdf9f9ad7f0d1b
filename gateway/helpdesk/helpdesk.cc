#include "gateway/helpdesk/helpdesk.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "gateway/content/languages.h"
#include "gateway/core/channel_kinds.h"
#include "gateway/core/log.h"
#include "gateway/helpdesk/address_mask.h"
#include "gateway/helpdesk/waiting_notice.h"
#include "gateway/stats/iso_week.h"
#include "gateway/stats/stat_scope.h"

namespace gw {
namespace {

std::chrono::seconds seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from);
}

// Never negative, should the clock have been set back in between.
std::chrono::seconds elapsed(TimePoint from, TimePoint to) {
  return std::max(std::chrono::seconds(0), seconds_between(from, to));
}

std::optional<std::chrono::seconds> median(std::vector<std::chrono::seconds> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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

bool may_act_on(const OperatorView& op, const Handover& h) {
  return sees_every_queue(op) || (h.state == "assigned" && h.operator_id == op.id);
}

}  // namespace

const std::vector<std::string>& rights_countries() {
  static const std::vector<std::string> kCountries = {"uk", "it", "hr", "nl"};
  return kCountries;
}

std::vector<std::string> canned_reply_keys(const std::string& country) {
  std::vector<std::string> keys = {"emergency.numbers"};
  const std::string c = rights_country(country);
  const auto& known = rights_countries();
  if (std::find(known.begin(), known.end(), c) != known.end()) {
    keys.push_back("rights." + c + ".numbers");
  } else {
    for (const std::string& k : known) keys.push_back("rights." + k + ".numbers");
  }
  keys.insert(keys.end(), {"helpdesk.reassure", "safety.tip", "helpdesk.closing"});
  return keys;
}

Helpdesk::Helpdesk(Store& store, Clock& clock, const HelpdeskConfig& config, PersonMessages& messages,
                   EventBus& events, HelpdeskMetrics* metrics)
    : store_(store),
      clock_(clock),
      config_(config),
      messages_(messages),
      events_(events),
      metrics_(metrics) {}

Status Helpdesk::count_stat(int64_t conversation_id, std::string_view metric, const std::string& value,
                           TimePoint now) {
  // Counted where the conversation's start was: the person's country as the
  // statistics keep it, nothing else of theirs.
  auto conv = store_.get_conversation(conversation_id);
  if (!conv) return conv.error();
  const std::string country = conv->stat_country.empty() ? std::string(stats::kUnknown) : conv->stat_country;
  return store_.add_stats({stats::stat_change(stats::iso_week(now), country, metric, value)});
}

Result<Handover> Helpdesk::visible_handover(int64_t id, const OperatorView& op) {
  auto h = store_.get_handover(id);
  if (!h) return h.error();
  if (!can_open(op, *h)) return no_such_handover(id);
  return h;
}

Result<Handover> Helpdesk::open_handover(int64_t id, const OperatorView& op) {
  auto h = visible_handover(id, op);
  if (!h) return h.error();
  if (h->state == "closed") return Error::not_found("handover " + std::to_string(id) + " is closed");
  return h;
}

Result<Handover> Helpdesk::handover_to_act_on(int64_t id, const OperatorView& op) {
  auto h = open_handover(id, op);
  if (!h) return h.error();
  if (!may_act_on(op, *h)) return Error::denied("handover " + std::to_string(id) + " is not assigned to you");
  return h;
}

Status Helpdesk::audit(const OperatorView& op, const std::string& action, int64_t conversation_id,
                       const nlohmann::json& detail) {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = "account:" + std::to_string(op.id);
  e.action = action;
  e.subject = "conversation:" + std::to_string(conversation_id);
  e.detail_json = detail.dump();
  return store_.append_audit(e);
}

void Helpdesk::publish(const std::string& type, const Handover& h, const std::string& from_queue) {
  events_.publish(HelpdeskEvent{type, h.conversation_id, h.id, h.queue, from_queue});
}

Result<std::optional<Handover>> Helpdesk::take_next(const OperatorView& op) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto open = store_.list_open_handovers();
    if (!open) return open.error();
    std::optional<Handover> next = next_for(op, *open);
    if (!next) return std::optional<Handover>();
    Status s = assign(next->id, op);
    if (s) {
      auto taken = store_.get_handover(next->id);
      if (!taken) return taken.error();
      return std::optional<Handover>(std::move(*taken));
    }
    if (s.error().code != ErrorCode::kAlreadyExists && s.error().code != ErrorCode::kNotFound)
      return s.error();
    // Someone else took it in the meantime: offer the next one.
  }
  return Error::unavailable("the queue is changing too fast; try again");
}

Status Helpdesk::assign(int64_t handover_id, const OperatorView& op, bool force) {
  auto h = open_handover(handover_id, op);
  if (!h) return h.error();
  HolderChange change{HolderChangeKind::kTake, h->queue, op, force};
  if (Status st = check_holder_change(op, *h, change); !st) return st;
  if (h->state == "assigned" && h->operator_id == op.id) return {};
  const TimePoint now = clock_.now();
  Status s = store_.in_transaction([&]() -> Status {
    auto changed = store_.assign_handover(handover_id, op.id, now, force);
    if (!changed) return changed.error();
    if (!*changed)
      return Error::exists("handover " + std::to_string(handover_id) + " was taken by another operator");
    if (Status st = store_.set_conversation_state(h->conversation_id, "assigned", now); !st) return st;
    nlohmann::json detail = {{"handover", handover_id}, {"queue", h->queue}};
    if (force && h->operator_id) detail["from_operator"] = *h->operator_id;
    return audit(op, "handover.assign", h->conversation_id, detail);
  });
  if (!s) return s;
  h->state = "assigned";
  h->operator_id = op.id;
  log::info("handover.assigned", {{"handover_id", handover_id}, {"operator_id", op.id}, {"queue", h->queue}});
  publish("handover.assigned", *h);
  return {};
}

Result<std::optional<OperatorView>> Helpdesk::holder_view(std::optional<int64_t> account_id) {
  if (!account_id) return std::optional<OperatorView>();
  auto a = store_.get_account(*account_id);
  if (!a) return a.error();
  if (!a->has_value() || (*a)->disabled) return Error::invalid("no such operator");
  const Account& acc = **a;
  return std::optional<OperatorView>(OperatorView{acc.id, acc.role, acc.languages, acc.queues, acc.capacity});
}

Status Helpdesk::transfer(int64_t handover_id, const OperatorView& actor, const std::string& queue,
                          std::optional<int64_t> to_operator) {
  if (!config_.find(queue)) return Error::invalid("no queue \"" + queue + "\"");
  auto h = open_handover(handover_id, actor);
  if (!h) return h.error();
  auto to = holder_view(to_operator);
  if (!to) return to.error();
  const HolderChange change{HolderChangeKind::kTransfer, queue, *to, false};
  if (Status st = check_holder_change(actor, *h, change); !st) return st;
  const TimePoint now = clock_.now();
  Status s = store_.in_transaction([&]() -> Status {
    // Checked again inside the transaction: someone may have taken it meanwhile.
    auto current = store_.get_handover(handover_id);
    if (!current) return current.error();
    if (current->state == "closed")
      return Error::not_found("handover " + std::to_string(handover_id) + " is closed");
    if (Status st = check_holder_change(actor, *current, change); !st) return st;
    if (Status st = store_.transfer_handover(handover_id, queue, to_operator, now); !st) return st;
    if (Status st =
            store_.set_conversation_state(h->conversation_id, to_operator ? "assigned" : "waiting", now);
        !st)
      return st;
    nlohmann::json detail = {{"handover", handover_id}, {"from_queue", h->queue}, {"queue", queue}};
    if (to_operator) detail["operator"] = *to_operator;
    return audit(actor, "handover.transfer", h->conversation_id, detail);
  });
  if (!s) return s;
  const std::string from_queue = h->queue;
  h->queue = queue;
  publish("handover.transferred", *h, from_queue);
  return {};
}

Result<int64_t> Helpdesk::reply(int64_t handover_id, const OperatorView& op, const std::string& text) {
  if (text.empty()) return Error::invalid("an empty reply is not sent");
  auto h = handover_to_act_on(handover_id, op);
  if (!h) return h.error();
  auto contact = store_.get_contact(h->contact_id);
  if (!contact) return contact.error();
  if (contact->opted_out) return Error::invalid("the person opted out: nothing is sent to them");
  const TimePoint now = clock_.now();
  int64_t message_id = 0;
  bool first = false;
  Status s = store_.in_transaction([&]() -> Status {
    auto id = messages_.enqueue(*contact, h->conversation_id, text, "", now);
    if (!id) return id.error();
    message_id = *id;
    auto recorded = store_.set_first_response(handover_id, now);
    if (!recorded) return recorded.error();
    first = *recorded;
    if (first) {
      const std::string bucket = stats::duration_bucket(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - h->created_at));
      if (Status st = count_stat(h->conversation_id, stats::kFirstReply, bucket, now); !st) return st;
    }
    return audit(op, "handover.reply", h->conversation_id,
                 {{"handover", handover_id}, {"message", message_id}});
  });
  if (!s) return s.error();
  messages_.wake(contact->channel_id);
  if (first && metrics_)
    metrics_->first_response(h->queue, static_cast<double>(seconds_between(h->created_at, now).count()));
  publish("handover.replied", *h);
  return message_id;
}

Result<int64_t> Helpdesk::add_note(int64_t handover_id, const OperatorView& op, const std::string& body) {
  if (body.empty()) return Error::invalid("an empty note is not kept");
  auto h = visible_handover(handover_id, op);
  if (!h) return h.error();
  int64_t note_id = 0;
  Status s = store_.in_transaction([&]() -> Status {
    auto id = store_.add_note(h->conversation_id, h->contact_id, op.id, body, clock_.now());
    if (!id) return id.error();
    note_id = *id;
    return audit(op, "note.add", h->conversation_id, {{"handover", handover_id}, {"note", note_id}});
  });
  if (!s) return s.error();
  return note_id;
}

Status Helpdesk::close(int64_t handover_id, const OperatorView& op, CloseMode mode) {
  auto h = open_handover(handover_id, op);
  if (!h) return h.error();
  const HolderChange release{HolderChangeKind::kRelease, h->queue, std::nullopt, false};
  if (Status st = check_holder_change(op, *h, release); !st) return st;
  auto contact = store_.get_contact(h->contact_id);
  if (!contact) return contact.error();
  const TimePoint now = clock_.now();
  bool queued = false;
  Status s = store_.in_transaction([&]() -> Status {
    if (Status st = store_.close_handover(handover_id, op.id, now); !st) return st;
    if (mode == CloseMode::kBackToBot) {
      // No session: the person's next message starts the entry flow (the menu).
      if (Status st = store_.delete_session(h->contact_id); !st) return st;
      if (Status st = store_.set_conversation_state(h->conversation_id, "bot", now); !st) return st;
    } else {
      if (!contact->opted_out) {
        auto id = messages_.send(*contact, h->conversation_id, kClosingTemplate, now);
        if (!id) return id.error();
        queued = true;
      }
      if (Status st = store_.set_conversation_state(h->conversation_id, "closed", now); !st) return st;
    }
    const std::string outcome = mode == CloseMode::kEnd ? "ended" : "back_to_bot";
    if (Status st = count_stat(h->conversation_id, stats::kHandoverOutcome, outcome, now); !st) return st;
    const std::string bucket = stats::duration_bucket(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - h->created_at));
    if (Status st = count_stat(h->conversation_id, stats::kHandling, bucket, now); !st) return st;
    return audit(op, "handover.close", h->conversation_id,
                 {{"handover", handover_id}, {"mode", mode == CloseMode::kEnd ? "end" : "back_to_bot"}});
  });
  if (!s) return s;
  if (queued) messages_.wake(contact->channel_id);
  if (metrics_)
    metrics_->handling(
        h->queue, static_cast<double>(seconds_between(h->assigned_at.value_or(h->created_at), now).count()));
  publish("handover.closed", *h);
  return {};
}

Result<ConversationView> Helpdesk::conversation_view(int64_t handover_id, const OperatorView& op) {
  auto h = visible_handover(handover_id, op);
  if (!h) return h.error();
  auto contact = store_.get_contact(h->contact_id);
  if (!contact) return contact.error();
  auto msgs = store_.list_messages(h->conversation_id);
  if (!msgs) return msgs.error();
  auto notes = store_.list_notes(h->conversation_id);
  if (!notes) return notes.error();
  if (Status s = audit(op, "conversation.open", h->conversation_id, {{"handover", handover_id}}); !s)
    return s.error();
  ConversationView v;
  v.handover = *h;
  v.conversation_id = h->conversation_id;
  v.contact_id = h->contact_id;
  v.channel_id = contact->channel_id;
  v.address = mask_address(contact->address);
  v.language = contact->language;
  v.country = contact->country;
  v.channel_kind = messages_.channel_kind(*contact);
  v.opted_out = contact->opted_out;
  v.messages = std::move(*msgs);
  v.notes = std::move(*notes);
  return v;
}

Result<int> Helpdesk::auto_assign(const std::vector<OperatorView>& available) {
  if (!config_.auto_assign) return 0;
  auto open = store_.list_open_handovers();
  if (!open) return open.error();
  int assigned = 0;
  for (const auto& [handover_id, operator_id] : plan_auto_assignment(available, *open)) {
    auto op = std::find_if(available.begin(), available.end(),
                           [id = operator_id](const OperatorView& o) { return o.id == id; });
    Status s = assign(handover_id, *op);
    if (s)
      ++assigned;
    else if (s.error().code != ErrorCode::kAlreadyExists)
      return s.error();
  }
  return assigned;
}

Result<std::vector<QueueFigures>> Helpdesk::figures() {
  auto open = store_.list_open_handovers();
  if (!open) return open.error();
  return figures_of(*open);
}

Result<std::vector<QueueFigures>> Helpdesk::figures_of(const std::vector<Handover>& open) {
  const TimePoint now = clock_.now();
  std::vector<QueueFigures> out;
  std::map<std::string, size_t> index;
  auto queue_figures = [&](const std::string& queue) -> QueueFigures& {
    auto it = index.find(queue);
    if (it != index.end()) return out[it->second];
    index[queue] = out.size();
    out.push_back(QueueFigures{queue, 0, 0, std::chrono::seconds(0), std::nullopt, std::nullopt});
    return out.back();
  };
  for (const QueueConfig& q : config_.queues) queue_figures(q.name);
  for (const Handover& h : open) {
    QueueFigures& f = queue_figures(h.queue);
    if (h.state == "waiting") {
      ++f.waiting;
      f.oldest_wait = std::max(f.oldest_wait, seconds_between(h.created_at, now));
    } else {
      ++f.assigned;
    }
  }
  auto recent = store_.recent_handover_times(kServiceWindow);
  if (!recent) return recent.error();
  std::map<std::string, std::vector<std::chrono::seconds>> first_responses, handling;
  for (const HandoverTimes& t : *recent) {
    if (t.first_response_at) first_responses[t.queue].push_back(elapsed(t.created_at, *t.first_response_at));
    if (t.closed_at && t.closed_by)
      handling[t.queue].push_back(elapsed(t.assigned_at.value_or(t.created_at), *t.closed_at));
  }
  for (QueueFigures& f : out) {
    f.median_first_response = median(std::move(first_responses[f.queue]));
    f.median_handling = median(std::move(handling[f.queue]));
  }
  return out;
}

Result<QueueOverview> Helpdesk::overview(const OperatorView& op) {
  auto open = store_.list_open_handovers();
  if (!open) return open.error();
  auto all = figures_of(*open);
  if (!all) return all.error();
  QueueOverview o;
  for (QueueFigures& f : *all) {
    if (sees_every_queue(op) || std::find(op.queues.begin(), op.queues.end(), f.queue) != op.queues.end())
      o.queues.push_back(std::move(f));
  }
  for (Handover& h : *open) {
    if (can_open(op, h)) o.conversations.push_back(std::move(h));
  }
  std::stable_sort(o.conversations.begin(), o.conversations.end(), before_in_queue);
  return o;
}

Result<std::string> Helpdesk::reveal_address(int64_t handover_id, const OperatorView& op) {
  auto h = visible_handover(handover_id, op);
  if (!h) return h.error();
  auto contact = store_.get_contact(h->contact_id);
  if (!contact) return contact.error();
  // No audit entry, no address.
  if (Status s = audit(op, "contact.reveal", h->conversation_id,
                       {{"handover", handover_id}, {"contact", h->contact_id}});
      !s)
    return s.error();
  log::info("contact.revealed", {{"handover_id", handover_id}, {"operator_id", op.id}});
  return contact->address;
}

Result<CannedChoice> Helpdesk::canned_replies(int64_t handover_id, const OperatorView& op) {
  auto h = visible_handover(handover_id, op);
  if (!h) return h.error();
  auto contact = store_.get_contact(h->contact_id);
  if (!contact) return contact.error();
  CannedChoice c;
  c.channel_kind = messages_.channel_kind(*contact);
  // Only a phone number tells a country: never a Telegram chat id or a web id.
  std::string country = contact->country;
  if (country.empty() && kind_has_phone_number(c.channel_kind))
    country = country_of_number(address_number(contact->address));
  c.language = contact->language.empty() ? h->language : contact->language;
  c.keys = canned_reply_keys(country);
  return c;
}

}  // namespace gw
