#include "gateway/http/health.h"

#include <exception>
#include <utility>
#include <vector>

namespace gw::http {

void ReadinessChecks::add(const std::string& name, Check check) {
  std::lock_guard<std::mutex> lock(mu_);
  checks_[name] = std::move(check);
}

ReadinessChecks::Outcome ReadinessChecks::run() const {
  std::vector<std::pair<std::string, Check>> checks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    checks.assign(checks_.begin(), checks_.end());
  }
  Outcome out;
  for (const auto& [name, check] : checks) {
    Status s = Error::internal("the check is empty");
    if (check) {
      try {
        s = check();
      } catch (const std::exception&) {
        s = Error::internal("the check threw");
      } catch (...) {
        s = Error::internal("the check threw");
      }
    }
    if (s.ok()) {
      out.checks[name] = "ok";
    } else {
      out.ready = false;
      out.checks[name] = s.error().to_string();
    }
  }
  return out;
}

void add_health_routes(HttpServer& server, const ReadinessChecks& readiness,
                       const metrics::Registry& registry, MetricsAccess metrics_access) {
  server.get("/healthz", "healthz", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  server.get("/readyz", "readyz", [&readiness](const httplib::Request&, httplib::Response& res) {
    ReadinessChecks::Outcome o = readiness.run();
    send_json(res, o.ready ? 200 : 503,
              {{"status", o.ready ? "ready" : "not_ready"}, {"checks", std::move(o.checks)}});
  });
  server.get(
      "/metrics", "metrics",
      [&registry, metrics_access](const httplib::Request& req, httplib::Response& res) {
        if (!metrics_access.allows(req.remote_addr, req.get_header_value("Authorization"))) {
          return send_json_error(
              res, 403, "forbidden",
              "/metrics is served to the addresses in metrics.allow_from, or with metrics.bearer_token");
        }
        res.set_content(registry.render(), "text/plain; version=0.0.4; charset=utf-8");
      });
}

}  // namespace gw::http
