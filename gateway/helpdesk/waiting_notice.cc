#include "gateway/helpdesk/waiting_notice.h"

#include "gateway/helpdesk/routing.h"

namespace gw {

int queue_position(const Handover& h, const std::vector<Handover>& open) {
  int position = 1;
  for (const Handover& o : open) {
    if (o.id != h.id && o.state == "waiting" && o.queue == h.queue && before_in_queue(o, h)) ++position;
  }
  return position;
}

Notice waiting_notice(const HelpdeskConfig& config, const Handover& h, const std::vector<Handover>& open,
                      TimePoint now, const NoticeContext& context) {
  Notice n;
  if (!queue_open(config, h.queue, now)) {
    if (h.queue == kSafeguardingQueue) {
      n.template_key = kOutOfHoursMinorTemplate;
    } else if (h.priority == "urgent") {
      n.template_key = kOutOfHoursUrgentTemplate;
    } else {
      n.template_key = kOutOfHoursTemplate;
      return n;
    }
    n.vars["country"] = context.country.empty() ? "other" : context.country;
    return n;
  }
  n.template_key = context.unclear ? kQueuedUnclearTemplate : kQueuedTemplate;
  n.vars["position"] = queue_position(h, open);
  return n;
}

}  // namespace gw
