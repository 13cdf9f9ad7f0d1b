// HelpdeskMetrics: the helpline's service figures as Prometheus histograms, per
// queue (a configured queue name, never anything about a person):
//   gateway_helpdesk_first_response_seconds{queue}  handover → first operator reply
//   gateway_helpdesk_handling_seconds{queue}        assignment (or handover) → close
// Buckets run from 10 seconds to a day: these are human times.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/metrics.h"

namespace gw {

class HelpdeskMetrics {
 public:
  // Registers both families in `registry`, which must outlive this object.
  explicit HelpdeskMetrics(metrics::Registry& registry);

  static const std::vector<double>& buckets();

  void first_response(const std::string& queue, double seconds);
  void handling(const std::string& queue, double seconds);

 private:
  metrics::HistogramFamily& first_response_;
  metrics::HistogramFamily& handling_;
};

}  // namespace gw
