#include "gateway/stats/stat_keys.h"

namespace gw::stats {

const std::vector<MetricInfo>& metrics() {
  static const std::vector<MetricInfo> kMetrics = [] {
    const std::vector<std::string> buckets = duration_buckets();
    return std::vector<MetricInfo>{
        {std::string(kConversationsChannel),
         "Conversations started, by channel",
         {"sms", "whatsapp", "telegram", "web"}},
        {std::string(kConversationsLanguage), "Conversations started, by language", {}},
        {std::string(kConversationsCountry), "Conversations started, by country", {}},
        {std::string(kConsent), "Consent answers", {"given", "declined"}},
        {std::string(kTopic), "Topics reached", {}},
        // The ILO indicators of forced labour, in the ILO's order.
        {std::string(kIndicator),
         "Indicators of forced labour reported",
         {"abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation",
          "physical_and_sexual_violence", "intimidation_and_threats", "retention_of_identity_documents",
          "withholding_of_wages", "debt_bondage", "abusive_working_and_living_conditions",
          "excessive_overtime"}},
        {std::string(kScreening), "Screening results", {"low", "medium", "high"}},
        {std::string(kHandoverQueue), "Handovers to a person, by queue", {}},
        {std::string(kHandoverPriority), "Handovers to a person, by priority", {"urgent", "high", "normal"}},
        {std::string(kHandoverOutcome), "Handovers ended, by outcome", {"back_to_bot", "ended"}},
        {std::string(kFirstReply), "Time from a handover to the first operator reply", buckets},
        {std::string(kHandling), "Time from a handover to its close", buckets},
        {std::string(kRequests), "Requests: opt-out and erasure", {"opt_out", "erasure"}},
    };
  }();
  return kMetrics;
}

const MetricInfo* find_metric(std::string_view metric) {
  for (const MetricInfo& m : metrics())
    if (m.metric == metric) return &m;
  return nullptr;
}

std::string duration_bucket(std::chrono::milliseconds d) {
  using std::chrono::minutes;
  if (d < minutes(5)) return "lt5m";  // negative durations too
  if (d < minutes(15)) return "lt15m";
  if (d < minutes(60)) return "lt60m";
  if (d < minutes(240)) return "lt240m";
  return "more";
}

const std::vector<std::string>& duration_buckets() {
  static const std::vector<std::string> kBuckets = {"lt5m", "lt15m", "lt60m", "lt240m", "more"};
  return kBuckets;
}

}  // namespace gw::stats
