// A small, thread-safe Prometheus registry: counters, gauges and histograms with
// label sets, gauges computed at scrape time, and the text exposition format 0.0.4.
//
// Written here rather than taken from a library because Debian ships no
// prometheus-cpp, and what the gateway needs is small. The hot path is cheap:
// look a labelled child up once (`family.with({"sms", "inbound"})` takes a lock),
// keep the reference, and every `inc()`/`observe()` after that is a few atomic
// operations with no lock and no allocation.
//
// Never put a phone number, chat id, message text or any other per-person value in
// a label: label values are exported verbatim and every distinct value is a new
// time series kept for the life of the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/result.h"

namespace gw::metrics {

// Every metric name the gateway exports starts with this.
inline constexpr const char* kNamePrefix = "gateway_";

// Latency buckets in seconds: 1 ms to 10 s.
const std::vector<double>& latency_buckets();

// A monotonically increasing value. inc() with a negative or NaN amount is ignored.
class Counter {
 public:
  void inc(double by = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double by = 1.0) { value_.fetch_add(by, std::memory_order_relaxed); }
  void dec(double by = 1.0) { value_.fetch_sub(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into fixed buckets. Lock-free: each observation bumps one
// bucket and the sum; the total count is the sum of the buckets, so a scrape
// always shows +Inf == _count.
class Histogram {
 public:
  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per upper bound, then +Inf
    double sum = 0;
    uint64_t count = 0;  // == cumulative.back()
  };

  // REQUIRES: `bounds` sorted ascending, finite, and outlives the histogram.
  explicit Histogram(const std::vector<double>* bounds);

  void observe(double v);  // NaN is ignored
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_->size() + 1, not cumulative
  std::atomic<double> sum_{0.0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

namespace detail {

// What every family shares: name, help, type, label names, and how it renders.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends "# HELP", "# TYPE" and every sample of the family to `out`.
  void render(std::string& out) const;

 protected:
  // Appends the sample lines only.
  virtual void render_samples(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

}  // namespace detail

// A metric with a fixed list of label names and one child per distinct list of
// label values. Children live as long as the registry; references stay valid.
template <class Child>
class Family : public detail::FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  // The child for `label_values` (one per label name, in order), created on first
  // use. Takes a lock: call it once and keep the reference on hot paths. A wrong
  // number of values is a bug: it is logged and the returned child is never
  // exported (so callers still work).
  Child& with(const std::vector<std::string>& label_values);
  // The child of a family without labels.
  Child& get() { return with({}); }

  // Histogram families only: the upper bounds of every child.
  const std::vector<double>& bounds() const { return bounds_; }

 protected:
  void render_samples(std::string& out) const override;

 private:
  friend class Registry;
  // Set once by the registry, before any child exists (children point at it).
  void set_bounds(std::vector<double> bounds) { bounds_ = std::move(bounds); }
  std::unique_ptr<Child> make_child() const;

  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> children_;
  std::unique_ptr<Child> detached_;  // handed out on misuse, never rendered
  std::vector<double> bounds_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// A gauge whose samples are computed at scrape time (outbox depth from the store,
// resident memory from /proc). The callback runs on the scraping thread without
// any registry lock held, so it may itself use the registry. An Error (or an
// exception) drops the samples of that scrape and is logged.
using GaugeSamples = std::vector<std::pair<std::vector<std::string>, double>>;  // label values, value
using GaugeCallback = std::function<Result<double>()>;
using LabelledGaugeCallback = std::function<Result<GaugeSamples>()>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each returns the family called `name`, registering it on first call. Asking
  // again with the same type and label names (and buckets) returns the same family,
  // so modules can register independently. Names must start with "gateway_" and be
  // valid Prometheus names, counter names must end in "_total", label names must be
  // valid and not reserved ("le", "__*"). A call that breaks these rules or
  // conflicts with an earlier registration is a bug: it is logged and gets a
  // working family that is never exported.
  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  // REQUIRES: `bounds` strictly ascending and finite (+Inf is added by the registry).
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names,
                             std::vector<double> bounds = latency_buckets());

  // Registers (or replaces) a gauge computed at scrape time.
  void gauge_callback(const std::string& name, const std::string& help, GaugeCallback callback);
  void gauge_callback(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                      LabelledGaugeCallback callback);

  // Every family in Prometheus text exposition format 0.0.4, families sorted by
  // name, with HELP and TYPE once per family. Thread-safe.
  std::string render() const;

 private:
  template <class F>
  F& find_or_add(const std::string& name, const std::string& help, MetricType type,
                 std::vector<std::string> label_names, const std::vector<double>* bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<detail::FamilyBase>> families_;
  // Handed out on misuse (one per name and type, so repeated misuse does not grow
  // memory), never rendered.
  std::map<std::string, std::shared_ptr<detail::FamilyBase>> detached_;
};

// Text-format helpers, exposed for tests and for anything else that writes the format.
// A label value with \ " and newline escaped.
std::string escape_label_value(const std::string& v);
// A HELP text with \ and newline escaped.
std::string escape_help(const std::string& v);
// A sample value: shortest round-trip decimal, "+Inf", "-Inf" or "NaN".
std::string format_value(double v);

}  // namespace gw::metrics
