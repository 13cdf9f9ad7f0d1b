// Where an event is counted: the week, and the person's country as the
// statistics keep it. Header-only, for the places that count (conversations,
// helpdesk).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "gateway/stats/stat_keys.h"
#include "gateway/store/records.h"

namespace gw::stats {

// The countries counted as themselves by default (config "stats"."countries").
inline const std::vector<std::string>& default_countries() {
  static const std::vector<std::string> kCountries = {"GB", "IT", "HR", "NL"};
  return kCountries;
}

// `country` (ISO 3166 alpha-2, "" when unknown) as a counter's country: itself
// when it is one of `counted`, "unknown" when empty, "other" otherwise — so that
// a country few people come from is never named.
inline std::string stat_country(const std::string& country, const std::vector<std::string>& counted) {
  if (country.empty()) return std::string(kUnknown);
  if (std::find(counted.begin(), counted.end(), country) != counted.end()) return country;
  return std::string(kOther);
}

// A language as a counter's value: "unknown" until the person chose one.
inline std::string stat_language(const std::string& language) {
  return language.empty() ? std::string(kUnknown) : language;
}

inline StatCount stat_change(const std::string& week, const std::string& country, std::string_view metric,
                             const std::string& value, int64_t delta = 1) {
  return StatCount{week, country, std::string(metric), value, delta};
}

}  // namespace gw::stats
