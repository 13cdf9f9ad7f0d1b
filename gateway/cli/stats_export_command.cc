#include "gateway/cli/stats_export_command.h"

#include <filesystem>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/core/log.h"
#include "gateway/stats/stats_format.h"
#include "gateway/stats/stats_query.h"

namespace gw::cli {
namespace {

int fail(std::ostream& err, const std::string& message) {
  err << "gateway stats export: " << message << "\n";
  return kExitFailure;
}

}  // namespace

int run_stats_export(const StatsExportOptions& options, std::ostream& out, std::ostream& err) {
  log::init(log::Level::kWarn);
  if (options.format != "csv" && options.format != "json") return fail(err, "--format: must be csv or json");
  auto cfg = load_config(options.config_path);
  if (!cfg) return fail(err, cfg.error().message);
  SystemClock clock;
  auto query = stats::report_options(options.from, options.to, options.country, cfg->stats.countries,
                                     cfg->stats.min_cell, clock.now());
  if (!query) return fail(err, "--" + query.error().message);
  // Reading statistics never makes a database (nor keys) where there is none.
  if (cfg->database.driver == "sqlite" && cfg->database.path != ":memory:" &&
      !std::filesystem::exists(cfg->database.path))
    return fail(err,
                "no database at " + cfg->database.path + " (start the gateway first, or give its --config)");
  auto store = open_configured_store(options.config_path, clock);
  if (!store) return fail(err, store.error().message);
  auto report = stats::read_report(**store, *query);
  (void)(*store)->close();
  if (!report) return fail(err, report.error().message);
  if (options.format == "json")
    out << stats::report_to_json(*report).dump(2) << "\n";
  else
    out << stats::report_to_csv(*report);
  return kExitOk;
}

}  // namespace gw::cli
