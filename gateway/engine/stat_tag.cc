#include "gateway/engine/stat_tag.h"

#include <algorithm>

namespace gw {
namespace {

constexpr size_t kMaxCode = 64;

// `s` in quotes, cut to 64 bytes (at a UTF-8 character boundary) so a message
// never carries much of what it complains about.
std::string in_quotes(std::string_view s) {
  size_t cut = s.size();
  if (cut > kMaxCode) {
    cut = kMaxCode;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out;
  out.reserve(cut + 6);
  out += '"';
  out.append(s.data(), cut);
  if (cut < s.size()) out += "…";
  out += '"';
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool is_code(std::string_view s) {
  if (s.empty() || s.size() > kMaxCode || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

}  // namespace

const std::vector<std::string>& ilo_indicator_codes() {
  static const std::vector<std::string> codes = {
      "abuse_of_vulnerability",
      "deception",
      "restriction_of_movement",
      "isolation",
      "physical_and_sexual_violence",
      "intimidation_and_threats",
      "retention_of_identity_documents",
      "withholding_of_wages",
      "debt_bondage",
      "abusive_working_and_living_conditions",
      "excessive_overtime",
  };
  return codes;
}

const std::vector<std::string>& screening_result_codes() {
  static const std::vector<std::string> codes = {"low", "medium", "high"};
  return codes;
}

Result<StatTag> parse_stat_tag(std::string_view text) {
  StatTag tag;
  std::string_view code = text;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    tag.metric = "topic";
  } else {
    tag.metric = std::string(text.substr(0, colon));
    code = text.substr(colon + 1);
    if (tag.metric != "topic" && tag.metric != "indicator" && tag.metric != "screening") {
      return Error::invalid("unknown stat kind " + in_quotes(tag.metric) +
                            " (use topic:CODE, indicator:CODE, screening:CODE or a bare CODE for a topic)");
    }
  }
  if (!is_code(code)) {
    return Error::invalid("stat code " + in_quotes(code) +
                          " must be 1 to 64 characters of a-z, 0-9, _, . or -, starting with a letter");
  }
  tag.value = std::string(code);
  if (tag.metric == "indicator" && std::find(ilo_indicator_codes().begin(), ilo_indicator_codes().end(),
                                             tag.value) == ilo_indicator_codes().end()) {
    return Error::invalid("unknown ILO indicator " + in_quotes(code) + " (use one of " +
                          joined(ilo_indicator_codes()) + ")");
  }
  if (tag.metric == "screening" && std::find(screening_result_codes().begin(), screening_result_codes().end(),
                                             tag.value) == screening_result_codes().end()) {
    return Error::invalid("unknown screening result " + in_quotes(code) + " (use low, medium or high)");
  }
  return tag;
}

std::string stat_tag_text(const StatTag& tag) {
  return tag.metric + ":" + tag.value;
}

}  // namespace gw
