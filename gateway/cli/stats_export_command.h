// `gateway stats export [--from DATE] [--to DATE] [--country C] [--format csv|json]
// [--config FILE]`: the anonymised statistics of the configured gateway, small
// counts suppressed, on standard output (gateway/stats/stats_format.h). It reads
// the database while the gateway serves.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

struct StatsExportOptions {
  std::string config_path;  // empty: the embedded default
  std::string from;         // a week or a date; empty: 11 weeks before `to`
  std::string to;           // a week or a date; empty: this week
  std::string country;      // empty or "all": every country
  std::string format = "csv";
};

// Prints the report; on a bad option or an unreadable database, one line on
// `err` and kExitFailure, nothing on `out`.
int run_stats_export(const StatsExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
