#include "gateway/core/metrics.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <type_traits>

#include "gateway/core/log.h"

namespace gw::metrics {
namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool valid_metric_name(const std::string& n) {
  if (n.rfind(kNamePrefix, 0) != 0) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return is_name_char(c) || c == ':'; });
}

bool valid_label_name(const std::string& n, MetricType type) {
  if (n.empty() || !is_name_start(n[0]) || n.rfind("__", 0) == 0) return false;
  if (type == MetricType::kHistogram && n == "le") return false;
  return std::all_of(n.begin(), n.end(), is_name_char);
}

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Label values must be UTF-8; a byte that does not start a well-formed sequence
// becomes U+FFFD (and decoding goes on at the next byte) so that a stray byte
// never makes the whole scrape unparsable.
std::string valid_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, s.size(), c);
    if (c >= 0) {
      out.append(s, start, i - start);
    } else {
      out += "\xEF\xBF\xBD";
      i = start + 1;
    }
  }
  return out;
}

// `{a="x",b="y"` without the closing brace, or "" when there are no labels, so that
// histograms can append `le`.
std::string label_prefix(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += i == 0 ? "{" : ",";
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  return out;
}

void append_sample(std::string& out, const std::string& name, const std::string& prefix, double value) {
  out += name;
  if (!prefix.empty()) out += prefix + "}";
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void render_child(std::string& out, const detail::FamilyBase& f, const std::string& prefix,
                  const Counter& c) {
  append_sample(out, f.name(), prefix, c.value());
}

void render_child(std::string& out, const detail::FamilyBase& f, const std::string& prefix, const Gauge& g) {
  append_sample(out, f.name(), prefix, g.value());
}

void render_child(std::string& out, const detail::FamilyBase& f, const std::string& prefix,
                  const Histogram& h) {
  const Histogram::Snapshot s = h.snapshot();
  const std::string bucket = f.name() + "_bucket";
  const std::string open = prefix.empty() ? "{le=\"" : prefix + ",le=\"";
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    const bool inf = i == h.bounds().size();
    out += bucket + open + (inf ? std::string("+Inf") : format_value(h.bounds()[i])) + "\"} ";
    out += std::to_string(s.cumulative[i]);
    out += '\n';
  }
  append_sample(out, f.name() + "_sum", prefix, s.sum);
  append_sample(out, f.name() + "_count", prefix, static_cast<double>(s.count));
}

// A gauge family whose samples come from a callback at scrape time.
class CallbackGaugeFamily final : public detail::FamilyBase {
 public:
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
                      LabelledGaugeCallback callback)
      : FamilyBase(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names)),
        callback_(std::move(callback)) {}

  void replace(LabelledGaugeCallback callback) {
    std::lock_guard<std::mutex> lock(mu_);
    callback_ = std::move(callback);
  }

 protected:
  void render_samples(std::string& out) const override {
    LabelledGaugeCallback callback;
    {
      std::lock_guard<std::mutex> lock(mu_);
      callback = callback_;
    }
    if (!callback) return;
    Result<GaugeSamples> samples = Error::internal("not run");
    try {
      samples = callback();
    } catch (const std::exception&) {
      samples = Error::internal("the callback threw");
    }
    if (!samples) {
      log::warn("metrics_callback_failed", {{"metric", name()}, {"error", samples.error().to_string()}});
      return;
    }
    std::sort(samples->begin(), samples->end());
    for (const auto& [values, value] : *samples) {
      if (values.size() != label_names().size()) {
        log::error("metrics_callback_label_mismatch", {{"metric", name()}});
        continue;
      }
      append_sample(out, name(), label_prefix(label_names(), values), value);
    }
  }

 private:
  mutable std::mutex mu_;
  LabelledGaugeCallback callback_;
};

}  // namespace

const std::vector<double>& latency_buckets() {
  static const std::vector<double> kBuckets = {.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
  return kBuckets;
}

// ---- values ----

void Counter::inc(double by) {
  if (!(by >= 0)) return;  // also rejects NaN
  value_.fetch_add(by, std::memory_order_relaxed);
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // Buckets are "less than or equal": the first bound >= v.
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), v);
  counts_[static_cast<size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.resize(bounds_->size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- families ----

namespace detail {

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}

void FamilyBase::render(std::string& out) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " " + type_name(type_) + "\n";
  render_samples(out);
}

}  // namespace detail

template <class Child>
std::unique_ptr<Child> Family<Child>::make_child() const {
  if constexpr (std::is_same_v<Child, Histogram>) {
    return std::make_unique<Histogram>(&bounds_);
  } else {
    return std::make_unique<Child>();
  }
}

template <class Child>
Child& Family<Child>::with(const std::vector<std::string>& label_values) {
  std::lock_guard<std::mutex> lock(mu_);
  if (label_values.size() != label_names().size()) {
    if (!detached_) {  // log the bug once, not on every call of a hot path
      log::error("metrics_label_count_mismatch",
                 {{"metric", name()}, {"expected", label_names().size()}, {"got", label_values.size()}});
      detached_ = make_child();
    }
    return *detached_;
  }
  auto it = children_.find(label_values);
  if (it == children_.end()) it = children_.emplace(label_values, make_child()).first;
  return *it->second;
}

template <class Child>
void Family<Child>::render_samples(std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, child] : children_) {
    render_child(out, *this, label_prefix(label_names(), values), *child);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- registry ----

Registry::Registry() = default;
Registry::~Registry() = default;

template <class F>
F& Registry::find_or_add(const std::string& name, const std::string& help, MetricType type,
                         std::vector<std::string> label_names, const std::vector<double>* bounds) {
  std::string problem;
  if (!valid_metric_name(name)) problem = "invalid name (must start with gateway_)";
  if (type == MetricType::kCounter && (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0)) {
    problem = "counter name must end in _total";
  }
  for (const auto& l : label_names) {
    if (!valid_label_name(l, type)) problem = "invalid label name";
  }
  if (bounds) {
    for (size_t i = 0; i < bounds->size(); ++i) {
      if (!std::isfinite((*bounds)[i]) || (i > 0 && (*bounds)[i] <= (*bounds)[i - 1])) {
        problem = "bucket bounds must be finite and strictly ascending";
      }
    }
  }
  auto fresh = [&] {
    auto f = std::make_shared<F>(name, help, type, label_names);
    if (bounds) f->set_bounds(*bounds);
    return f;
  };

  std::lock_guard<std::mutex> lock(mu_);
  if (problem.empty()) {
    auto it = families_.find(name);
    if (it == families_.end()) {
      auto f = fresh();
      families_.emplace(name, f);
      return *f;
    }
    auto* existing = dynamic_cast<F*>(it->second.get());
    if (existing && existing->type() == type && existing->label_names() == label_names &&
        (!bounds || existing->bounds() == *bounds)) {
      return *existing;
    }
    problem = "conflicts with an earlier registration";
  }
  const std::string key = name + " " + type_name(type);
  auto it = detached_.find(key);
  if (it == detached_.end()) {
    log::error("metrics_registration_rejected", {{"metric", name}, {"problem", problem}});
    it = detached_.emplace(key, fresh()).first;
  }
  return static_cast<F&>(*it->second);
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  return find_or_add<CounterFamily>(name, help, MetricType::kCounter, std::move(label_names), nullptr);
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names) {
  return find_or_add<GaugeFamily>(name, help, MetricType::kGauge, std::move(label_names), nullptr);
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names, std::vector<double> bounds) {
  return find_or_add<HistogramFamily>(name, help, MetricType::kHistogram, std::move(label_names), &bounds);
}

void Registry::gauge_callback(const std::string& name, const std::string& help, GaugeCallback callback) {
  LabelledGaugeCallback labelled;
  if (callback) {
    labelled = [cb = std::move(callback)]() -> Result<GaugeSamples> {
      Result<double> v = cb();
      if (!v) return v.error();
      return GaugeSamples{{{}, *v}};
    };
  }
  gauge_callback(name, help, {}, std::move(labelled));
}

void Registry::gauge_callback(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names, LabelledGaugeCallback callback) {
  bool valid = valid_metric_name(name);
  for (const auto& l : label_names) valid = valid && valid_label_name(l, MetricType::kGauge);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (valid && it == families_.end()) {
    families_.emplace(
        name, std::make_shared<CallbackGaugeFamily>(name, help, std::move(label_names), std::move(callback)));
    return;
  }
  auto* existing = valid ? dynamic_cast<CallbackGaugeFamily*>(it->second.get()) : nullptr;
  if (existing && existing->label_names() == label_names) {
    existing->replace(std::move(callback));
    return;
  }
  log::error("metrics_registration_rejected", {{"metric", name}, {"problem", "invalid or conflicting"}});
}

std::string Registry::render() const {
  // Copy the family list, then render without the registry lock, so a gauge
  // callback that itself uses the registry cannot deadlock.
  std::vector<std::shared_ptr<detail::FamilyBase>> families;
  {
    std::lock_guard<std::mutex> lock(mu_);
    families.reserve(families_.size());
    for (const auto& [name, f] : families_) families.push_back(f);
  }
  std::string out;
  out.reserve(families.size() * 256);
  for (const auto& f : families) f->render(out);
  return out;
}

// ---- text format ----

namespace {

// Prometheus' text format escapes a backslash and a newline everywhere, and a
// double quote inside a label value; text is made valid UTF-8 first.
std::string escape_text(const std::string& v, bool quote) {
  std::string out;
  for (char c : valid_utf8(v)) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(const std::string& v) {
  return escape_text(v, true);
}

std::string escape_help(const std::string& v) {
  return escape_text(v, false);
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

}  // namespace gw::metrics
