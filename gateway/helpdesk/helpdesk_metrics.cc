#include "gateway/helpdesk/helpdesk_metrics.h"

namespace gw {

const std::vector<double>& HelpdeskMetrics::buckets() {
  static const std::vector<double> kBuckets = {10,   30,   60,   120,   300,   600,  900,
                                               1800, 3600, 7200, 14400, 28800, 86400};
  return kBuckets;
}

HelpdeskMetrics::HelpdeskMetrics(metrics::Registry& registry)
    : first_response_(registry.histogram("gateway_helpdesk_first_response_seconds",
                                         "Time from a handover to the first operator reply, per queue.",
                                         {"queue"}, buckets())),
      handling_(registry.histogram(
          "gateway_helpdesk_handling_seconds",
          "Time from assignment (or the handover when never assigned) to close, per queue.", {"queue"},
          buckets())) {}

void HelpdeskMetrics::first_response(const std::string& queue, double seconds) {
  first_response_.with({queue}).observe(seconds);
}

void HelpdeskMetrics::handling(const std::string& queue, double seconds) {
  handling_.with({queue}).observe(seconds);
}

}  // namespace gw
