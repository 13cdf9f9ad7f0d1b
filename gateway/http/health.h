// Health, readiness and metrics endpoints:
//   GET /healthz  200 {"status":"ok"} whenever the process serves HTTP at all
//                 (liveness: restart me if this fails).
//   GET /readyz   runs every readiness check; 200 {"status":"ready","checks":{"store":"ok"}}
//                 or 503 {"status":"not_ready","checks":{"store":"unavailable: ..."}}
//                 (readiness: send me traffic only if this passes).
//   GET /metrics  the registry in Prometheus text format 0.0.4.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/core/metrics.h"
#include "gateway/core/result.h"
#include "gateway/http/metrics_access.h"
#include "gateway/http/server.h"

namespace gw::http {

// Named readiness checks, e.g. "store" (can we read the database?) and "content"
// (are flows loaded?). Thread-safe: checks can be added while the server runs.
class ReadinessChecks {
 public:
  using Check = std::function<Status()>;

  struct Outcome {
    bool ready = true;
    nlohmann::json checks = nlohmann::json::object();  // name -> "ok" or "code: message"
  };

  // Adds `check` under `name`, replacing any check of that name. Its Error message
  // is shown on /readyz: no secrets or personal data in it.
  void add(const std::string& name, Check check);

  // Runs every check (without holding the lock, so a slow check does not block
  // add()). A check that throws counts as failed. No checks means ready.
  Outcome run() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Check> checks_;
};

// Registers /healthz, /readyz and /metrics on `server`. `readiness` and `registry`
// must outlive the server. /metrics answers only requests `metrics_access` allows
// (loopback by default); others get a JSON 403.
void add_health_routes(HttpServer& server, const ReadinessChecks& readiness,
                       const metrics::Registry& registry,
                       MetricsAccess metrics_access = MetricsAccess({"127.0.0.1", "::1"}, ""));

}  // namespace gw::http
