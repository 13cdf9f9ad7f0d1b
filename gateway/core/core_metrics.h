// The gateway's core metrics, registered in one place so that their names, help
// texts and labels are decided once:
//   gateway_build_info{version}                 1
//   gateway_process_start_time_seconds          unix time the process started
//   gateway_process_resident_memory_bytes       read from /proc/self/statm at scrape
//   gateway_messages_total{channel,direction}   fed by the channels (direction: inbound|outbound)
//   gateway_outbox_depth                        outbox items waiting, asked of the store at scrape
//   gateway_intake_depth                        inbound messages stored, not yet handled (idem)
//   gateway_intake_dead_letters                 inbound messages whose handling failed too often,
//                                               kept for a supervisor to retry (idem)
// The HTTP metrics (gateway_http_*) are registered by HttpServer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/metrics.h"
#include "gateway/core/result.h"

namespace gw::metrics {

inline constexpr const char* kInbound = "inbound";
inline constexpr const char* kOutbound = "outbound";

class CoreMetrics {
 public:
  // Registers the core metrics in `registry` (which must outlive this object).
  // `started_at` is when the process started.
  CoreMetrics(Registry& registry, const std::string& version, TimePoint started_at);

  // Where gateway_outbox_depth comes from, e.g. [&store] { return store.outbox_depth(); }.
  // Called at every scrape without registry locks; an Error leaves the gauge out of
  // that scrape. Replaces any earlier source.
  void set_outbox_depth_source(std::function<Result<int64_t>()> source);
  // Where gateway_intake_depth comes from (store.inbound_depth()); as above.
  void set_intake_depth_source(std::function<Result<int64_t>()> source);
  // Where gateway_intake_dead_letters comes from (intake.dead_letter_count()); as above.
  void set_intake_dead_letters_source(std::function<Result<int64_t>()> source);

  // The counter of messages on `channel` (a configured channel id, never an address)
  // in `direction` (kInbound or kOutbound). Takes a lock: keep the reference.
  Counter& messages(const std::string& channel, const std::string& direction);
  // SMS segments sent on `channel`.
  Counter& segments(const std::string& channel);
  // Send attempts on `channel` that ended in `outcome` (retry, failed, held, opted_out).
  Counter& outbox_outcomes(const std::string& channel, const std::string& outcome);

 private:
  Registry& registry_;
  CounterFamily& messages_;
  CounterFamily& segments_;
  CounterFamily& outbox_outcomes_;
};

// Resident set size of this process in bytes, from /proc/self/statm.
Result<double> resident_memory_bytes();

}  // namespace gw::metrics
