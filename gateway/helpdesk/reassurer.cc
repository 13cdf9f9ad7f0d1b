#include "gateway/helpdesk/reassurer.h"

#include <set>

#include "gateway/core/log.h"
#include "gateway/helpdesk/waiting_notice.h"

namespace gw {

Reassurer::Reassurer(Store& store, Clock& clock, const HelpdeskConfig& config, PersonMessages& messages)
    : store_(store), clock_(clock), config_(config), messages_(messages) {}

Result<int> Reassurer::run_once() {
  const TimePoint now = clock_.now();
  const auto after = std::chrono::minutes(config_.reassure_after_minutes);
  auto open = store_.list_open_handovers();
  if (!open) return open.error();
  int sent = 0;
  std::set<std::string> channels;
  for (const Handover& h : *open) {
    if (h.state != "waiting" || h.reassured_at || now - h.created_at < after) continue;
    Status s = store_.in_transaction([&]() -> Status {
      auto contact = store_.get_contact(h.contact_id);
      if (!contact) return contact.error();
      const bool wrote_lately =
          contact->last_inbound_at && now - *contact->last_inbound_at <= std::chrono::hours(24);
      if (contact->opted_out || contact->erase_pending || !wrote_lately) return {};
      auto id = messages_.send(*contact, h.conversation_id, kReassureTemplate, now);
      if (!id) return id.error();
      if (Status st = store_.set_reassured(h.id, now); !st) return st;
      ++sent;
      channels.insert(contact->channel_id);
      return {};
    });
    if (!s) {
      log::warn("helpdesk.reassure_failed", {{"handover_id", h.id}, {"error", s.error().to_string()}});
    }
  }
  for (const std::string& ch : channels) messages_.wake(ch);
  return sent;
}

}  // namespace gw
