// StatsApi: the anonymised statistics for supervisors and admins — what the
// console's dashboard reads and what a programme exports.
//
//   GET /api/stats?from=W&to=W&country=C&format=json|csv
//        the report of the weeks from..to (ISO weeks "2026-W49" or dates
//        "2026-12-05"; default: this week and the 11 before), of every country
//        or of one (country_choices), small counts suppressed
//        (gateway/stats/stats_report.h). json: the format of
//        gateway/stats/stats_format.h; csv: text/csv, one count a line, as an
//        attachment. 400 {"error": "bad_request", "message"} for a bad
//        parameter.
//   GET /api/stats/options
//        {"countries": [...], "min_cell": 11, "from": W, "to": W,
//         "metrics": [{"metric", "title"}]}: the filter's choices and the
//        default period.
//
// Supervisors and admins only (StaffAuth::require): operators and editors get
// 403. Nothing here names, counts or times a person: the counters hold weeks,
// countries, metrics and values only, and every count below min_cell is hidden.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/store/store.h"

namespace gw {

struct StatsContext {
  http::StaffAuth& auth;
  Store& store;
  Clock& clock;
  int min_cell = 11;                   // config "stats"."min_cell"
  std::vector<std::string> countries;  // config "stats"."countries"
};

class StatsApi {
 public:
  explicit StatsApi(StatsContext context) : ctx_(std::move(context)) {}

  // Registers the routes above. REQUIRES: the server is not running yet.
  void add_routes(http::HttpServer& server);

 private:
  void report(const httplib::Request& req, httplib::Response& res);
  void options(const httplib::Request& req, httplib::Response& res);

  StatsContext ctx_;
};

}  // namespace gw
