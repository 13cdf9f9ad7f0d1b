// StatsQuery: what the API (GET /api/stats) and the command line (gateway stats
// export) share — reading a period and a country filter as people write them,
// and building the report from the store's counters.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/stats/stats_report.h"
#include "gateway/store/store.h"

namespace gw::stats {

inline constexpr int kDefaultWeeks = 12;   // the period when none is given: this week and the 11 before
inline constexpr int kMaxWeeks = 260;      // the longest period a report covers (five years)

// The choices of the country filter: `countries` (config "stats"."countries"),
// then "other" and "unknown".
std::vector<std::string> country_choices(const std::vector<std::string>& countries);

// The report's options from what a person wrote. `from` and `to` are weeks
// ("2026-W49") or dates ("2026-12-05", meaning its week); `to` defaults to the
// week of `now`, `from` to 11 weeks before `to`. `country`: "" or "all" for
// every country, else one of country_choices(countries). kInvalidArgument with
// a message naming the parameter ("from: ...", "country: ...") otherwise, or
// when the period is reversed or longer than kMaxWeeks weeks.
Result<ReportOptions> report_options(const std::string& from, const std::string& to, const std::string& country,
                                     const std::vector<std::string>& countries, int min_cell, TimePoint now);

// Reads the counters of the period and builds the report (suppressed).
Result<StatsReport> read_report(Store& store, const ReportOptions& options);

}  // namespace gw::stats
