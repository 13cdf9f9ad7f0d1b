// Helpdesk: what operators do with handed-over conversations, as the console
// calls it. Each action checks that the operator may do it (routing.h), writes
// through the store in one transaction with an audit entry (actor
// "account:<id>", subject "conversation:<id>", ids and codes only, never a
// body), and then publishes an event on the bus for live consoles.
//
// The conversation's state follows its handover: "waiting" in a queue,
// "assigned" to an operator; closing hands it back to the bot ("bot", the next
// message starts the entry flow) or ends it ("closed", after a closing message).
// Operators' replies take the same road as the bot's: the outbox.
//
// It also decides what the console shows: which queues' figures and which
// conversations an operator sees, who may reveal a person's full address (and
// the audit entry that comes first), and which canned replies fit a person.
//
// Service figures (median first response, median handling time) are computed
// from the store, not from memory, so a restart keeps them: over the
// kServiceWindow most recent handovers (by creation), whichever queue, open or
// closed. A first response counts from the handover to the first operator
// reply; handling counts from the latest assignment (or the handover, when it
// was never assigned) to its close by an operator. Each counts in the queue
// the handover is in now (where it was closed, for a closed one).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/queue_config.h"
#include "gateway/core/clock.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/helpdesk_metrics.h"
#include "gateway/helpdesk/person_messages.h"
#include "gateway/helpdesk/routing.h"
#include "gateway/store/store.h"

namespace gw {

enum class CloseMode {
  kBackToBot,  // the bot answers again; the person's next message gets the entry flow
  kEnd,        // the person gets helpdesk.closing and the conversation is closed
};

// Everything an operator sees of a conversation.
struct ConversationView {
  Handover handover;
  int64_t conversation_id = 0;
  int64_t contact_id = 0;
  std::string channel_id;
  std::string address;  // masked: "+44 •••• ••• 123"
  std::string language;
  std::string country;
  std::string channel_kind;  // how the person is reached: "sms", "whatsapp", "telegram", "web"
  bool opted_out = false;
  std::vector<Message> messages;  // in and out, the bot's part too, oldest first, decrypted
  std::vector<Note> notes;        // oldest first
};

// The console's figures for one queue.
struct QueueFigures {
  std::string queue;
  int waiting = 0;
  int assigned = 0;
  std::chrono::seconds oldest_wait{0};  // of the waiting ones; 0 when none waits
  // Over the service window (see the top of this file); nullopt when there is none.
  std::optional<std::chrono::seconds> median_first_response;
  std::optional<std::chrono::seconds> median_handling;
};

// What the console's queue list shows one operator.
struct QueueOverview {
  std::vector<QueueFigures> queues;     // the queues they work in (every queue for a supervisor/admin)
  std::vector<Handover> conversations;  // open, that they may open, in queue order (before_in_queue)
};

// The canned replies offered for one conversation: template keys, to be
// rendered in the person's language for the channel they are reached on.
struct CannedChoice {
  std::string language;           // the person's language: the contact's, else the handover's
  std::string channel_kind;       // PersonMessages::channel_kind of the person
  std::vector<std::string> keys;  // in the order offered (canned_reply_keys)
};

// How many of the most recent handovers the service figures are computed over.
inline constexpr int kServiceWindow = 1000;

// The countries that have rights.<country>.numbers templates, as the template
// keys name them ("uk", not "gb").
const std::vector<std::string>& rights_countries();
// The template keys offered as canned replies to a person in `country` (ISO
// 3166 alpha-2, "" when unknown): the emergency numbers, the rights numbers of
// their country (of every country in rights_countries() when it is unknown or
// not one of them), reassurance, a safety tip and the closing message.
std::vector<std::string> canned_reply_keys(const std::string& country);

class Helpdesk {
 public:
  // Everything passed in must outlive the Helpdesk; `metrics` may be null.
  Helpdesk(Store& store, Clock& clock, const HelpdeskConfig& config, PersonMessages& messages,
           EventBus& events, HelpdeskMetrics* metrics = nullptr);

  // Assigns to `op` the waiting conversation routing offers them (next_for)
  // and returns it; nullopt when there is none. Another operator taking it
  // first only makes it try the next one.
  Result<std::optional<Handover>> take_next(const OperatorView& op);
  // `op` takes handover `id` (check_holder_change says who may). kNotFound
  // when it is not in their queues, kPermissionDenied for `force` without
  // being a supervisor/admin; kAlreadyExists when another
  // operator has it (without `force`, which lets a supervisor take it over);
  // kNotFound when it is closed or unknown. Taking one's own again is ok.
  Status assign(int64_t handover_id, const OperatorView& op, bool force = false);
  // Moves handover `id` to `queue` (a configured one), waiting there, or
  // assigned to `to_operator` (an enabled account). Who may do it is
  // check_holder_change's (routing.h) to say: an operator cannot move what
  // another operator holds, nor hand it to an account that cannot open it.
  Status transfer(int64_t handover_id, const OperatorView& actor, const std::string& queue,
                  std::optional<int64_t> to_operator = std::nullopt);
  // Sends `text` to the person. Only the operator it is assigned to (or a
  // supervisor/admin) may reply; not to a person who opted out. Records the
  // first response time once. Returns the outbound message id.
  Result<int64_t> reply(int64_t handover_id, const OperatorView& op, const std::string& text);
  // Adds a note to the handover's conversation. Returns the note id.
  Result<int64_t> add_note(int64_t handover_id, const OperatorView& op, const std::string& body);
  // Closes handover `id` (the assigned operator, or a supervisor/admin:
  // check_holder_change).
  Status close(int64_t handover_id, const OperatorView& op, CloseMode mode);
  // The conversation of handover `id`, open or closed, as `op` may see it.
  Result<ConversationView> conversation_view(int64_t handover_id, const OperatorView& op);

  // Assigns waiting conversations to `available` operators with room
  // (plan_auto_assignment). Returns how many were assigned. A no-op unless the
  // configuration's auto_assign is on.
  Result<int> auto_assign(const std::vector<OperatorView>& available);

  // Per configured queue (and any other queue that has open handovers).
  Result<std::vector<QueueFigures>> figures();
  // The figures of the queues `op` works in, and the open conversations they may open.
  Result<QueueOverview> overview(const OperatorView& op);

  // The full address of the person of handover `id` (open or closed) for `op`,
  // who must be able to open it (else kNotFound, as for an unknown id). An
  // audit entry "contact.reveal" is written first: without it, no address.
  Result<std::string> reveal_address(int64_t handover_id, const OperatorView& op);
  // The canned replies for the person of handover `id` (open or closed); the
  // same access as reveal_address, nothing audited. Their country is the
  // contact's, else guessed from a phone number (not for Telegram).
  Result<CannedChoice> canned_replies(int64_t handover_id, const OperatorView& op);

 private:
  // Loads the handover, open or closed, and checks `op` may open it.
  Result<Handover> visible_handover(int64_t id, const OperatorView& op);
  // visible_handover, and it is open.
  Result<Handover> open_handover(int64_t id, const OperatorView& op);
  // open_handover, and the operator may act on it (it is theirs, or they see every queue).
  Result<Handover> handover_to_act_on(int64_t id, const OperatorView& op);
  // Counts `value` of `metric` for the conversation's handover, in this week and
  // the country its start was counted in. REQUIRES: inside a transaction.
  Status count_stat(int64_t conversation_id, std::string_view metric, const std::string& value, TimePoint now);
  Status audit(const OperatorView& op, const std::string& action, int64_t conversation_id,
               const nlohmann::json& detail);
  // The account `account_id` as an OperatorView; nullopt for none,
  // kInvalidArgument when it is unknown or disabled.
  Result<std::optional<OperatorView>> holder_view(std::optional<int64_t> account_id);
  void publish(const std::string& type, const Handover& h, const std::string& from_queue = "");
  // The figures of every queue with `open` its open handovers.
  Result<std::vector<QueueFigures>> figures_of(const std::vector<Handover>& open);

  Store& store_;
  Clock& clock_;
  const HelpdeskConfig& config_;
  PersonMessages& messages_;
  EventBus& events_;
  HelpdeskMetrics* metrics_;
};

}  // namespace gw
