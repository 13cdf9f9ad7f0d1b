// `gateway stats …`: the anonymised statistics from the command line.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace gw::cli {

// `gateway stats merge FILE… [--min-cell N] [--format csv|json]`: reads the JSON
// exports in `files` (each at most 16 MB, at most 1000 files), merges them
// (stats::merge_reports: tables by metric, rows by value) with k = the largest
// of `min_cell` and every file's min_cell, and prints the result as `format`.
// Exit 2 (usage) when min_cell is below 5 or format is neither "csv" nor
// "json"; exit 1 when a file cannot be read, is not a valid export (one line
// naming the file and the JSON path) or covers other weeks than the first.
// Nothing is printed on `out` unless every file was read.
int run_stats_merge(const std::vector<std::string>& files, int min_cell, const std::string& format,
                    std::ostream& out, std::ostream& err);

}  // namespace gw::cli
