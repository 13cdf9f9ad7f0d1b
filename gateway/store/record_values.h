// The allowed values of the text-valued fields in records.h, and the order of
// message statuses. Shared by every Store backend so they agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/store/records.h"

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

// An account's role and capacity are valid, and its lists (languages, queues)
// can be stored as comma-separated text: an item holding a comma (or empty)
// could not come back as it went in, so it is refused.
Status check_account(const Account& a);
// The comma-separated text of an account's list, and back (empty items dropped).
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& text);

}  // namespace gw
