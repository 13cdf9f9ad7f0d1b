#include "gateway/conversations/conversations.h"

#include <algorithm>
#include <set>

#include "gateway/channels/outbox_worker.h"
#include "gateway/content/languages.h"
#include "gateway/core/channel_kinds.h"
#include "gateway/core/log.h"
#include "gateway/engine/input_match.h"
#include "gateway/engine/session.h"
#include "gateway/conversations/flow_effects.h"

namespace gw {

namespace {

// The value of a template's {country} select: "other" (all countries) when unknown.
std::string select_country(const std::string& country) { return country.empty() ? "other" : country; }

}  // namespace

Conversations::Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                             std::function<void(const std::string&)> outbox_ready, Bot bot)
    : store_(store),
      clock_(clock),
      catalog_(catalog),
      keywords_(catalog, bot.renderer),
      outbox_ready_(std::move(outbox_ready)),
      bot_(bot),
      composer_(catalog, bot.renderer) {}

Result<ReceiveResult> Conversations::receive(const InboundMessage& in) {
  // One transaction: the message, the contact's changes, the session and the
  // replies are stored together or not at all.
  Result<ReceiveResult> out = Error::internal("receive did not run");
  Status s = store_.in_transaction([&]() -> Status {
    out = receive_in_transaction(in);
    if (!out) return out.error();
    return {};
  });
  if (!s) return s.error();
  if (out) after_commit(in.channel_id, *out);
  return out;
}

void Conversations::after_commit(const std::string& channel_id, const ReceiveResult& r) {
  if (outbox_ready_ && r.queued > 0) outbox_ready_(channel_id);
  if (helpdesk_.events) {
    for (const HelpdeskEvent& e : r.events) helpdesk_.events->publish(e);
  }
}

Status Conversations::accept(const InboundMessage& in) {
  if (!intake_) return Error::unavailable("no intake to store the message in");
  if (in.provider_id.empty()) return Error::invalid("an inbound message without a provider id cannot be queued");
  if (Status s = intake_->queue(in.channel_id, in.provider_id, in.from, serialize_inbound(in), clock_.now()); !s) {
    return s;
  }
  if (intake_ready_) intake_ready_();
  return {};
}

namespace {

// A store that cannot write (I/O, busy, closed) fails the whole batch: the
// messages stay queued as they were.
bool store_failure(const Error& e) {
  return e.code == ErrorCode::kIo || e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kTimeout;
}

}  // namespace

Result<IntakeBatch> Conversations::handle_queued(int limit) {
  if (!intake_) return Error::unavailable("no intake to handle messages from");
  const TimePoint now = clock_.now();
  auto due = intake_->due(now, limit);
  if (!due) return due.error();
  IntakeBatch batch;
  batch.more = static_cast<int>(due->size()) == limit;
  if (due->empty()) return batch;
  std::vector<int64_t> handled;
  std::vector<Intake::Deferral> deferred;
  Status s = store_.in_transaction([&]() -> Status {
    batch.handled.clear();
    batch.held = 0;
    handled.clear();
    deferred.clear();
    std::set<std::string> failed_senders;  // whose later messages wait
    for (const QueuedInbound& q : *due) {
      if (!q.sender_key.empty() && failed_senders.count(q.sender_key)) {
        ++batch.held;
        continue;  // left as it is: due() holds it back until the failed one is handled
      }
      ReceiveResult result;
      Status item = q.error.empty() ? store_.in_transaction([&]() -> Status {
        auto in = deserialize_inbound(q.payload);
        if (!in) return in.error();
        auto out = receive_in_transaction(*in);
        if (!out) return out.error();
        result = std::move(*out);
        return {};
      })
                                    : Status(Error::internal(q.error));
      if (item) {
        handled.push_back(q.id);
        batch.handled.push_back({q.channel_id, std::move(result)});
        continue;
      }
      if (store_failure(item.error())) return item;
      if (!q.sender_key.empty()) failed_senders.insert(q.sender_key);
      const int attempts = q.attempts + 1;
      const bool dead = attempts >= intake_retry_.max_attempts;
      const char* kind = error_code_name(item.error().code);
      log::error(dead ? "intake.dead_letter" : "intake.failed",
                 {{"channel", q.channel_id}, {"queued_id", q.id}, {"attempts", attempts}, {"error_kind", kind},
                  {"error", item.error().to_string()}});
      deferred.push_back(
          {q.id, now + exponential_delay(intake_retry_, q.attempts), item.error().to_string(), kind, dead});
    }
    return {};
  });
  if (!s) return s.error();
  batch.deferred = static_cast<int>(deferred.size());
  batch.dead_lettered =
      static_cast<int>(std::count_if(deferred.begin(), deferred.end(), [](const auto& d) { return d.dead; }));
  // The Store has committed. Should this fail, the messages are handed over
  // again later and recognised as already stored.
  if (Status f = intake_->finish(handled, deferred, now); !f) {
    log::error("intake.finish_failed", {{"error", f.error().to_string()}});
  }
  for (const HandledInbound& h : batch.handled) after_commit(h.channel_id, h.result);
  return batch;
}

Result<ReceiveResult> Conversations::receive_in_transaction(const InboundMessage& in) {
  const TimePoint now = clock_.now();
  auto contact = store_.upsert_contact(in.channel_id, in.from, now);
  if (!contact) return contact.error();
  if (contact->erase_pending) {
    // They asked for erasure and write again before its confirmation left:
    // finish the erasure now and start afresh.
    if (Status s = store_.erase_contact(contact->id); !s) return s.error();
    contact = store_.upsert_contact(in.channel_id, in.from, now);
    if (!contact) return contact.error();
  }
  auto conv = store_.open_or_get_conversation(contact->id, in.channel_id, now);
  if (!conv) return conv.error();

  Message msg;
  msg.contact_id = contact->id;
  msg.conversation_id = conv->id;
  msg.channel_id = in.channel_id;
  msg.provider_id = in.provider_id.empty() ? std::nullopt : std::optional<std::string>(in.provider_id);
  msg.body = in.body;
  msg.segments = in.num_segments;
  msg.created_at = now;
  auto stored = store_.insert_inbound(msg);
  if (!stored) return stored.error();

  ReceiveResult result;
  result.message_id = stored->id;
  result.contact_id = contact->id;
  if (!stored->inserted) {
    result.duplicate = true;
    result.action = "none";
    log::info("message.duplicate", {{"channel", in.channel_id}, {"message_id", stored->id}});
    return result;
  }

  Contact c = *contact;
  c.last_inbound_at = now;  // opens WhatsApp's 24-hour window

  // Twilio's Advanced Opt-Out tells us what it understood; otherwise our keywords decide.
  const KeywordHit hit = keywords_.hit(in.body);
  Keyword kw = hit.keyword;
  if (in.opt_out_type == "STOP") kw = Keyword::kStop;
  else if (in.opt_out_type == "START") kw = Keyword::kStart;
  else if (in.opt_out_type == "HELP" && kw != Keyword::kCrisis) kw = Keyword::kHelp;
  // "YES" resumes only someone who stopped; otherwise it is an answer for the conversation.
  if (kw == Keyword::kStart && !c.opted_out && fold_keyword(in.body) != "start" && fold_keyword(in.body) != "unstop") {
    kw = Keyword::kNone;
  }
  // The language to answer a keyword in: the person's, else the keyword's own.
  const std::string answer_lang = composer_.answer_language(c.language, hit.language);
  const std::string channel = channel_kind_name(in.kind);

  std::string reply_key;
  std::string start_flow;  // a flow to start afresh instead of the flows' usual step
  Input input{in.body};
  switch (kw) {
    case Keyword::kStop:
      c.opted_out = true;
      result.action = "opt_out";
      break;
    case Keyword::kStart:
      if (c.opted_out) reply_key = "system.opted_in";
      c.opted_out = false;
      result.action = "opt_in";
      break;
    case Keyword::kHelp:
      reply_key = "system.help";
      result.action = "help";
      break;
    case Keyword::kCrisis:
      result.action = "crisis";
      if (c.opted_out) {
        // Twilio refuses SMS to a number that sent STOP; other channels still deliver.
        if (in.kind != ChannelKind::kSms) {
          if (Status s = answer_crisis(in, *conv, c, answer_lang, result); !s) return s.error();
        } else {
          result.action = "none";
        }
      } else if (conv->state != "bot") {
        if (Status s = answer_crisis(in, *conv, c, answer_lang, result); !s) return s.error();
      } else if (bot_.flows && bot_.renderer && bot_.engine && !bot_.flows->crisis.empty()) {
        input.crisis = true;
        if (Status s = run_flow(in, input, *conv, c, result, "", answer_lang); !s) return s.error();
      } else {
        if (Status s = answer_crisis(in, *conv, c, answer_lang, result); !s) return s.error();
      }
      break;
    case Keyword::kNone:
      if (c.opted_out) {
        result.action = "none";
      } else if (conv->state != "bot") {
        // With a helpline operator the flow stays silent, except for the erase
        // keyword (and the erase flow it starts, which may ask to confirm).
        // It starts on its own, without the menu behind it, so that no session
        // is left afterwards unless it waits for the confirmation.
        bool erase_flow = false;
        if (bot_.flows && bot_.renderer && bot_.engine) {
          start_flow = erase_keyword_flow(in.body, c.language);
          erase_flow = !start_flow.empty();
          if (!erase_flow) {
            auto live = store_.load_session(c.id, now);
            if (!live) return live.error();
            erase_flow = live->has_value();
          }
        }
        if (erase_flow) {
          result.action = "flow";
        } else {
          result.action = "none";
          auto h = store_.active_handover(conv->id);
          if (!h) return h.error();
          if (*h) result.events.push_back({"message.inbound", conv->id, (*h)->id, (*h)->queue});
        }
      } else if (bot_.flows && bot_.renderer && bot_.engine) {
        result.action = "flow";
      } else {
        reply_key = "system.welcome";
        result.action = "reply";
      }
      break;
  }
  std::string distress_lang;
  if (result.action == "flow" && start_flow.empty()) {
    input.distress = keywords_.contains_distress(in.body, &distress_lang);
  }
  if (result.action == "flow") {
    if (Status s = run_flow(in, input, *conv, c, result, start_flow, distress_lang); !s) return s.error();
  }
  if (result.action == "erased") {
    if (conv->state != "bot") result.events.push_back({"conversation.erased", conv->id, 0, ""});
    log::info("message.received", {{"channel", in.channel_id}, {"kind", channel_kind_name(in.kind)},
                                    {"message_id", stored->id}, {"action", result.action}});
    return result;
  }
  if (Status s = store_.update_contact(c); !s) return s.error();
  if (c.opted_out) reply_key.clear();
  if (!reply_key.empty()) {
    if (Status s = reply(*conv, reply_key, answer_lang, channel); !s) return s.error();
    ++result.queued;
    if (kw == Keyword::kHelp) {
      // HELP and INFO also give the emergency numbers of the person's country.
      const nlohmann::json vars = {{"country", select_country(country_of(in, c))}};
      if (Status s = reply(*conv, kCrisisNumbersTemplate, answer_lang, channel, vars); !s) return s.error();
      ++result.queued;
    }
  }
  log::info("message.received", {{"channel", in.channel_id}, {"kind", channel_kind_name(in.kind)},
                                  {"message_id", stored->id}, {"contact_id", contact->id},
                                  {"action", result.action}});
  return result;
}

Status Conversations::reply(const Conversation& conv, const std::string& template_key, const std::string& lang,
                            const std::string& channel, const nlohmann::json& vars) {
  const ComposedText text = composer_.compose(template_key, lang, channel, vars);
  return enqueue(conv, text.text, template_key);
}

std::string Conversations::number_country(const InboundMessage& in) {
  return kind_has_phone_number(channel_kind_name(in.kind)) ? country_of_number(in.from) : "";
}

std::string Conversations::country_of(const InboundMessage& in, const Contact& c) {
  return c.country.empty() ? number_country(in) : c.country;
}

Status Conversations::answer_crisis(const InboundMessage& in, const Conversation& conv, const Contact& c,
                                    const std::string& lang, ReceiveResult& result) {
  const std::string channel = channel_kind_name(in.kind);
  const nlohmann::json vars = {{"country", select_country(country_of(in, c))}};
  if (Status s = reply(conv, kCrisisNumbersTemplate, lang, channel, vars); !s) return s;
  ++result.queued;
  if (c.opted_out) {
    // They had stopped our messages: say how to reach a person again.
    if (Status s = reply(conv, kCrisisRestartTemplate, lang, channel); !s) return s;
    ++result.queued;
    return {};
  }
  if (conv.state == "bot") return {};
  // With the helpdesk: the operators see it first.
  auto h = store_.active_handover(conv.id);
  if (!h) return h.error();
  if (!*h) return {};
  Handover ho = **h;
  if (ho.priority != "urgent") {
    ho.priority = "urgent";
    if (Status s = store_.update_handover(ho); !s) return s;
    log::info("handover.escalated", {{"conversation_id", conv.id}, {"handover_id", ho.id}, {"reason", "crisis"}});
  }
  result.events.push_back({"message.inbound", conv.id, ho.id, ho.queue});
  return {};
}

Status Conversations::enqueue(const Conversation& conv, const std::string& text, const std::string& template_key) {
  Message out;
  out.contact_id = conv.contact_id;
  out.conversation_id = conv.id;
  out.channel_id = conv.channel_id;
  out.body = text;
  out.template_key = template_key;
  out.created_at = clock_.now();
  auto id = store_.enqueue_outbound(out, clock_.now());
  if (!id) return id.error();
  return {};
}

Status Conversations::run_flow(const InboundMessage& in, const Input& input, const Conversation& conv, Contact& c,
                               ReceiveResult& result, const std::string& start_flow, const std::string& lang_hint) {
  const TimePoint now = clock_.now();
  const std::string channel = channel_kind_name(in.kind);
  Session session;  // a default session is "ended": the message opens the entry flow
  auto saved = store_.load_session(c.id, now);
  if (!saved) return saved.error();
  ContactView view;
  view.language = c.language;
  view.country = c.country.empty() && in.kind != ChannelKind::kTelegram ? country_of_number(in.from) : c.country;
  view.channel = channel;
  if (*saved) {
    auto parsed = Session::from_json(**saved);
    if (parsed) session = std::move(*parsed);
    else log::warn("session.unreadable", {{"contact_id", c.id}});  // starts over
  } else {
    view.language_guesses = bot_.renderer->policy().guess_languages(
        in.kind == ChannelKind::kTelegram ? std::string() : in.from, in.body);
  }
  StepResult step = start_flow.empty() ? bot_.engine->step(*bot_.flows, session, view, input, now)
                                       : bot_.engine->start(*bot_.flows, start_flow, view, now);

  EffectContext context;
  context.channel = channel;
  context.lang_hint = lang_hint;
  context.number_country = number_country(in);
  context.helpdesk = helpdesk_.config;
  context.now = now;
  if (has_handover(step.effects)) {
    auto open = store_.list_open_handovers();
    if (!open) return open.error();
    context.open_handovers = std::move(*open);
  }
  const EffectOutcome outcome = apply_effects(step.effects, composer_, c, context);
  for (const std::string& error : outcome.errors) {
    log::error("flow.error", {{"contact_id", c.id}, {"error", error}});
  }
  for (const ComposedText& reply : outcome.replies) {
    if (Status s = enqueue(conv, reply.text, reply.key); !s) return s;
    ++result.queued;
  }
  if (outcome.handover) {
    Handover ho = *outcome.handover;
    ho.conversation_id = conv.id;
    ho.contact_id = c.id;
    auto id = store_.create_handover(ho);
    if (!id) return id.error();
    if (Status s = store_.set_conversation_state(conv.id, "waiting", now); !s) return s;
    log::info("handover.requested", {{"conversation_id", conv.id}, {"queue", ho.queue}, {"priority", ho.priority}});
    result.events.push_back({"handover.created", conv.id, *id, ho.queue});
  }
  if (outcome.erase) {
    // Everything about the person goes, this message and the session included;
    // what the flow said last (the confirmation) is sent first, and then the
    // address goes with it.
    if (Status s = store_.erase_contact_after_outbox(c.id); !s) return s;
    result.action = "erased";
    return {};
  }
  if (step.session.ended) {
    if (Status s = store_.delete_session(c.id); !s) return s;
  } else {
    if (Status s = store_.save_session(c.id, step.session.to_json(), step.session.expires_at, now); !s) return s;
  }
  return {};
}

std::string Conversations::erase_keyword_flow(const std::string& text, const std::string& lang) const {
  // Matched against every global keyword, as the engine does, so that a typo
  // closer to another keyword is not taken for erasure.
  std::vector<KeywordCandidate> candidates;
  int erase = -1;
  for (size_t i = 0; i < bot_.flows->globals.size(); ++i) {
    const GlobalKeyword& g = bot_.flows->globals[i];
    if (g.keyword == "keyword.erase") erase = static_cast<int>(i);
    candidates.push_back({bot_.renderer->keywords(g.keyword, lang), static_cast<int>(i)});
  }
  if (erase < 0) return "";
  auto match = best_keyword_match(text, candidates);
  if (!match || *match != erase) return "";
  return bot_.flows->globals[static_cast<size_t>(erase)].flow;
}

}  // namespace gw
