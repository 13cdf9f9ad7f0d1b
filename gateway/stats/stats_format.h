// The statistics' file formats: JSON (what GET /api/stats, `gateway stats
// export --format json` and `gateway stats merge` read and write) and CSV (one
// count a line). docs/statistics.md describes both with an example.
//
// JSON:
//   {"format": "helpline-gateway-stats", "version": 1,
//    "from": "2026-W45", "to": "2026-W49", "country": "all" | "GB" | …,
//    "min_cell": 11, "suppressed": "<11",
//    "weeks": ["2026-W45", …],
//    "tables": [{"metric": "conversations.channel", "title": "Conversations started, by channel",
//                "rows": [{"value": "sms", "weeks": [12, "<11", 0, …], "total": "<11"}, …],
//                "total": {"weeks": [40, …], "total": 123}}, …]}
//   A shown count is a number; a hidden one is the string "<k".
// CSV (RFC 4180, a header line, "\r\n" line ends):
//   metric,value,week,count
//   conversations.channel,sms,2026-W45,12
//   conversations.channel,sms,total,<11        (the row total)
//   conversations.channel,total,2026-W45,40    (the week total)
//   conversations.channel,total,total,123      (the grand total)
//   Each row ends with its count or the suppression mark "<k".
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gateway/core/result.h"
#include "gateway/stats/stats_report.h"

namespace gw::stats {

// The mark of a hidden count: "<11" for k = 11.
std::string suppression_mark(int min_cell);

nlohmann::ordered_json report_to_json(const StatsReport& r);
std::string report_to_csv(const StatsReport& r);

// Reads what report_to_json wrote. kInvalidArgument with the JSON path of the
// first problem ("$.tables[2].rows[0].weeks[3]: ..."): an unknown format or
// version, shapes that disagree, a negative or non-integer count, a shown count
// from 1 to k-1, a mark other than "<k", a total that contradicts its shown counts
// (or is shown beside exactly one hidden count of its week, or while a count it
// sums is hidden). Bounded before any work: at most 520 weeks, 64 tables,
// 10,000 rows a table, values and metrics of at most 128 bytes, counts of at
// most 10^12; unknown keys are refused.
Result<StatsReport> report_from_json(const nlohmann::json& j);

}  // namespace gw::stats
