#include "gateway/core/metrics.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "gateway/core/core_metrics.h"
#include "tests/http/prom_text.h"

using gw::http::testing::parse_prom_text;
using gw::metrics::Registry;

TEST_CASE("a histogram renders cumulative buckets, +Inf equal to _count, and _sum", "[core][metrics]") {
  Registry reg;
  auto& h = reg.histogram("gateway_test_seconds", "Test latency.", {"route"}).with({"r"});
  for (double v : {0.0005, 0.003, 0.003, 0.1, 0.2, 20.0}) h.observe(v);

  const auto text = parse_prom_text(reg.render());
  REQUIRE(text.errors.empty());
  auto bucket = [&](const char* le) {
    return text.value("gateway_test_seconds_bucket", {{"route", "r"}, {"le", le}});
  };
  CHECK(bucket("0.001") == 1);
  CHECK(bucket("0.0025") == 1);
  CHECK(bucket("0.005") == 3);
  CHECK(bucket("0.05") == 3);
  CHECK(bucket("0.1") == 4);  // an observation equal to a bound falls in that bucket
  CHECK(bucket("0.25") == 5);
  CHECK(bucket("10") == 5);
  CHECK(bucket("+Inf") == 6);
  CHECK(text.value("gateway_test_seconds_count", {{"route", "r"}}) == 6);
  CHECK(text.value("gateway_test_seconds_sum", {{"route", "r"}}).value() == Approx(20.3065));

  // Every bucket line, in order, never decreases, and the last is +Inf.
  const auto* fam = text.family("gateway_test_seconds");
  REQUIRE(fam);
  CHECK(fam->type == "histogram");
  double previous = 0;
  std::string last_le;
  int buckets = 0;
  for (const auto& s : fam->samples) {
    if (s.name != "gateway_test_seconds_bucket") continue;
    CHECK(s.value >= previous);
    previous = s.value;
    last_le = s.labels.at("le");
    ++buckets;
  }
  CHECK(buckets == static_cast<int>(gw::metrics::latency_buckets().size()) + 1);
  CHECK(last_le == "+Inf");
}

TEST_CASE("families are sorted by name and carry HELP and TYPE once each", "[core][metrics]") {
  Registry reg;
  reg.gauge("gateway_zeta", "Last.").get().set(3);
  reg.counter("gateway_alpha_total", "First.", {"kind"}).with({"b"}).inc();
  reg.counter("gateway_alpha_total", "First.", {"kind"}).with({"a"}).inc(2);
  reg.histogram("gateway_mid_seconds", "Middle.", {}, {1, 2}).get().observe(1.5);

  const std::string raw = reg.render();
  const auto text = parse_prom_text(raw);
  INFO(raw);
  REQUIRE(text.errors.empty());
  REQUIRE(text.families.size() == 3);
  CHECK(text.families[0].name == "gateway_alpha_total");
  CHECK(text.families[1].name == "gateway_mid_seconds");
  CHECK(text.families[2].name == "gateway_zeta");
  CHECK(text.families[0].type == "counter");
  CHECK(text.families[0].help == "First.");
  CHECK(text.families[2].type == "gauge");
  CHECK(text.value("gateway_alpha_total", {{"kind", "a"}}) == 2);
  CHECK(text.value("gateway_alpha_total", {{"kind", "b"}}) == 1);
  CHECK(text.value("gateway_zeta") == 3);
  CHECK(raw.find("gateway_mid_seconds_bucket{le=\"2\"} 1\n") != std::string::npos);
}

TEST_CASE("label values and help texts are escaped and read back intact", "[core][metrics]") {
  Registry reg;
  const std::string nasty = "a\\b\"c\nd";
  reg.gauge("gateway_escape", "Help with \\ and\nnewline.", {"v"}).with({nasty}).set(1);
  const std::string raw = reg.render();
  CHECK(raw.find(R"(gateway_escape{v="a\\b\"c\nd"} 1)") != std::string::npos);
  CHECK(raw.find(R"(# HELP gateway_escape Help with \\ and\nnewline.)") != std::string::npos);
  const auto text = parse_prom_text(raw);
  REQUIRE(text.errors.empty());
  CHECK(text.value("gateway_escape", {{"v", nasty}}) == 1);
  CHECK(text.families[0].help == "Help with \\ and\nnewline.");
}

TEST_CASE("invalid UTF-8 in a label value is replaced so the scrape stays valid", "[core][metrics]") {
  CHECK(gw::metrics::escape_label_value("ok\xFF") == "ok\xEF\xBF\xBD");
  CHECK(gw::metrics::escape_label_value("\xC3\xA9t\xC3\xA9") == "\xC3\xA9t\xC3\xA9");  // "été" untouched
  CHECK(gw::metrics::escape_label_value("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");    // truncated sequence
  const std::string kBad = "\xEF\xBF\xBD";
  CHECK(gw::metrics::escape_label_value("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // U+1F600 untouched
  CHECK(gw::metrics::escape_label_value("\xC0\xAFx") == kBad + kBad + "x");          // overlong "/"
  CHECK(gw::metrics::escape_label_value("\xED\xA0\x80") == kBad + kBad + kBad);      // a surrogate
  CHECK(gw::metrics::escape_label_value("\xF4\x90\x80\x80") == kBad + kBad + kBad + kBad);  // past U+10FFFF
  CHECK(gw::metrics::escape_label_value("\x80\xC3\xA9") ==
        kBad + "\xC3\xA9");  // a stray trail byte, then "é"
}

TEST_CASE("values are written as Prometheus reads them", "[core][metrics]") {
  using gw::metrics::format_value;
  CHECK(format_value(1) == "1");
  CHECK(format_value(0.25) == "0.25");
  CHECK(format_value(0.0025) == "0.0025");
  CHECK(format_value(12345678) == "12345678");
  CHECK(format_value(INFINITY) == "+Inf");
  CHECK(format_value(-INFINITY) == "-Inf");
  CHECK(format_value(NAN) == "NaN");
}

TEST_CASE("counters ignore negative amounts and gauges go both ways", "[core][metrics]") {
  Registry reg;
  auto& c = reg.counter("gateway_c_total", "C.").get();
  c.inc();
  c.inc(2.5);
  c.inc(-10);
  c.inc(NAN);
  CHECK(c.value() == 3.5);
  auto& g = reg.gauge("gateway_g", "G.").get();
  g.inc(5);
  g.dec(7);
  CHECK(g.value() == -2);
  g.set(4);
  CHECK(g.value() == 4);
}

TEST_CASE("registering the same family twice returns it, and a conflict or bad name is never exported",
          "[core][metrics]") {
  Registry reg;
  auto& a = reg.counter("gateway_dup_total", "Dup.", {"x"});
  auto& b = reg.counter("gateway_dup_total", "Dup.", {"x"});
  CHECK(&a == &b);
  a.with({"1"}).inc();

  auto& other_labels = reg.counter("gateway_dup_total", "Dup.", {"y"});
  CHECK(&other_labels != &a);
  other_labels.with({"2"}).inc(100);  // works, but is not exported
  reg.gauge("gateway_dup_total", "Dup as gauge.").get().set(7);
  reg.counter("requests_total", "No prefix.").get().inc();
  CHECK(&reg.counter("requests_total", "No prefix.") == &reg.counter("requests_total", "No prefix."));
  reg.counter("gateway_no_suffix", "Counter without _total.").get().inc();
  reg.gauge("gateway_bad_label", "Bad label.", {"__reserved"}).with({"v"}).set(1);
  reg.histogram("gateway_le_seconds", "Reserved le.", {"le"}).with({"x"}).observe(1);
  reg.histogram("gateway_unsorted_seconds", "Bad bounds.", {}, {2, 1}).get().observe(1);

  const std::string raw = reg.render();
  const auto text = parse_prom_text(raw);
  INFO(raw);
  REQUIRE(text.errors.empty());
  REQUIRE(text.families.size() == 1);
  CHECK(text.families[0].type == "counter");
  CHECK(text.value("gateway_dup_total", {{"x", "1"}}) == 1);
  CHECK(text.families[0].samples.size() == 1);
}

TEST_CASE("a child asked for with the wrong number of label values is not exported", "[core][metrics]") {
  Registry reg;
  auto& fam = reg.counter("gateway_labels_total", "L.", {"a", "b"});
  fam.with({"only-one"}).inc();
  CHECK(&fam.with({"1", "2", "3"}) == &fam.with({"only-one"}));  // misuse does not grow memory
  fam.with({"x", "y"}).inc();
  const auto text = parse_prom_text(reg.render());
  REQUIRE(text.errors.empty());
  REQUIRE(text.families.size() == 1);
  CHECK(text.families[0].samples.size() == 1);
  CHECK(text.value("gateway_labels_total", {{"a", "x"}, {"b", "y"}}) == 1);
}

TEST_CASE("gauge callbacks run at scrape time and a failing one drops only its samples", "[core][metrics]") {
  Registry reg;
  double depth = 3;
  bool fail = false;
  reg.gauge_callback("gateway_depth", "Depth.", [&]() -> gw::Result<double> {
    if (fail) return gw::Error::unavailable("store down");
    return depth;
  });
  reg.gauge_callback("gateway_per_channel", "Per channel.", {"channel"},
                     []() -> gw::Result<gw::metrics::GaugeSamples> {
                       return gw::metrics::GaugeSamples{{{"tg"}, 2}, {{"sms"}, 1}};
                     });

  CHECK(parse_prom_text(reg.render()).value("gateway_depth") == 3);
  depth = 9;
  auto text = parse_prom_text(reg.render());
  CHECK(text.value("gateway_depth") == 9);
  CHECK(text.value("gateway_per_channel", {{"channel", "sms"}}) == 1);
  CHECK(text.value("gateway_per_channel", {{"channel", "tg"}}) == 2);

  fail = true;
  text = parse_prom_text(reg.render());
  REQUIRE(text.errors.empty());
  REQUIRE(text.family("gateway_depth"));
  CHECK(text.family("gateway_depth")->samples.empty());
  CHECK_FALSE(text.value("gateway_depth").has_value());
  CHECK(text.value("gateway_per_channel", {{"channel", "tg"}}) == 2);

  // Registering again replaces the callback.
  reg.gauge_callback("gateway_depth", "Depth.", []() -> gw::Result<double> { return 42.0; });
  CHECK(parse_prom_text(reg.render()).value("gateway_depth") == 42);
}

TEST_CASE("a gauge callback may use the registry itself without deadlocking", "[core][metrics]") {
  Registry reg;
  reg.gauge_callback("gateway_scrapes", "Scrapes so far.", [&reg]() -> gw::Result<double> {
    auto& c = reg.counter("gateway_callback_runs_total", "Runs.").get();
    c.inc();
    return c.value();
  });
  (void)reg.render();
  CHECK(parse_prom_text(reg.render()).value("gateway_scrapes") == 2);
}

TEST_CASE("increments from many threads are all counted while scrapes run", "[core][metrics]") {
  Registry reg;
  auto& c = reg.counter("gateway_conc_total", "C.", {"t"});
  auto& h = reg.histogram("gateway_conc_seconds", "H.", {});
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) {
      const auto text = parse_prom_text(reg.render());
      const auto count = text.value("gateway_conc_seconds_count");
      const auto inf = text.value("gateway_conc_seconds_bucket", {{"le", "+Inf"}});
      if (count) CHECK(count == inf);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&, t] {
      auto& mine = c.with({std::to_string(t % 2)});
      for (int i = 0; i < 5000; ++i) {
        mine.inc();
        h.get().observe(0.003);
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  scraper.join();
  const auto text = parse_prom_text(reg.render());
  CHECK(text.value("gateway_conc_total", {{"t", "0"}}) == 20000);
  CHECK(text.value("gateway_conc_total", {{"t", "1"}}) == 20000);
  CHECK(text.value("gateway_conc_seconds_count") == 40000);
  CHECK(text.value("gateway_conc_seconds_bucket", {{"le", "0.0025"}}) == 0);
  CHECK(text.value("gateway_conc_seconds_bucket", {{"le", "0.005"}}) == 40000);
}

TEST_CASE("core metrics export build info, process facts, messages and the outbox depth", "[core][metrics]") {
  Registry reg;
  const auto started = gw::from_unix_ms(1'700'000'000'500);
  gw::metrics::CoreMetrics core(reg, "1.2.3", started);
  core.messages("uk-sms", gw::metrics::kInbound).inc();
  core.messages("uk-sms", gw::metrics::kInbound).inc();
  core.messages("tg", gw::metrics::kOutbound).inc();

  auto text = parse_prom_text(reg.render());
  REQUIRE(text.errors.empty());
  CHECK(text.value("gateway_build_info", {{"version", "1.2.3"}}) == 1);
  CHECK(text.value("gateway_process_start_time_seconds") == 1'700'000'000.5);
  CHECK(text.value("gateway_process_resident_memory_bytes").value_or(0) > 1024 * 1024);
  CHECK(text.value("gateway_messages_total", {{"channel", "uk-sms"}, {"direction", "inbound"}}) == 2);
  CHECK(text.value("gateway_messages_total", {{"channel", "tg"}, {"direction", "outbound"}}) == 1);
  REQUIRE(text.family("gateway_outbox_depth"));  // listed before any source is set
  CHECK(text.family("gateway_outbox_depth")->samples.empty());

  int64_t depth = 17;
  core.set_outbox_depth_source([&]() -> gw::Result<int64_t> { return depth; });
  CHECK(parse_prom_text(reg.render()).value("gateway_outbox_depth") == 17);
  depth = 4;
  CHECK(parse_prom_text(reg.render()).value("gateway_outbox_depth") == 4);
  core.set_outbox_depth_source([]() -> gw::Result<int64_t> { return gw::Error::unavailable("db locked"); });
  CHECK_FALSE(parse_prom_text(reg.render()).value("gateway_outbox_depth").has_value());
}
