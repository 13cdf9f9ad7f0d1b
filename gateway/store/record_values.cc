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

Status check_account(const Account& a) {
  if (!is_account_role(a.role)) return Error::invalid("unknown account role '" + a.role + "'");
  if (a.capacity < 0) return Error::invalid("account capacity must not be negative");
  for (const auto* list : {&a.languages, &a.queues}) {
    for (const std::string& item : *list) {
      if (item.empty() || item.find(',') != std::string::npos)
        return Error::invalid("account languages and queues must be non-empty names without commas");
    }
  }
  return {};
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace gw
