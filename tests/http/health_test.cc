#include "gateway/http/health.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>

#include "gateway/core/core_metrics.h"
#include "tests/http/prom_text.h"
#include "tests/http/running_server.h"
#include "tests/support/test_http_options.h"

using gw::http::ReadinessChecks;
using gw::http::testing::parse_prom_text;
using gw::http::testing::RunningServer;
using gw::http::testing::test_options;
using nlohmann::json;

TEST_CASE("healthz answers 200 with a JSON status", "[http][health]") {
  gw::metrics::Registry reg;
  ReadinessChecks readiness;
  gw::http::HttpServer server(reg, test_options());
  gw::http::add_health_routes(server, readiness, reg);
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto r = client.Get("/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "application/json");
  CHECK(json::parse(r->body) == json{{"status", "ok"}});
}

TEST_CASE("readyz is 200 while every check passes and 503 naming the check that fails", "[http][health]") {
  gw::metrics::Registry reg;
  ReadinessChecks readiness;
  std::atomic<bool> store_up{true};
  readiness.add("store", [&]() -> gw::Status {
    if (store_up) return gw::ok_status();
    return gw::Error::unavailable("database is locked");
  });
  readiness.add("content", [] { return gw::ok_status(); });
  gw::http::HttpServer server(reg, test_options());
  gw::http::add_health_routes(server, readiness, reg);
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto ready = client.Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(json::parse(ready->body) ==
        json{{"status", "ready"}, {"checks", {{"store", "ok"}, {"content", "ok"}}}});

  store_up = false;
  auto not_ready = client.Get("/readyz");
  REQUIRE(not_ready);
  CHECK(not_ready->status == 503);
  CHECK(not_ready->get_header_value("Content-Type") == "application/json");
  const json j = json::parse(not_ready->body);
  CHECK(j["status"] == "not_ready");
  CHECK(j["checks"]["store"] == "unavailable: database is locked");
  CHECK(j["checks"]["content"] == "ok");

  // A check added later, and one that throws, count too.
  store_up = true;
  readiness.add("flaky", []() -> gw::Status { throw std::runtime_error("boom"); });
  auto thrown = client.Get("/readyz");
  REQUIRE(thrown);
  CHECK(thrown->status == 503);
  CHECK(json::parse(thrown->body)["checks"]["flaky"] == "internal: the check threw");
}

TEST_CASE("readiness with no checks is ready", "[http][health]") {
  ReadinessChecks readiness;
  const auto o = readiness.run();
  CHECK(o.ready);
  CHECK(o.checks.empty());
}

TEST_CASE("metrics serves the registry as Prometheus text, counting the requests made", "[http][health]") {
  gw::metrics::Registry reg;
  gw::metrics::CoreMetrics core(reg, "9.9.9", gw::SystemClock().now());
  ReadinessChecks readiness;
  gw::http::HttpServer server(reg, test_options());
  gw::http::add_health_routes(server, readiness, reg);
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  for (int i = 0; i < 3; ++i) REQUIRE(client.Get("/healthz"));
  REQUIRE(client.Get("/no/such/page"));
  auto r = client.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");

  const auto text = parse_prom_text(r->body);
  INFO(r->body);
  REQUIRE(text.errors.empty());
  auto requests = [&](const char* route, const char* status) {
    return text.value("gateway_http_requests_total",
                      {{"route", route}, {"method", "GET"}, {"status", status}});
  };
  CHECK(requests("healthz", "200") == 3);
  CHECK(requests("unmatched", "404") == 1);
  CHECK(text.value("gateway_http_request_duration_seconds_count", {{"route", "healthz"}}) == 3);
  CHECK(text.value("gateway_http_request_duration_seconds_bucket", {{"route", "healthz"}, {"le", "+Inf"}}) ==
        3);
  CHECK(text.value("gateway_build_info", {{"version", "9.9.9"}}) == 1);
  CHECK(text.family("gateway_outbox_depth"));

  // A scrape is counted once its response is ready, so the next scrape shows it.
  CHECK_FALSE(requests("metrics", "200").has_value());
  auto second = client.Get("/metrics");
  REQUIRE(second);
  CHECK(parse_prom_text(second->body)
            .value("gateway_http_requests_total",
                   {{"route", "metrics"}, {"method", "GET"}, {"status", "200"}}) == 1);
}

TEST_CASE("metrics are served to allowed addresses or with the bearer token, to no one else",
          "[http][health]") {
  gw::metrics::Registry reg;
  ReadinessChecks readiness;
  gw::http::HttpServer server(reg, test_options());
  // Loopback is not among the allowed networks here: only the token lets a request in.
  gw::http::add_health_routes(server, readiness, reg,
                              gw::http::MetricsAccess({"10.0.0.0/8"}, "scrape-token"));
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());

  auto refused = client.Get("/metrics");
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(json::parse(refused->body)["error"] == "forbidden");
  CHECK(refused->body.find("gateway_http_requests_total") == std::string::npos);
  auto wrong = client.Get("/metrics", {{"Authorization", "Bearer scrape-tokeN"}});
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  auto with_token = client.Get("/metrics", {{"Authorization", "Bearer scrape-token"}});
  REQUIRE(with_token);
  CHECK(with_token->status == 200);
  CHECK(with_token->body.find("gateway_http_requests_total") != std::string::npos);
  // Health checks stay open to all.
  CHECK(client.Get("/healthz")->status == 200);
}

TEST_CASE("by default metrics are served to loopback", "[http][health]") {
  gw::metrics::Registry reg;
  ReadinessChecks readiness;
  gw::http::HttpServer server(reg, test_options());
  gw::http::add_health_routes(server, readiness, reg);
  RunningServer running(server);
  httplib::Client client("127.0.0.1", running.port());
  auto r = client.Get("/metrics");
  REQUIRE(r);
  CHECK(r->status == 200);
}
