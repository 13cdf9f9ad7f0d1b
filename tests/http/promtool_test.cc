// Checks the exposition against Prometheus's own parser and linter, when promtool
// is installed (Debian package "prometheus"); skipped with a warning otherwise.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gateway/core/core_metrics.h"
#include "gateway/core/metrics.h"
#include "gateway/http/server.h"

namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `promtool check metrics` on `text`; output holds what it printed.
CommandResult promtool_check(const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / ("gateway_metrics_" + std::to_string(::getpid()) + ".prom");
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  CommandResult r;
  const std::string cmd = "promtool check metrics < '" + path.string() + "' 2>&1";
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::filesystem::remove(path);
  return r;
}

bool have_promtool() {
  return std::system("command -v promtool > /dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("promtool accepts the gateway's metrics without lint problems", "[http][metrics][promtool]") {
  if (!have_promtool()) {
    WARN("promtool not on PATH: skipped");
    return;
  }
  gw::metrics::Registry reg;
  gw::http::HttpServer server(reg);  // registers the HTTP families
  gw::metrics::CoreMetrics core(reg, "0.1.0", gw::from_unix_ms(1'700'000'000'000));
  core.set_outbox_depth_source([]() -> gw::Result<int64_t> { return 5; });
  core.messages("uk-sms", gw::metrics::kInbound).inc();
  reg.counter("gateway_http_requests_total", "", {"route", "method", "status"})
      .with({"twilio_inbound", "POST", "200"})
      .inc();
  reg.histogram("gateway_http_request_duration_seconds", "", {"route"})
      .with({"twilio_inbound"})
      .observe(0.02);
  reg.gauge("gateway_escaping_test", "Odd \\ help\ntext.", {"v"}).with({"q\"uote\\back\nline \xFF"}).set(1);

  const std::string text = reg.render();
  const CommandResult r = promtool_check(text);
  INFO(text);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.empty());  // lint findings are printed even when the exit code is 0 on some versions
}

TEST_CASE("promtool rejects broken exposition, so the check above means something",
          "[http][metrics][promtool]") {
  if (!have_promtool()) {
    WARN("promtool not on PATH: skipped");
    return;
  }
  CHECK(promtool_check("# TYPE gateway_x_total counter\ngateway_x_total{a=\"unterminated} 1\n").exit_code !=
        0);
}
