#include "gateway/helpdesk/stats_api.h"

#include <nlohmann/json.hpp>

#include "gateway/core/log.h"
#include "gateway/stats/iso_week.h"
#include "gateway/stats/stat_keys.h"
#include "gateway/stats/stats_format.h"
#include "gateway/stats/stats_query.h"

namespace gw {
namespace {

const std::vector<std::string> kSupervisorRoles = {"supervisor", "admin"};
constexpr size_t kMaxParam = 40;  // a week, a date or a country code is far shorter

}  // namespace

void StatsApi::add_routes(http::HttpServer& server) {
  server.get("/api/stats", "stats_report",
             [this](const httplib::Request& req, httplib::Response& res) { report(req, res); });
  server.get("/api/stats/options", "stats_options",
             [this](const httplib::Request& req, httplib::Response& res) { options(req, res); });
}

void StatsApi::report(const httplib::Request& req, httplib::Response& res) {
  auto who = ctx_.auth.require(req, res, kSupervisorRoles);
  if (!who) return;
  std::string params[4];
  const char* names[4] = {"from", "to", "country", "format"};
  for (int i = 0; i < 4; ++i) {
    if (req.get_param_value_count(names[i]) > 1)
      return http::send_json_error(res, 400, "bad_request", std::string(names[i]) + ": given more than once");
    params[i] = req.get_param_value(names[i]);
    if (params[i].size() > kMaxParam)
      return http::send_json_error(res, 400, "bad_request", std::string(names[i]) + ": too long");
  }
  const std::string format = params[3].empty() ? "json" : params[3];
  if (format != "json" && format != "csv")
    return http::send_json_error(res, 400, "bad_request", "format: must be json or csv");
  auto options =
      stats::report_options(params[0], params[1], params[2], ctx_.countries, ctx_.min_cell, ctx_.clock.now());
  if (!options) return http::send_json_error(res, 400, "bad_request", options.error().message);
  auto report = stats::read_report(ctx_.store, *options);
  if (!report) {
    if (report.error().code == ErrorCode::kUnavailable || report.error().code == ErrorCode::kTimeout)
      return http::send_json_error(res, 503, "unavailable", "try again shortly");
    log::error("stats.failed", {{"code", error_code_name(report.error().code)}});
    return http::send_json_error(res, 500, "internal", "internal error");
  }
  log::info(
      "stats.read",
      {{"account_id", who->account_id}, {"from", options->from}, {"to", options->to}, {"format", format}});
  if (format == "csv") {
    res.status = 200;
    const std::string name = "helpline-stats-" + options->from + "-" + options->to +
                             (options->country.empty() ? std::string() : "-" + options->country) + ".csv";
    res.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    res.set_header("Cache-Control", "no-store");
    res.set_content(stats::report_to_csv(*report), "text/csv; charset=utf-8");
    return;
  }
  // Its members in the documented order (send_json would sort them).
  res.status = 200;
  res.set_header("Cache-Control", "no-store");
  res.set_content(stats::report_to_json(*report).dump(), "application/json");
}

void StatsApi::options(const httplib::Request& req, httplib::Response& res) {
  if (!ctx_.auth.require(req, res, kSupervisorRoles)) return;
  const std::string to = stats::iso_week(ctx_.clock.now());
  nlohmann::json metrics = nlohmann::json::array();
  for (const stats::MetricInfo& m : stats::metrics())
    metrics.push_back({{"metric", m.metric}, {"title", m.title}});
  http::send_json(res, 200,
                  {{"countries", stats::country_choices(ctx_.countries)},
                   {"min_cell", ctx_.min_cell},
                   {"from", stats::add_weeks(to, -(stats::kDefaultWeeks - 1))},
                   {"to", to},
                   {"metrics", std::move(metrics)}});
}

}  // namespace gw
