#include "gateway/conversations/conversations.h"

#include <algorithm>
#include <set>

#include "gateway/content/languages.h"
#include "gateway/conversations/flow_effects.h"
#include "gateway/core/channel_kinds.h"
#include "gateway/core/log.h"
#include "gateway/engine/input_match.h"
#include "gateway/engine/session.h"
#include "gateway/messages/opt_out.h"
#include "gateway/stats/iso_week.h"

namespace gw {

namespace {

// The value of a template's {country} select: "other" (all countries) when unknown.
std::string select_country(const std::string& country) {
  return country.empty() ? "other" : country;
}

}  // namespace

Conversations::Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                             std::function<void(const std::string&)> outbox_ready, Bot bot)
    : Conversations(store, clock, fixed_content(catalog, bot.renderer, bot.flows, bot.engine),
                    std::move(outbox_ready)) {}

Conversations::Conversations(Store& store, Clock& clock, ContentSource content,
                             std::function<void(const std::string&)> outbox_ready)
    : store_(store), clock_(clock), content_(std::move(content)), outbox_ready_(std::move(outbox_ready)) {}

Conversations::Speech::Speech(ContentView v)
    : view(std::move(v)), keywords(*view.catalog, view.renderer), composer(*view.catalog, view.renderer) {}

std::shared_ptr<const Conversations::Speech> Conversations::speech() const {
  ContentView now = content_();
  {
    std::lock_guard lock(speech_mu_);
    if (speech_ && speech_->view.hold == now.hold && speech_->view.catalog == now.catalog) return speech_;
  }
  // A new version: its keyword lists are folded outside the lock.
  auto made = std::make_shared<const Speech>(std::move(now));
  std::lock_guard lock(speech_mu_);
  speech_ = made;
  return made;
}

namespace {

bool same_handover(const Handover& a, const Handover& b) {
  return a.id == b.id && a.state == b.state && a.queue == b.queue && a.priority == b.priority &&
         a.created_at == b.created_at && a.operator_id == b.operator_id;
}

}  // namespace

bool Conversations::store_failure(const Error& e) {
  return e.code == ErrorCode::kIo || e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kTimeout;
}

bool Conversations::Snapshot::same_as(const Snapshot& o) const {
  const Contact& a = contact;
  const Contact& b = o.contact;
  if (a.id != b.id || a.language != b.language || a.country != b.country || a.opted_out != b.opted_out ||
      a.consent != b.consent || a.erase_pending != b.erase_pending) {
    return false;
  }
  if (conv.id != o.conv.id || conv.state != o.conv.state || session != o.session) return false;
  if (active.has_value() != o.active.has_value() || (active && !same_handover(*active, *o.active)))
    return false;
  if (!open) return true;
  if (!o.open || open->size() != o.open->size()) return false;
  for (size_t i = 0; i < open->size(); ++i) {
    if (!same_handover((*open)[i], (*o.open)[i])) return false;
  }
  return true;
}

Result<ReceiveResult> Conversations::receive(const InboundMessage& in) {
  const TimePoint now = clock_.now();
  Pending p{&in, speech(), {}, {}};
  std::vector<Pending*> items{&p};
  if (Status s = prepare(items, now); !s) return s.error();
  // One transaction: the message, the contact's changes, the session and the
  // replies are stored together or not at all.
  Result<ReceiveResult> out = Error::internal("receive did not run");
  Status s = store_.in_transaction([&]() -> Status {
    out = apply_plan(p, now);
    if (!out) return out.error();
    return {};
  });
  if (!s) return s.error();
  if (!out) return out;
  for (const auto& line : p.plan.logs) line(*out);
  after_commit(in.channel_id, *out);
  return out;
}

void Conversations::after_commit(const std::string& channel_id, const ReceiveResult& r) {
  if (outbox_ready_ && r.queued > 0) outbox_ready_(channel_id);
  if (helpdesk_.events) {
    for (const HelpdeskEvent& e : r.events) helpdesk_.events->publish(e);
  }
}

Status Conversations::prepare(const std::vector<Pending*>& items, TimePoint now) {
  // First without the open handovers; again with them for the few that hand over.
  for (const bool with_open : {false, true}) {
    std::vector<Pending*> todo;
    for (Pending* p : items) {
      if (p->in && (!with_open || p->plan.needs_open)) todo.push_back(p);
    }
    if (todo.empty()) return {};
    // The same reads the write will make (a new person is created, an erasure
    // they asked for finished), in a transaction kept short and then undone:
    // what is decided from them is written, and checked again, in apply_plan.
    bool read = false;
    Status s = store_.in_transaction([&]() -> Status {
      for (Pending* p : todo) {
        Result<Snapshot> snap = Error::internal("not read");
        Status item = store_.in_transaction([&]() -> Status {
          snap = read_snapshot(*p->in, now, with_open, *p->speech);
          return snap ? Status() : Status(snap.error());
        });
        if (!item && store_failure(item.error())) return item;
        p->snap.reset();
        if (snap) p->snap = std::move(*snap);  // otherwise decided in the write's transaction
      }
      read = true;
      return Error::internal("snapshot read: undone on purpose");
    });
    if (!read) return s;
    for (Pending* p : todo) {
      if (p->snap) p->plan = decide(*p->in, *p->snap, now, *p->speech);
    }
  }
  return {};
}

Result<Conversations::Snapshot> Conversations::read_snapshot(const InboundMessage& in, TimePoint now,
                                                             bool with_open, const Speech& sp) {
  Snapshot snap;
  auto contact = store_.upsert_contact(in.channel_id, in.from, now);
  if (!contact) return contact.error();
  if (contact->erase_pending) {
    // They asked for erasure and write again before its confirmation left:
    // finish the erasure now and start afresh.
    if (Status s = store_.erase_contact(contact->id); !s) return s.error();
    contact = store_.upsert_contact(in.channel_id, in.from, now);
    if (!contact) return contact.error();
  }
  snap.contact = std::move(*contact);
  auto conv = store_.open_or_get_conversation(snap.contact.id, in.channel_id, now);
  if (!conv) return conv.error();
  snap.conv = std::move(*conv);
  if (sp.has_flows()) {
    auto session = store_.load_session(snap.contact.id, now);
    if (!session) return session.error();
    snap.session = std::move(*session);
  }
  if (snap.conv.state != "bot") {
    auto active = store_.active_handover(snap.conv.id);
    if (!active) return active.error();
    snap.active = std::move(*active);
  }
  if (with_open) {
    auto open = store_.list_open_handovers();
    if (!open) return open.error();
    snap.open = std::move(*open);
  }
  return snap;
}

Result<ReceiveResult> Conversations::apply_plan(Pending& p, TimePoint now) {
  if (!p.in) return Error::internal("no message to apply");
  const InboundMessage& in = *p.in;
  auto fresh = read_snapshot(in, now, p.snap && p.snap->open.has_value(), *p.speech);
  if (!fresh) return fresh.error();

  Message msg;
  msg.contact_id = fresh->contact.id;
  msg.conversation_id = fresh->conv.id;
  msg.channel_id = in.channel_id;
  msg.provider_id = in.provider_id.empty() ? std::nullopt : std::optional<std::string>(in.provider_id);
  msg.body = in.body;
  msg.segments = in.num_segments;
  msg.created_at = now;
  auto stored = store_.insert_inbound(msg);
  if (!stored) return stored.error();
  if (!stored->inserted) {
    // A provider's retry: nothing else is written.
    Plan duplicate;
    duplicate.result.duplicate = true;
    duplicate.result.action = "none";
    duplicate.result.message_id = stored->id;
    duplicate.result.contact_id = fresh->contact.id;
    duplicate.logs.push_back([channel = in.channel_id](const ReceiveResult& r) {
      log::info("message.duplicate", {{"channel", channel}, {"message_id", r.message_id}});
    });
    p.plan = std::move(duplicate);
    return p.plan.result;
  }
  if (!p.snap || !p.snap->same_as(*fresh)) {
    // Changed since it was read (the console, another message): decided again
    // on what holds now, by the same code.
    p.plan = decide(in, *fresh, now, *p.speech);
    if (p.plan.needs_open) {
      auto open = store_.list_open_handovers();
      if (!open) return open.error();
      fresh->open = std::move(*open);
      p.plan = decide(in, *fresh, now, *p.speech);
    }
  }
  p.plan.result.message_id = stored->id;
  for (const auto& write : p.plan.writes) {
    if (Status s = write(p.plan.result); !s) return s.error();
  }
  if (Status s = count_stats(in, *fresh, p.plan, now); !s) return s.error();
  return p.plan.result;
}

Status Conversations::count_stats(const InboundMessage& in, const Snapshot& fresh, const Plan& plan,
                                  TimePoint now) {
  const Contact& person = plan.contact_after ? *plan.contact_after : fresh.contact;
  const Conversation& conv = fresh.conv;
  const std::string language = stats::stat_language(person.language);
  // Most messages count nothing: their conversation was counted where it still
  // belongs (its number's region cannot change; only a chosen language or
  // country moves it). Those return before the number is read again.
  const bool counted = !conv.stat_country.empty();
  const bool chose_other =
      conv.stat_language != language ||
      (!person.country.empty() && stats::stat_country(person.country, stats_countries_) != conv.stat_country);
  if (plan.stats.empty() && !(plan.contact_after && (!counted || chose_other))) return {};
  const std::string country = stats::stat_country(country_of(in, person), stats_countries_);
  std::vector<StatCount> changes;
  if (plan.contact_after) {
    // The conversation's start, counted once, in the week it began; a language
    // or country chosen later moves it there.
    if (conv.stat_country != country || conv.stat_language != language) {
      const std::string started = stats::iso_week(conv.created_at);
      const std::string channel = channel_kind_name(in.kind);
      if (!conv.stat_country.empty()) {
        changes.push_back(
            stats::stat_change(started, conv.stat_country, stats::kConversationsChannel, channel, -1));
        changes.push_back(stats::stat_change(started, conv.stat_country, stats::kConversationsLanguage,
                                             conv.stat_language, -1));
        changes.push_back(stats::stat_change(started, conv.stat_country, stats::kConversationsCountry,
                                             conv.stat_country, -1));
      }
      changes.push_back(stats::stat_change(started, country, stats::kConversationsChannel, channel));
      changes.push_back(stats::stat_change(started, country, stats::kConversationsLanguage, language));
      changes.push_back(stats::stat_change(started, country, stats::kConversationsCountry, country));
      if (Status s = store_.set_conversation_stats(conv.id, country, language); !s) return s;
    }
  }
  const std::string week = stats::iso_week(now);
  for (const auto& [metric, value] : plan.stats)
    changes.push_back(stats::stat_change(week, country, metric, value));
  return store_.add_stats(changes);
}

Conversations::Plan Conversations::decide(const InboundMessage& in, const Snapshot& snap, TimePoint now,
                                          const Speech& sp) const {
  Plan plan;
  ReceiveResult& result = plan.result;
  result.contact_id = snap.contact.id;
  const Conversation& conv = snap.conv;
  Contact c = snap.contact;
  c.last_inbound_at = now;  // opens WhatsApp's 24-hour window

  // Twilio's Advanced Opt-Out tells us what it understood; otherwise our keywords decide.
  const KeywordHit hit = sp.keywords.hit(in.body);
  Keyword kw = hit.keyword;
  if (in.opt_out_type == "STOP")
    kw = Keyword::kStop;
  else if (in.opt_out_type == "START")
    kw = Keyword::kStart;
  else if (in.opt_out_type == "HELP" && kw != Keyword::kCrisis)
    kw = Keyword::kHelp;
  // "YES" resumes only someone who stopped; otherwise it is an answer for the conversation.
  if (kw == Keyword::kStart && !c.opted_out && fold_keyword(in.body) != "start" &&
      fold_keyword(in.body) != "unstop") {
    kw = Keyword::kNone;
  }
  // The language to answer a keyword in: the person's, else the keyword's own.
  const std::string answer_lang = sp.composer.answer_language(c.language, hit.language);
  const std::string channel = channel_kind_name(in.kind);
  const bool flows = sp.has_flows();

  std::string reply_key;
  std::string start_flow;  // a flow to start afresh instead of the flows' usual step
  Input input{in.body};
  switch (kw) {
    case Keyword::kStop:
      if (!c.opted_out) plan.stats.emplace_back(stats::kRequests, "opt_out");
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
        if (in.kind != ChannelKind::kSms)
          answer_crisis(in, snap, c, answer_lang, plan, now, sp);
        else
          result.action = "none";
      } else if (conv.state != "bot") {
        answer_crisis(in, snap, c, answer_lang, plan, now, sp);
      } else if (flows && !sp.view.flows->crisis.empty()) {
        input.crisis = true;
        run_flow(in, input, snap, c, plan, "", answer_lang, now, sp);
        if (plan.needs_open) return plan;
      } else {
        answer_crisis(in, snap, c, answer_lang, plan, now, sp);
      }
      break;
    case Keyword::kNone:
      if (c.opted_out) {
        result.action = "none";
      } else if (conv.state != "bot") {
        // With a helpline operator the flow stays silent, except for the erase
        // keyword (and the erase flow it starts, which may ask to confirm).
        // It starts on its own, without the menu behind it, so that no session
        // is left afterwards unless it waits for the confirmation.
        bool erase_flow = false;
        if (flows) {
          start_flow = erase_keyword_flow(in.body, c.language, sp);
          erase_flow = !start_flow.empty() || snap.session.has_value();
        }
        if (erase_flow) {
          result.action = "flow";
        } else {
          result.action = "none";
          if (snap.active)
            result.events.push_back({"message.inbound", conv.id, snap.active->id, snap.active->queue});
        }
      } else if (flows) {
        result.action = "flow";
      } else {
        reply_key = "system.welcome";
        result.action = "reply";
      }
      break;
  }
  std::string distress_lang;
  if (result.action == "flow" && start_flow.empty()) {
    input.distress = sp.keywords.contains_distress(in.body, &distress_lang);
  }
  if (result.action == "flow") {
    run_flow(in, input, snap, c, plan, start_flow, distress_lang, now, sp);
    if (plan.needs_open) return plan;
  }
  const std::string channel_id = in.channel_id;
  if (result.action == "erased") {
    if (conv.state != "bot") result.events.push_back({"conversation.erased", conv.id, 0, ""});
    plan.logs.push_back([channel_id, channel](const ReceiveResult& r) {
      log::info(
          "message.received",
          {{"channel", channel_id}, {"kind", channel}, {"message_id", r.message_id}, {"action", r.action}});
    });
    return plan;
  }
  plan.writes.push_back([this, c](ReceiveResult&) { return store_.update_contact(c); });
  plan.contact_after = c;
  if (c.consent != snap.contact.consent && (c.consent == "given" || c.consent == "declined"))
    plan.stats.emplace_back(stats::kConsent, c.consent);
  if (c.opted_out) reply_key.clear();
  if (!reply_key.empty()) {
    queue_reply(plan, conv, reply_key, answer_lang, channel, nlohmann::json::object(), now, sp);
    if (kw == Keyword::kHelp) {
      // HELP and INFO also give the emergency numbers of the person's country.
      const nlohmann::json vars = {{"country", select_country(country_of(in, c))}};
      queue_reply(plan, conv, kCrisisNumbersTemplate, answer_lang, channel, vars, now, sp);
    }
  }
  plan.logs.push_back([channel_id, channel](const ReceiveResult& r) {
    log::info("message.received", {{"channel", channel_id},
                                   {"kind", channel},
                                   {"message_id", r.message_id},
                                   {"contact_id", r.contact_id},
                                   {"action", r.action}});
  });
  return plan;
}

void Conversations::queue_reply(Plan& plan, const Conversation& conv, const std::string& template_key,
                                const std::string& lang, const std::string& channel,
                                const nlohmann::json& vars, TimePoint now, const Speech& sp) const {
  ComposedText text = sp.composer.compose(template_key, lang, channel, vars);
  queue_text(plan, conv, std::move(text), now);
}

void Conversations::queue_text(Plan& plan, const Conversation& conv, ComposedText text, TimePoint now) const {
  plan.writes.push_back([this, conv, text = std::move(text), now](ReceiveResult&) -> Status {
    Message out;
    out.contact_id = conv.contact_id;
    out.conversation_id = conv.id;
    out.channel_id = conv.channel_id;
    out.body = text.text;
    out.template_key = text.key;
    out.created_at = now;
    auto id = store_.enqueue_outbound(out, now);
    if (!id) return id.error();
    return {};
  });
  ++plan.result.queued;
}

std::string Conversations::number_country(const InboundMessage& in) {
  if (!kind_has_phone_number(channel_kind_name(in.kind))) return "";
  return country_of_number(in.from);
}

std::string Conversations::country_of(const InboundMessage& in, const Contact& c) {
  return c.country.empty() ? number_country(in) : c.country;
}

void Conversations::answer_crisis(const InboundMessage& in, const Snapshot& snap, const Contact& c,
                                  const std::string& lang, Plan& plan, TimePoint now,
                                  const Speech& sp) const {
  const std::string channel = channel_kind_name(in.kind);
  const nlohmann::json vars = {{"country", select_country(country_of(in, c))}};
  queue_reply(plan, snap.conv, kCrisisNumbersTemplate, lang, channel, vars, now, sp);
  if (c.opted_out) {
    // They had stopped our messages: say how to reach a person again.
    queue_reply(plan, snap.conv, kCrisisRestartTemplate, lang, channel, nlohmann::json::object(), now, sp);
    return;
  }
  if (snap.conv.state == "bot" || !snap.active) return;
  // With the helpdesk: the operators see it first.
  Handover ho = *snap.active;
  if (ho.priority != "urgent") {
    ho.priority = "urgent";
    plan.writes.push_back([this, ho](ReceiveResult&) { return store_.update_handover(ho); });
    plan.logs.push_back([conv = snap.conv.id, id = ho.id](const ReceiveResult&) {
      log::info("handover.escalated", {{"conversation_id", conv}, {"handover_id", id}, {"reason", "crisis"}});
    });
  }
  plan.result.events.push_back({"message.inbound", snap.conv.id, ho.id, ho.queue});
}

void Conversations::run_flow(const InboundMessage& in, const Input& input, const Snapshot& snap, Contact& c,
                             Plan& plan, const std::string& start_flow, const std::string& lang_hint,
                             TimePoint now, const Speech& sp) const {
  const Conversation& conv = snap.conv;
  const std::string channel = channel_kind_name(in.kind);
  Session session;  // a default session is "ended": the message opens the entry flow
  ContactView view;
  view.language = c.language;
  view.country =
      c.country.empty() && in.kind != ChannelKind::kTelegram ? country_of_number(in.from) : c.country;
  view.channel = channel;
  if (snap.session) {
    auto parsed = Session::from_json(*snap.session);
    if (parsed) {
      session = std::move(*parsed);
    } else {
      plan.logs.push_back([id = c.id](const ReceiveResult&) {
        log::warn("session.unreadable", {{"contact_id", id}});  // starts over
      });
    }
  } else {
    view.language_guesses = sp.view.renderer->policy().guess_languages(
        in.kind == ChannelKind::kTelegram ? std::string() : in.from, in.body);
  }
  StepResult step = start_flow.empty() ? sp.view.engine->step(*sp.view.flows, session, view, input, now)
                                       : sp.view.engine->start(*sp.view.flows, start_flow, view, now);

  EffectContext context;
  context.channel = channel;
  context.lang_hint = lang_hint;
  context.number_country = number_country(in);
  context.helpdesk = helpdesk_.config;
  context.now = now;
  if (has_handover(step.effects)) {
    if (!snap.open) {
      plan.needs_open = true;  // decided again with every open handover
      return;
    }
    context.open_handovers = *snap.open;
  }
  EffectOutcome outcome = apply_effects(step.effects, sp.composer, c, context);
  if (!step.restarted_from.empty()) {
    plan.logs.push_back([id = c.id, from = step.restarted_from,
                         version = sp.view.version](const ReceiveResult&) {
      log::info("flow.session_restarted", {{"contact_id", id}, {"from", from}, {"content_version", version}});
    });
  }
  for (const std::string& error : outcome.errors) {
    plan.logs.push_back([id = c.id, error](const ReceiveResult&) {
      log::error("flow.error", {{"contact_id", id}, {"error", error}});
    });
  }
  for (ComposedText& reply : outcome.replies) queue_text(plan, conv, std::move(reply), now);
  // Topics reached, indicators reported, screening results: the flows' stat tags.
  for (const StatTag& tag : outcome.stats) plan.stats.emplace_back(tag.metric, tag.value);
  if (outcome.handover) {
    plan.stats.emplace_back(stats::kHandoverQueue, outcome.handover->queue);
    plan.stats.emplace_back(stats::kHandoverPriority, outcome.handover->priority);
    Handover ho = *outcome.handover;
    ho.conversation_id = conv.id;
    ho.contact_id = c.id;
    plan.writes.push_back([this, ho, now](ReceiveResult& r) -> Status {
      auto id = store_.create_handover(ho);
      if (!id) return id.error();
      if (Status s = store_.set_conversation_state(ho.conversation_id, "waiting", now); !s) return s;
      r.events.push_back({"handover.created", ho.conversation_id, *id, ho.queue});
      return {};
    });
    plan.logs.push_back([conv = conv.id, queue = ho.queue, priority = ho.priority](const ReceiveResult&) {
      log::info("handover.requested", {{"conversation_id", conv}, {"queue", queue}, {"priority", priority}});
    });
  }
  const int64_t contact_id = c.id;
  if (outcome.erase) {
    plan.stats.emplace_back(stats::kRequests, "erasure");
    // Everything about the person goes, this message and the session included;
    // what the flow said last (the confirmation) is sent first, and then the
    // address goes with it.
    plan.writes.push_back(
        [this, contact_id](ReceiveResult&) { return store_.erase_contact_after_outbox(contact_id); });
    plan.result.action = "erased";
    return;
  }
  if (step.session.ended) {
    plan.writes.push_back([this, contact_id](ReceiveResult&) { return store_.delete_session(contact_id); });
  } else {
    plan.writes.push_back(
        [this, contact_id, json = step.session.to_json(), expires = step.session.expires_at,
         now](ReceiveResult&) { return store_.save_session(contact_id, json, expires, now); });
  }
}

std::string Conversations::erase_keyword_flow(const std::string& text, const std::string& lang,
                                              const Speech& sp) const {
  // Matched against every global keyword, as the engine does, so that a typo
  // closer to another keyword is not taken for erasure.
  std::vector<KeywordCandidate> candidates;
  int erase = -1;
  for (size_t i = 0; i < sp.view.flows->globals.size(); ++i) {
    const GlobalKeyword& g = sp.view.flows->globals[i];
    if (g.keyword == "keyword.erase") erase = static_cast<int>(i);
    candidates.push_back({sp.view.renderer->keywords(g.keyword, lang), static_cast<int>(i)});
  }
  if (erase < 0) return "";
  auto match = best_keyword_match(text, candidates);
  if (!match || *match != erase) return "";
  return sp.view.flows->globals[static_cast<size_t>(erase)].flow;
}

}  // namespace gw
