// WaitingNotice: what a person is told the moment their conversation is handed
// to a helpline queue, so that asking for a human is never met with silence. It
// is the one message a handover gets (the flows say no "someone will write"
// of their own before it):
//  - the queue is open: their place in the queue (helpdesk.queued, {position}),
//    or, when the flow handed over because their answers matched no option,
//    helpdesk.queued_unclear, which says so;
//  - the queue is outside its business hours: for a child (the safeguarding
//    queue) the child helplines of their country (helpdesk.out_of_hours_minor),
//    for an urgent handover the 24/7 numbers (helpdesk.out_of_hours_urgent), both
//    with {country}; otherwise helpdesk.out_of_hours.
// Pure: the caller renders and queues it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/config/queue_config.h"
#include "gateway/core/clock.h"
#include "gateway/store/records.h"

namespace gw {

inline constexpr const char* kQueuedTemplate = "helpdesk.queued";
inline constexpr const char* kQueuedUnclearTemplate = "helpdesk.queued_unclear";
inline constexpr const char* kOutOfHoursTemplate = "helpdesk.out_of_hours";
inline constexpr const char* kOutOfHoursUrgentTemplate = "helpdesk.out_of_hours_urgent";
inline constexpr const char* kOutOfHoursMinorTemplate = "helpdesk.out_of_hours_minor";
inline constexpr const char* kSafeguardingQueue = "safeguarding";
inline constexpr const char* kReassureTemplate = "helpdesk.reassure";
inline constexpr const char* kClosingTemplate = "helpdesk.closing";

struct Notice {
  std::string template_key;
  nlohmann::json vars = nlohmann::json::object();
};

// 1-based place of `h` among the waiting handovers of its queue, in queue order
// (priority, then age); 1 when it is not among them.
int queue_position(const Handover& h, const std::vector<Handover>& open);

// What the notice may say about the person and how the handover came about.
struct NoticeContext {
  std::string country;   // ISO 3166 alpha-2 of the person ("GB"), "" when unknown
  bool unclear = false;  // handed over after answers that matched no option
};

// The notice for the new handover `h`, given every open handover (h included).
Notice waiting_notice(const HelpdeskConfig& config, const Handover& h, const std::vector<Handover>& open,
                      TimePoint now, const NoticeContext& context = {});

}  // namespace gw
