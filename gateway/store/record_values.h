// The allowed values of the text-valued fields in records.h, and the order of
// message statuses. Shared by every Store backend so they agree.
#pragma once

#include <optional>
#include <string_view>

namespace gw {

bool is_contact_consent(std::string_view v);     // none, given, declined
bool is_conversation_state(std::string_view v);  // bot, waiting, assigned, closed
bool is_message_direction(std::string_view v);   // in, out
bool is_outbox_state(std::string_view v);        // pending, sending, sent, failed
bool is_handover_priority(std::string_view v);   // urgent, high, normal
bool is_handover_state(std::string_view v);      // waiting, assigned, closed
bool is_account_role(std::string_view v);        // operator, supervisor, editor, admin

// Provider status callbacks arrive out of order (a "delivered" can overtake its
// "sent"), so a status only replaces a lower-ranked one:
//   received, held, queued < sending < sent < delivered = undelivered = failed < read
// nullopt for a status that is not one of these.
std::optional<int> message_status_rank(std::string_view status);

// True iff `next` should replace `current`: both known and next ranks strictly
// higher. Equal ranks keep the first (a late "failed" does not undo "delivered").
bool message_status_supersedes(std::string_view next, std::string_view current);

}  // namespace gw
