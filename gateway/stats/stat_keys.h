// The anonymised statistics' vocabulary: which metrics are counted, their
// values, and the duration buckets. A counter (StatCount, store/records.h) is
// one (ISO week, country, metric, value); nothing else about a person is ever
// kept with it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace gw::stats {

// Conversations started, by channel kind ("sms", "whatsapp", "telegram", "web"),
// by language (a content language, or "unknown" until the person chose one) and
// by country (one of StatsConfig's countries, "other" or "unknown").
inline constexpr std::string_view kConversationsChannel = "conversations.channel";
inline constexpr std::string_view kConversationsLanguage = "conversations.language";
inline constexpr std::string_view kConversationsCountry = "conversations.country";
// The consent answer: "given" or "declined".
inline constexpr std::string_view kConsent = "consent";
// Topics reached (a flow node's stat tag, e.g. "rights.it.work").
inline constexpr std::string_view kTopic = "topic";
// ILO indicators of forced labour reported (codes only, engine/stat_tag.h).
inline constexpr std::string_view kIndicator = "indicator";
// Screening results: "low", "medium", "high".
inline constexpr std::string_view kScreening = "screening";
// Handovers to a person, by queue and by priority ("urgent", "high", "normal").
inline constexpr std::string_view kHandoverQueue = "handovers.queue";
inline constexpr std::string_view kHandoverPriority = "handovers.priority";
// How a handover ended: "back_to_bot" or "ended".
inline constexpr std::string_view kHandoverOutcome = "handovers.outcome";
// Time from the handover to the first operator reply, and from the handover to
// its close, as duration_bucket() values.
inline constexpr std::string_view kFirstReply = "handovers.first_reply";
inline constexpr std::string_view kHandling = "handovers.handling";
// What people asked of the service: "opt_out" (STOP) and "erasure".
inline constexpr std::string_view kRequests = "requests";

inline constexpr std::string_view kUnknown = "unknown";
inline constexpr std::string_view kOther = "other";

struct MetricInfo {
  std::string metric;
  std::string title;  // English, as the CSV, the JSON and the dashboard name it
  // A closed set: every one of these rows is always shown, in this order, even
  // when zero. Empty for an open set (languages, countries, topics, queues):
  // the rows are the values found in the period, in code order.
  std::vector<std::string> values;
};

// Every metric, in the order the dashboard and the exports show them.
const std::vector<MetricInfo>& metrics();
// nullptr when `metric` is not one of metrics().
const MetricInfo* find_metric(std::string_view metric);

// "lt5m" (under 5 minutes), "lt15m", "lt60m", "lt240m" or "more" (4 hours or more).
// A negative duration (clocks of two machines) counts as "lt5m".
std::string duration_bucket(std::chrono::milliseconds d);
// The buckets, shortest first.
const std::vector<std::string>& duration_buckets();

}  // namespace gw::stats
