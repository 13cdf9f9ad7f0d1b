// ISO 8601 weeks, the finest unit of time anywhere in the statistics. Weeks are
// written "2026-W49" (the ISO week-numbering year, "-W", two digits), counted
// in UTC, and computed with ICU's Gregorian calendar (Monday first, four days
// in the first week), so that text order is time order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

namespace gw::stats {

// The week holding `t` (UTC).
std::string iso_week(TimePoint t);

// Reads a week ("2026-W49") or a date ("2026-12-05", meaning its week).
// kInvalidArgument naming the text (at most its first 40 characters) when it
// is neither, is not written exactly so ("2026-W5", "2026-12-5", trailing
// text), or is not a real week or day (2026-W54, 2026-02-30); years 1900 to 9999.
Result<std::string> parse_week(std::string_view text);

// The week `n` weeks after `week` (n may be negative: before):
// add_weeks("2026-W01", -1) == "2025-W52", add_weeks("2026-W49", 4) == "2026-W53".
// REQUIRES: `week` is well formed.
std::string add_weeks(const std::string& week, int n);

// Every week from `from` to `to`, both included, in order. kInvalidArgument when
// `from` is after `to` or the range holds more than `max_weeks` weeks.
Result<std::vector<std::string>> week_range(const std::string& from, const std::string& to, int max_weeks);

}  // namespace gw::stats
