// Stat tag: the optional "stat" field of a flow node, marking a node that counts
// in the anonymised statistics (gateway/stats/stat_keys.h). Each time a person
// reaches a tagged node the engine emits effect::Stat with the tag's metric and
// value; the conversation counts it for the current ISO week. A tag is a code
// written by content staff, never text a person wrote.
//
// Forms (flows/README.md):
//   "topic:CODE"       a topic reached, e.g. "topic:rights.it.work"
//   "CODE"             the same as "topic:CODE"
//   "indicator:CODE"   an ILO indicator of forced labour (ilo_indicator_codes())
//   "screening:CODE"   a screening result: "low", "medium" or "high"
// CODE is 1 to 64 characters of a-z, 0-9, '_', '.' and '-', starting with a letter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct StatTag {
  std::string metric;  // "topic", "indicator" or "screening" (stats::kTopic, kIndicator, kScreening)
  std::string value;   // the CODE
  bool operator==(const StatTag&) const = default;
};

// The eleven ILO indicators of forced labour, in the ILO's order:
// abuse_of_vulnerability, deception, restriction_of_movement, isolation,
// physical_and_sexual_violence, intimidation_and_threats,
// retention_of_identity_documents, withholding_of_wages, debt_bondage,
// abusive_working_and_living_conditions, excessive_overtime.
const std::vector<std::string>& ilo_indicator_codes();

// The screening results, lowest first: low, medium, high.
const std::vector<std::string>& screening_result_codes();

// Reads a tag in one of the forms above. kInvalidArgument saying what is wrong
// and what is allowed; the message quotes at most 64 characters of `text`.
Result<StatTag> parse_stat_tag(std::string_view text);

// The tag as written in a flow: "metric:value" ("topic:rights.it.work").
std::string stat_tag_text(const StatTag& tag);

}  // namespace gw
