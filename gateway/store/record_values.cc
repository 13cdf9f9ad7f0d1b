#include "gateway/store/record_values.h"

#include <algorithm>
#include <initializer_list>

namespace gw {
namespace {

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

}  // namespace

bool is_contact_consent(std::string_view v) {
  return one_of(v, {"none", "given", "declined"});
}
bool is_conversation_state(std::string_view v) {
  return one_of(v, {"bot", "waiting", "assigned", "closed"});
}
bool is_message_direction(std::string_view v) {
  return one_of(v, {"in", "out"});
}
bool is_outbox_state(std::string_view v) {
  return one_of(v, {"pending", "sending", "sent", "failed"});
}
bool is_handover_priority(std::string_view v) {
  return one_of(v, {"urgent", "high", "normal"});
}
bool is_handover_state(std::string_view v) {
  return one_of(v, {"waiting", "assigned", "closed"});
}
bool is_account_role(std::string_view v) {
  return one_of(v, {"operator", "supervisor", "editor", "admin"});
}

std::optional<int> message_status_rank(std::string_view status) {
  if (one_of(status, {"received", "held", "queued"})) return 1;
  if (status == "sending") return 2;
  if (status == "sent") return 3;
  if (one_of(status, {"delivered", "undelivered", "failed"})) return 4;
  if (status == "read") return 5;
  return std::nullopt;
}

bool message_status_supersedes(std::string_view next, std::string_view current) {
  const auto n = message_status_rank(next);
  const auto c = message_status_rank(current);
  if (!n) return false;
  if (!c) return true;  // an unknown stored status is replaced by any known one
  return *n > *c;
}

}  // namespace gw
