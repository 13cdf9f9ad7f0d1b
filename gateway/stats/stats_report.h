// StatsReport: the anonymised statistics of a period as tables, small counts
// suppressed, and the merge of several such reports.
//
// Every table is one metric: a row per value, a column per ISO week, the row
// totals (over the weeks), the week totals (over the values) and a grand total.
// Suppression, the rule every output follows:
// 1. Primary: a count from 1 to k-1 (k = min_cell) is never shown. Zero is shown.
// 2. Weeks (columns): a week whose total is shown never has exactly one hidden
//    count: when it would, the smallest other non-zero count of that week is
//    hidden too (secondary suppression), so that no hidden count is the week
//    total minus the shown ones. (When no other count of the week is above
//    zero, which only a merge can bring about, the week total is hidden.)
// 3. Rows: a row total is shown only when every count of the row is, and the
//    grand total only when every week total is. So no hidden count can be
//    worked out from a row, and no report of another period (whose row totals
//    differ by whole weeks) gives one away by subtraction.
// 4. Countries: the report of every country and the report of each country
//    are suppressed together. A count of all countries is their true sum,
//    and for each value and week, the countries' counts and all countries'
//    never have exactly one of them hidden (nor the week totals): the smallest
//    other non-zero count of a country is hidden too. So subtracting one view
//    from another gives away nothing, and a small count of one country does
//    not hide the sum of all.
// Hidden cells carry no value at all (nullopt), so no output can leak one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/store/records.h"

namespace gw::stats {

// A count as shown: nullopt when suppressed.
using Shown = std::optional<int64_t>;

struct StatsTable {
  std::string metric;
  std::string title;
  std::vector<std::string> values;        // row labels
  std::vector<std::vector<Shown>> cells;  // [row][week]
  std::vector<Shown> row_totals;          // per row, over the weeks
  std::vector<Shown> week_totals;         // per week, over the rows
  Shown total;
  bool operator==(const StatsTable&) const = default;
};

struct StatsReport {
  std::string from;     // first week
  std::string to;       // last week
  std::string country;  // "" for every country, else a country code, "other" or "unknown"
  int min_cell = 11;
  std::vector<std::string> weeks;  // from..to
  std::vector<StatsTable> tables;  // one per metric, in metrics() order
  bool operator==(const StatsReport&) const = default;
};

struct ReportOptions {
  std::string from;     // a week
  std::string to;       // a week, not before from
  std::string country;  // "" for every country
  int min_cell = 11;    // k; REQUIRES >= 5
};

// The report of `counts` (what Store::read_stats returns; rows of other weeks
// or unknown metrics are ignored), for one country or (country "") for every
// country: every country's counts are suppressed together (see 4. above), so
// give the counts of every country even for a report of one. The rows of a
// table are the same in every country's report. Every table of metrics() is
// present, even empty.
// A count whose country is "" is a count of "unknown"; a value outside a
// closed set's values is ignored. REQUIRES: from and to are weeks, from <= to.
StatsReport build_report(const std::vector<StatCount>& counts, const ReportOptions& options);

// Applies the suppression rules above to `t` in place: cells and week totals
// from 1 to k-1 are hidden, then secondary suppression on weeks, then row
// totals and the grand total are computed from what is shown (a total that is
// already hidden stays hidden). Cells already hidden stay hidden.
// REQUIRES: shapes agree (cells[r].size() == week_totals.size() and so on).
void suppress(StatsTable& t, int min_cell);

// Combines reports of the same weeks into one (e.g. each partner organisation's
// export into one programme-wide report). Tables are matched by metric and rows
// by value; a value absent from a part counts as 0 there. A cell (or week
// total) is the sum of its parts when every part is shown, and hidden when any
// part is hidden; then suppress() runs again with k = the largest of
// `min_cell` and every part's min_cell. The country of the result is "" when
// the parts' countries differ.
// kInvalidArgument (naming the part by its index from 0) when the parts do not
// cover the same weeks or there is none.
Result<StatsReport> merge_reports(const std::vector<StatsReport>& parts, int min_cell);

}  // namespace gw::stats
