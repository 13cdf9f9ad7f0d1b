#include "gateway/cli/stats_command.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "gateway/cli/commands.h"
#include "gateway/stats/stats_format.h"
#include "gateway/stats/stats_report.h"

namespace gw::cli {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;
constexpr size_t kMaxFiles = 1000;
constexpr int kMaxMinCell = 1000000;

// The file's bytes, reading at most kMaxFileBytes + 1 of them.
Result<std::string> read_bounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io("cannot be read");
  std::string bytes(kMaxFileBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) return Error::io("cannot be read");
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() > kMaxFileBytes) return Error::invalid("is larger than 16 MB");
  return bytes;
}

Result<stats::StatsReport> read_export(const std::string& path) {
  auto bytes = read_bounded(path);
  if (!bytes) return bytes.error();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*bytes);
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string("is not valid JSON (") + e.what() + ")");
  }
  return stats::report_from_json(j);
}

}  // namespace

int run_stats_merge(const std::vector<std::string>& files, int min_cell, const std::string& format,
                    std::ostream& out, std::ostream& err) {
  if (min_cell < 5 || min_cell > kMaxMinCell) {
    err << "gateway: --min-cell " << min_cell << " is not allowed: it must be from 5 to " << kMaxMinCell
        << "\n";
    return kExitUsage;
  }
  if (format != "json" && format != "csv") {
    err << "gateway: --format must be csv or json\n";
    return kExitUsage;
  }
  if (files.empty() || files.size() > kMaxFiles) {
    err << "gateway: stats merge takes 1 to " << kMaxFiles << " files\n";
    return kExitUsage;
  }
  std::vector<stats::StatsReport> parts;
  for (const std::string& file : files) {
    auto part = read_export(file);
    if (!part) {
      err << "gateway: " << file << ": " << part.error().message << "\n";
      return kExitFailure;
    }
    if (!parts.empty() && part->weeks != parts.front().weeks) {
      err << "gateway: " << file << ": covers " << part->from << " to " << part->to << ", but "
          << files.front() << " covers " << parts.front().from << " to " << parts.front().to
          << ": only exports of the same weeks can be merged\n";
      return kExitFailure;
    }
    parts.push_back(std::move(*part));
  }
  auto merged = stats::merge_reports(parts, min_cell);
  if (!merged) {
    err << "gateway: " << merged.error().message << "\n";
    return kExitFailure;
  }
  out << (format == "csv" ? stats::report_to_csv(*merged) : stats::report_to_json(*merged).dump(2) + "\n");
  return kExitOk;
}

}  // namespace gw::cli
