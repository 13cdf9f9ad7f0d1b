// WaitingNotice: what a person is told the moment their conversation is handed
// to a helpline queue, so that asking for a human is never met with silence:
// their place in the queue (helpdesk.queued, {position}), or, when the queue is
// outside its business hours, the out-of-hours reply with the emergency numbers
// (helpdesk.out_of_hours). Pure: the caller renders and queues it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/helpdesk/queue_config.h"
#include "gateway/store/records.h"

namespace gw {

inline constexpr const char* kQueuedTemplate = "helpdesk.queued";
inline constexpr const char* kOutOfHoursTemplate = "helpdesk.out_of_hours";
inline constexpr const char* kReassureTemplate = "helpdesk.reassure";
inline constexpr const char* kClosingTemplate = "helpdesk.closing";

struct Notice {
  std::string template_key;
  nlohmann::json vars = nlohmann::json::object();
};

// 1-based place of `h` among the waiting handovers of its queue, in queue order
// (priority, then age); 1 when it is not among them.
int queue_position(const Handover& h, const std::vector<Handover>& open);

// The notice for the new handover `h`, given every open handover (h included).
Notice waiting_notice(const HelpdeskConfig& config, const Handover& h, const std::vector<Handover>& open,
                      TimePoint now);

}  // namespace gw
