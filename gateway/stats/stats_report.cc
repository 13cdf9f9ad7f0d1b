// Reports: counts summed into tables, then suppressed (stats_report.h, rules
// 1 to 4). Each week column is suppressed on its own, so the same week looks
// the same in the report of any period that holds it.
#include "gateway/stats/stats_report.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "gateway/stats/iso_week.h"
#include "gateway/stats/stat_keys.h"

namespace gw::stats {
namespace {

// Sums saturate rather than overflow (counts read from files are bounded far below).
int64_t add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max() : 0;
  return r;
}

bool small(const Shown& v, int k) {
  return v && *v >= 1 && *v < k;
}

// A table of `values` and `n_weeks` weeks, every count 0 and shown.
StatsTable empty_table(const std::string& metric, const std::string& title, std::vector<std::string> values,
                       size_t n_weeks) {
  StatsTable t;
  t.metric = metric;
  t.title = title;
  t.values = std::move(values);
  t.cells.assign(t.values.size(), std::vector<Shown>(n_weeks, int64_t{0}));
  t.row_totals.assign(t.values.size(), int64_t{0});
  t.week_totals.assign(n_weeks, int64_t{0});
  t.total = int64_t{0};
  return t;
}

// The rows of a table: a closed set's values in their order, then any other
// value (an open set's, or one a part brought) in code order.
std::vector<std::string> row_values(const MetricInfo* info, const std::set<std::string>& found) {
  std::vector<std::string> values;
  if (info) values = info->values;
  for (const std::string& v : found)
    if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  return values;
}

// Rule 2 on one week column. Returns whether it hid anything.
bool secondary_on_week(StatsTable& t, size_t w) {
  if (!t.week_totals[w]) return false;
  size_t hidden = 0;
  for (const auto& row : t.cells) hidden += row[w] ? 0 : 1;
  if (hidden != 1) return false;
  std::optional<size_t> pick;
  for (size_t r = 0; r < t.cells.size(); ++r) {
    const Shown& c = t.cells[r][w];
    if (c && *c > 0 && (!pick || *c < *t.cells[*pick][w])) pick = r;  // ties: the first row
  }
  if (pick) {
    t.cells[*pick][w].reset();
  } else {
    // Every other count is 0: the hidden one would be the week total itself.
    t.week_totals[w].reset();
  }
  return true;
}

// The report of one country's counts (already filtered), suppressed.
StatsReport build_one(const std::vector<const StatCount*>& counts, const ReportOptions& options,
                      const std::vector<std::string>& weeks) {
  StatsReport report;
  report.from = options.from;
  report.to = options.to;
  report.country = options.country;
  report.min_cell = options.min_cell;
  report.weeks = weeks;
  std::map<std::string, size_t> week_index;
  for (size_t i = 0; i < weeks.size(); ++i) week_index[weeks[i]] = i;

  // metric -> value -> week -> sum
  std::map<std::string, std::map<std::string, std::map<size_t, int64_t>>> sums;
  for (const StatCount* c : counts) {
    auto w = week_index.find(c->week);
    if (w == week_index.end()) continue;
    const MetricInfo* info = find_metric(c->metric);
    if (!info) continue;
    // A closed set has only its values.
    if (!info->values.empty() &&
        std::find(info->values.begin(), info->values.end(), c->value) == info->values.end())
      continue;
    int64_t& s = sums[c->metric][c->value][w->second];
    s = c->count < 0 ? s + c->count : add(s, c->count);
  }
  for (const MetricInfo& info : metrics()) {
    const auto& by_value = sums[info.metric];
    std::set<std::string> found;
    for (const auto& [value, unused] : by_value) found.insert(value);
    StatsTable t = empty_table(info.metric, info.title, row_values(&info, found), weeks.size());
    for (size_t r = 0; r < t.values.size(); ++r) {
      auto v = by_value.find(t.values[r]);
      if (v == by_value.end()) continue;
      for (const auto& [w, sum] : v->second) t.cells[r][w] = std::max<int64_t>(sum, 0);
    }
    for (size_t w = 0; w < weeks.size(); ++w) {
      int64_t total = 0;
      for (const auto& row : t.cells) total = add(total, *row[w]);
      t.week_totals[w] = total;
    }
    suppress(t, options.min_cell);
    report.tables.push_back(std::move(t));
  }
  return report;
}

std::string normalised_country(const std::string& country) {
  return country.empty() ? std::string(kUnknown) : country;
}

}  // namespace

void suppress(StatsTable& t, int min_cell) {
  // 1. Primary.
  for (auto& row : t.cells)
    for (Shown& c : row)
      if (small(c, min_cell)) c.reset();
  for (Shown& wt : t.week_totals)
    if (small(wt, min_cell)) wt.reset();
  // 2. Secondary, week by week, until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t w = 0; w < t.week_totals.size(); ++w) changed = secondary_on_week(t, w) || changed;
  }
  // 3. Row totals and the grand total, from what is shown.
  for (size_t r = 0; r < t.cells.size(); ++r) {
    if (!t.row_totals[r]) continue;
    int64_t sum = 0;
    bool all_shown = true;
    for (const Shown& c : t.cells[r]) {
      if (!c) {
        all_shown = false;
        break;
      }
      sum = add(sum, *c);
    }
    t.row_totals[r] = all_shown ? Shown(sum) : std::nullopt;
  }
  if (t.total) {
    int64_t sum = 0;
    bool all_shown = true;
    for (const Shown& wt : t.week_totals) {
      if (!wt) {
        all_shown = false;
        break;
      }
      sum = add(sum, *wt);
    }
    t.total = all_shown ? Shown(sum) : std::nullopt;
  }
}

StatsReport build_report(const std::vector<StatCount>& counts, const ReportOptions& options) {
  auto range = week_range(options.from, options.to, std::numeric_limits<int>::max());
  const std::vector<std::string> weeks = range ? *range : std::vector<std::string>{};
  if (!options.country.empty()) {
    std::vector<const StatCount*> mine;
    for (const StatCount& c : counts)
      if (normalised_country(c.country) == options.country) mine.push_back(&c);
    return build_one(mine, options, weeks);
  }
  // 4. Every country: the merge of each country's report.
  std::map<std::string, std::vector<const StatCount*>> by_country;
  for (const StatCount& c : counts) by_country[normalised_country(c.country)].push_back(&c);
  std::vector<StatsReport> parts;
  for (const auto& [country, mine] : by_country) {
    ReportOptions one = options;
    one.country = country;
    parts.push_back(build_one(mine, one, weeks));
  }
  if (parts.empty()) return build_one({}, options, weeks);
  auto merged = merge_reports(parts, options.min_cell);
  if (!merged) return build_one({}, options, weeks);  // cannot happen: the parts share their weeks
  merged->country.clear();
  return std::move(*merged);
}

Result<StatsReport> merge_reports(const std::vector<StatsReport>& parts, int min_cell) {
  if (parts.empty()) return Error::invalid("there is no report to merge");
  const StatsReport& first = parts.front();
  int k = min_cell;
  for (size_t i = 0; i < parts.size(); ++i) {
    const StatsReport& p = parts[i];
    if (p.weeks != first.weeks) {
      auto span = [](const StatsReport& r) {
        return r.weeks.empty() ? std::string("no week") : r.weeks.front() + " to " + r.weeks.back();
      };
      return Error::invalid("report " + std::to_string(i) + " covers " + span(p) + " but report 0 covers " +
                            span(first) + ": only reports of the same weeks can be merged");
    }
    k = std::max(k, p.min_cell);
  }
  StatsReport out;
  out.from = first.from;
  out.to = first.to;
  out.country = first.country;
  for (const StatsReport& p : parts)
    if (p.country != first.country) out.country.clear();
  out.min_cell = k;
  out.weeks = first.weeks;
  const size_t n_weeks = out.weeks.size();

  // The metrics: metrics() order first, then any other in the order met.
  std::vector<std::string> order;
  for (const MetricInfo& m : metrics()) {
    bool present = false;
    for (const StatsReport& p : parts)
      for (const StatsTable& t : p.tables) present = present || t.metric == m.metric;
    if (present) order.push_back(m.metric);
  }
  for (const StatsReport& p : parts)
    for (const StatsTable& t : p.tables)
      if (std::find(order.begin(), order.end(), t.metric) == order.end()) order.push_back(t.metric);

  for (const std::string& metric : order) {
    std::vector<const StatsTable*> tables;
    std::set<std::string> found;
    for (const StatsReport& p : parts)
      for (const StatsTable& t : p.tables)
        if (t.metric == metric) {
          tables.push_back(&t);
          found.insert(t.values.begin(), t.values.end());
        }
    const MetricInfo* info = find_metric(metric);
    StatsTable m =
        empty_table(metric, info ? info->title : tables.front()->title, row_values(info, found), n_weeks);
    std::map<std::string, size_t> row_of;
    for (size_t r = 0; r < m.values.size(); ++r) row_of[m.values[r]] = r;
    auto combine = [](Shown& into, const Shown& part) {
      into = into && part ? Shown(add(*into, *part)) : std::nullopt;
    };
    for (const StatsTable* t : tables) {
      for (size_t r = 0; r < t->values.size(); ++r) {
        const size_t row = row_of[t->values[r]];
        for (size_t w = 0; w < n_weeks; ++w) combine(m.cells[row][w], t->cells[r][w]);
      }
      for (size_t w = 0; w < n_weeks; ++w) combine(m.week_totals[w], t->week_totals[w]);
    }
    suppress(m, k);
    out.tables.push_back(std::move(m));
  }
  return out;
}

}  // namespace gw::stats
