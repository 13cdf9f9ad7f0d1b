#include "gateway/core/core_metrics.h"

#include <unistd.h>

#include <fstream>

namespace gw::metrics {
namespace {
constexpr const char* kOutboxDepth = "gateway_outbox_depth";
constexpr const char* kOutboxDepthHelp = "Outbox items not yet sent or failed.";
constexpr const char* kIntakeDepth = "gateway_intake_depth";
constexpr const char* kIntakeDepthHelp =
    "Inbound messages stored and answered to the provider, not yet handled.";
constexpr const char* kIntakeDeadLetters = "gateway_intake_dead_letters";
constexpr const char* kIntakeDeadLettersHelp =
    "Inbound messages whose handling failed too often, kept for a supervisor to retry.";

GaugeCallback depth_callback(std::function<Result<int64_t>()> source) {
  if (!source) return {};
  return [source = std::move(source)]() -> Result<double> {
    Result<int64_t> depth = source();
    if (!depth) return depth.error();
    return static_cast<double>(*depth);
  };
}
}  // namespace

CoreMetrics::CoreMetrics(Registry& registry, const std::string& version, TimePoint started_at)
    : registry_(registry),
      messages_(registry.counter("gateway_messages_total", "Messages received or sent, by channel.",
                                 {"channel", "direction"})),
      segments_(registry.counter("gateway_sms_segments_total", "SMS segments sent (billed), by channel.",
                                 {"channel"})),
      outbox_outcomes_(registry.counter("gateway_outbox_outcomes_total",
                                        "Send attempts that did not end in 'sent': retry, failed, held, "
                                        "opted_out, by channel.",
                                        {"channel", "outcome"})) {
  registry.gauge("gateway_build_info", "Always 1; the version label says which build runs.", {"version"})
      .with({version})
      .set(1);
  registry.gauge("gateway_process_start_time_seconds", "Start time of the process since the Unix epoch.")
      .get()
      .set(static_cast<double>(to_unix_ms(started_at)) / 1000.0);
  registry.gauge_callback("gateway_process_resident_memory_bytes", "Resident memory size in bytes.",
                          [] { return resident_memory_bytes(); });
  // Registered now with no source, so the family is always listed.
  registry.gauge_callback(kOutboxDepth, kOutboxDepthHelp, GaugeCallback{});
  registry.gauge_callback(kIntakeDepth, kIntakeDepthHelp, GaugeCallback{});
  registry.gauge_callback(kIntakeDeadLetters, kIntakeDeadLettersHelp, GaugeCallback{});
}

void CoreMetrics::set_outbox_depth_source(std::function<Result<int64_t>()> source) {
  registry_.gauge_callback(kOutboxDepth, kOutboxDepthHelp, depth_callback(std::move(source)));
}

void CoreMetrics::set_intake_depth_source(std::function<Result<int64_t>()> source) {
  registry_.gauge_callback(kIntakeDepth, kIntakeDepthHelp, depth_callback(std::move(source)));
}

void CoreMetrics::set_intake_dead_letters_source(std::function<Result<int64_t>()> source) {
  registry_.gauge_callback(kIntakeDeadLetters, kIntakeDeadLettersHelp, depth_callback(std::move(source)));
}

Counter& CoreMetrics::segments(const std::string& channel) {
  return segments_.with({channel});
}

Counter& CoreMetrics::outbox_outcomes(const std::string& channel, const std::string& outcome) {
  return outbox_outcomes_.with({channel, outcome});
}

Counter& CoreMetrics::messages(const std::string& channel, const std::string& direction) {
  return messages_.with({channel, direction});
}

Result<double> resident_memory_bytes() {
  std::ifstream in("/proc/self/statm");
  long long size_pages = 0, resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return Error::io("cannot read /proc/self/statm");
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0) return Error::io("cannot read the page size");
  return static_cast<double>(resident_pages) * static_cast<double>(page);
}

}  // namespace gw::metrics
