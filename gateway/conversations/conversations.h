// Conversations: the orchestrator between the channels and everything behind
// them. A channel hands it an authenticated InboundMessage; it
//   1. stores it durably, once (a provider's retry is recognised by its id and
//      gets no second reply),
//   2. applies the keywords that work in any state (stop, start, help, and the
//      crisis words), in every loaded language,
//   3. and otherwise lets the conversation answer, through the outbox.
// Nothing is sent unasked: every reply answers a message. Nothing is sent to a
// contact who opted out, with one exception: a crisis word (SOS, 112, "help
// me" …) is answered with the emergency numbers on a channel that still lets us
// send after an opt-out (Telegram, WhatsApp); never on SMS, where the carrier
// blocks messages to a number that sent STOP.
//
// The crisis route: a crisis word, whole message, in any state — before the
// language choice and consent, inside any flow, during a handover — gets the
// emergency numbers of the person's country (from the country they chose or
// their number's region; all four countries when unknown) and how to call when
// they cannot speak, at once, in the language of the word when they have not
// chosen one. In the bot's hands the flows' crisis flow does that and offers an
// urgent handover; with the helpdesk the numbers are sent and the handover is
// made urgent. Free text with a distress word where a numbered answer is
// expected gets the same (the engine decides, see Input::distress).
// While a conversation is with the helpdesk ("waiting" or "assigned") the flow
// stays silent: the person's messages are stored and announced on the helpdesk
// event bus for the operator. STOP, START, HELP and the erase keyword keep
// working. A new handover is answered at once with the person's place in the
// queue, or out of the queue's hours with the out-of-hours reply.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/queue_config.h"
#include "gateway/content/live_content.h"
#include "gateway/content/renderer.h"
#include "gateway/content/reply_composer.h"
#include "gateway/content/template_catalog.h"
#include "gateway/conversations/keywords.h"
#include "gateway/core/backoff.h"
#include "gateway/core/clock.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/flow.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/waiting_notice.h"
#include "gateway/messages/inbound_message.h"
#include "gateway/stats/stat_scope.h"
#include "gateway/store/intake.h"
#include "gateway/store/store.h"

namespace gw {

// The flows and what renders their messages. Without it, a message that is no
// keyword gets the system.welcome template.
struct Bot {
  const FlowSet* flows = nullptr;
  const Renderer* renderer = nullptr;
  const Engine* engine = nullptr;
};

struct ReceiveResult {
  bool duplicate = false;  // already stored earlier: nothing was done again
  int64_t message_id = 0;
  int64_t contact_id = 0;
  int queued = 0;                     // replies queued in the outbox
  std::string action;                 // "opt_out", "opt_in", "help", "reply", "flow", "erased", "none"
  std::vector<HelpdeskEvent> events;  // published on the helpdesk bus once stored
};

// What one message of the intake came to (Conversations::handle_queued).
struct HandledInbound {
  std::string channel_id;
  ReceiveResult result;
};

struct IntakeBatch {
  std::vector<HandledInbound> handled;
  int deferred = 0;       // failed, left in the intake to be tried again later (dead letters included)
  int dead_lettered = 0;  // of those, failed for the last allowed time: now dead letters
  int held = 0;           // left as they were, behind an earlier message of their sender that failed
  bool more = false;      // the batch was full: more may be due
};

// How a queued message that fails is tried again: after 1 s, 2 s, 4 s ... (at
// most 5 minutes); after max_attempts failed attempts it is a dead letter.
inline constexpr BackoffPolicy kIntakeRetry{Millis(1000), Millis(5 * 60 * 1000), 5};

// The helpdesk side of a conversation: queue hours for the notice a new
// handover gets, and the bus its events go to. Without it every queue counts
// as always open and no event is published.
struct HelpdeskLink {
  const HelpdeskConfig* config = nullptr;
  EventBus* events = nullptr;
};

class Conversations {
 public:
  // `outbox_ready(channel_id)` is called after a reply was queued, so that the
  // channel's sender wakes at once instead of at its next tick.
  Conversations(Store& store, Clock& clock, const TemplateCatalog& catalog,
                std::function<void(const std::string&)> outbox_ready = nullptr, Bot bot = {});
  // Speaks from whatever `content` gives when a message (or a batch of them) is
  // decided: a published version replaces the last one between two messages, and
  // a message is decided with one version from start to end.
  Conversations(Store& store, Clock& clock, ContentSource content,
                std::function<void(const std::string&)> outbox_ready = nullptr);

  // REQUIRES: `in` was authenticated by its channel.
  // Handles `in` now: stores it and answers it. What the answer depends on is
  // read first (a short transaction, undone); the keywords, the flow's step and
  // the replies' rendering are decided outside any transaction; then the
  // message and everything it comes to are written in one transaction — after
  // checking that what was read still holds, and deciding again on what holds
  // now where it does not. Log lines are written after the commit.
  Result<ReceiveResult> receive(const InboundMessage& in);

  // The webhooks' way in. Stores `in` in the intake (durably, encrypted) and
  // calls `ready`. The webhook is answered once this returns. A provider's retry
  // is stored again and recognised when handled (receive's deduplication): it
  // is neither stored nor answered twice.
  // REQUIRES: set_intake() was called; `in` was authenticated by its channel
  // and has a provider id.
  Status accept(const InboundMessage& in);
  // Handles up to `limit` messages of the intake, oldest first, as receive()
  // does, in rounds: a round takes the first waiting message of each sender
  // (so each decision reads what the sender's previous message wrote), decides
  // them all outside the Store's transactions, and writes them in one
  // transaction, each in a savepoint of its own, so that one that fails is
  // left in the intake and tried again later, as the retry policy says
  // (set_intake), until it becomes a dead letter. The person's later messages
  // wait behind it, in the batch as in the intake, and are handled after it.
  // Once the Store committed, the handled ones leave the intake. A failure of
  // the Store itself (I/O, busy, closed) fails the batch: what its earlier
  // rounds committed is kept, the rest stays queued. One caller at a time: that
  // keeps each conversation's order.
  Result<IntakeBatch> handle_queued(int limit);
  // REQUIRES: called before the first accept(); `intake` outlives this.
  // `ready` (may be empty) is called after accept() stored a message. `retry`:
  // the delays between attempts (base, cap) and how many a message gets.
  void set_intake(Intake* intake, std::function<void()> ready, BackoffPolicy retry = kIntakeRetry) {
    intake_ = intake;
    intake_ready_ = std::move(ready);
    intake_retry_ = retry;
  }

  // REQUIRES: called before the first receive(); `link`'s pointees outlive this.
  void set_helpdesk(HelpdeskLink link) { helpdesk_ = link; }
  // REQUIRES: called before the first receive(). The countries the statistics
  // count as themselves (config "stats"."countries"); others count as "other".
  void set_stats_countries(std::vector<std::string> countries) { stats_countries_ = std::move(countries); }

 private:
  // What deciding about one message reads from the store: the person as the
  // message finds them (created when new; an erasure they asked for finished),
  // their conversation, flow session and active handover, and — read only when
  // the decision hands over — every open handover (for their place in the queue).
  struct Snapshot {
    Contact contact;
    Conversation conv;
    std::optional<std::string> session;  // its JSON; read only with flows
    std::optional<Handover> active;      // read only when the conversation is not with the bot
    std::optional<std::vector<Handover>> open;
    // True when what a decision reads is the same in both.
    bool same_as(const Snapshot& other) const;
  };
  // What a message comes to, decided without holding the store: the writes,
  // in order, made in one transaction, and the log lines written after it.
  struct Plan {
    ReceiveResult result;
    std::vector<std::function<Status(ReceiveResult&)>> writes;
    std::vector<std::function<void(const ReceiveResult&)>> logs;
    bool needs_open = false;  // it hands over: to be decided again with Snapshot::open
    // What the statistics count of it (metric, value), in the week and country
    // of the person after it; and the person after it (none once erased).
    std::vector<std::pair<std::string, std::string>> stats;
    std::optional<Contact> contact_after;
  };
  // The content one message is decided with, and what is derived from it once
  // per version: the keyword lists in every language and the reply composer.
  struct Speech {
    explicit Speech(ContentView v);
    ContentView view;
    KeywordMatcher keywords;
    ReplyComposer composer;
    bool has_flows() const { return view.flows && view.renderer && view.engine; }
  };
  // The Speech of the content current now (built again only when it changed).
  std::shared_ptr<const Speech> speech() const;

  struct Pending {
    const InboundMessage* in = nullptr;  // null: the message could not be read
    std::shared_ptr<const Speech> speech;
    std::optional<Snapshot> snap;  // none: decided in the write's transaction
    Plan plan;
  };

  // A failure of the Store itself (I/O, busy, closed): it fails the whole
  // batch, whose messages stay queued as they were.
  static bool store_failure(const Error& e);
  // Reads the snapshot of each message and decides its plan, the store held
  // only while it reads. Fails only when the store does.
  Status prepare(const std::vector<Pending*>& items, TimePoint now);
  // REQUIRES: inside a transaction of the store.
  Result<Snapshot> read_snapshot(const InboundMessage& in, TimePoint now, bool with_open, const Speech& sp);
  // REQUIRES: inside a transaction of the store. Stores the message and writes
  // its plan; a retry of a message already stored writes nothing else. When the
  // snapshot no longer holds, decides again on what holds now.
  Result<ReceiveResult> apply_plan(Pending& p, TimePoint now);
  // REQUIRES: inside the transaction of apply_plan, after the plan's writes.
  // Counts what the plan came to (Plan::stats), and the conversation's start —
  // moved to the language and country the person chose since, if they did.
  Status count_stats(const InboundMessage& in, const Snapshot& fresh, const Plan& plan, TimePoint now);
  // Decides what `in` comes to, from `snap` alone (no store access).
  Plan decide(const InboundMessage& in, const Snapshot& snap, TimePoint now, const Speech& sp) const;
  // After a commit: wakes the senders of the replies, publishes the events.
  void after_commit(const std::string& channel_id, const ReceiveResult& r);
  // Composes `template_key` in `lang` for `channel` and plans to queue it.
  void queue_reply(Plan& plan, const Conversation& conv, const std::string& template_key,
                   const std::string& lang, const std::string& channel, const nlohmann::json& vars,
                   TimePoint now, const Speech& sp) const;
  void queue_text(Plan& plan, const Conversation& conv, ComposedText text, TimePoint now) const;
  // The crisis answer outside the flows (opted out, with the helpdesk, no flows).
  void answer_crisis(const InboundMessage& in, const Snapshot& snap, const Contact& c,
                     const std::string& lang, Plan& plan, TimePoint now, const Speech& sp) const;
  // Runs the person's message through the flows and plans what follows. With
  // `start_flow`, that flow starts afresh instead (the message only opens it).
  // `input` carries the crisis and distress marks; `lang_hint` is the language
  // to answer in while the person has chosen none.
  void run_flow(const InboundMessage& in, const Input& input, const Snapshot& snap, Contact& c, Plan& plan,
                const std::string& start_flow, const std::string& lang_hint, TimePoint now,
                const Speech& sp) const;
  // The country of the person's number; "" for Telegram and web, whose ids are no numbers.
  static std::string number_country(const InboundMessage& in);
  // The person's country for the numbers: the one they chose, else their
  // number's region (never for Telegram, whose ids are no numbers); "" if unknown.
  static std::string country_of(const InboundMessage& in, const Contact& c);
  // The flow of the flows' global erase keyword (keyword.erase) when `text` is
  // that keyword in `lang`; "" otherwise.
  std::string erase_keyword_flow(const std::string& text, const std::string& lang, const Speech& sp) const;

  Store& store_;
  Clock& clock_;
  ContentSource content_;
  mutable std::mutex speech_mu_;  // guards speech_; held only to compare and copy it
  mutable std::shared_ptr<const Speech> speech_;
  std::function<void(const std::string&)> outbox_ready_;
  Intake* intake_ = nullptr;
  std::function<void()> intake_ready_;
  BackoffPolicy intake_retry_ = kIntakeRetry;
  HelpdeskLink helpdesk_;
  std::vector<std::string> stats_countries_ = stats::default_countries();
};

}  // namespace gw
