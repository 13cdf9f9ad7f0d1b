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

// Secondary suppression on one line: `members` and their `total`, which must
// never have exactly one of them hidden (it would be worked out from the rest).
// When one is, the smallest shown non-zero member is hidden too (the first of
// equals), or, when every other member is 0, the total. Returns whether it hid
// anything.
bool protect_line(const std::vector<Shown*>& members, Shown* total) {
  size_t hidden = total->has_value() ? 0 : 1;
  for (const Shown* m : members) hidden += m->has_value() ? 0 : 1;
  if (hidden != 1) return false;
  Shown* pick = nullptr;
  for (Shown* m : members) {
    if (*m && **m > 0 && (!pick || **m < **pick)) pick = m;
  }
  if (pick) {
    pick->reset();
    return true;
  }
  if (!*total) return false;  // every member is 0 and shown: the hidden total is 0, which any report shows
  total->reset();
  return true;
}

// metric -> value -> week -> sum, of the counts given.
using Sums = std::map<std::string, std::map<std::string, std::map<size_t, int64_t>>>;

Sums sums_of(const std::vector<const StatCount*>& counts, const std::map<std::string, size_t>& week_index) {
  Sums sums;
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
  return sums;
}

// The table of `info` over `values` and `n_weeks` weeks from `sums`: true
// counts, week totals and row totals, nothing hidden yet.
StatsTable raw_table(const MetricInfo& info, const std::vector<std::string>& values, size_t n_weeks,
                     const Sums& sums) {
  StatsTable t = empty_table(info.metric, info.title, values, n_weeks);
  auto by_value = sums.find(info.metric);
  if (by_value != sums.end()) {
    for (size_t r = 0; r < t.values.size(); ++r) {
      auto v = by_value->second.find(t.values[r]);
      if (v == by_value->second.end()) continue;
      for (const auto& [w, sum] : v->second) t.cells[r][w] = std::max<int64_t>(sum, 0);
    }
  }
  for (size_t w = 0; w < n_weeks; ++w) {
    int64_t total = 0;
    for (const auto& row : t.cells) total = add(total, *row[w]);
    t.week_totals[w] = total;
  }
  return t;
}

// Rule 1 on every count and week total of `t`.
void hide_small(StatsTable& t, int min_cell) {
  for (auto& row : t.cells)
    for (Shown& c : row)
      if (small(c, min_cell)) c.reset();
  for (Shown& wt : t.week_totals)
    if (small(wt, min_cell)) wt.reset();
}

// Rule 2 on week `w` of `t`: its counts and its week total. Returns whether it hid anything.
bool protect_week(StatsTable& t, size_t w) {
  std::vector<Shown*> week;
  for (auto& row : t.cells) week.push_back(&row[w]);
  return protect_line(week, &t.week_totals[w]);
}

// Rule 3: row totals and the grand total from what is shown (a total already
// hidden stays hidden).
void derive_totals(StatsTable& t) {
  const auto sum_if_shown = [](const std::vector<Shown>& parts) -> Shown {
    int64_t sum = 0;
    for (const Shown& p : parts) {
      if (!p) return std::nullopt;
      sum = add(sum, *p);
    }
    return sum;
  };
  for (size_t r = 0; r < t.cells.size(); ++r)
    if (t.row_totals[r]) t.row_totals[r] = sum_if_shown(t.cells[r]);
  if (t.total) t.total = sum_if_shown(t.week_totals);
}

// Rules 1 to 4 on one metric's tables of every country (`parts`) and of all
// countries together (`all`, their true sum), all of the same rows and weeks:
// small counts hidden everywhere; then, until nothing changes, no week of any
// table, no (value, week) across the countries and all, and no week total
// across the countries and all has exactly one hidden count. Every line lies
// within one week, so a week looks the same in the report of any period.
void suppress_jointly(std::vector<StatsTable>& parts, StatsTable& all, int min_cell) {
  std::vector<StatsTable*> tables;
  for (StatsTable& t : parts) tables.push_back(&t);
  tables.push_back(&all);
  for (StatsTable* t : tables) hide_small(*t, min_cell);
  const size_t n_weeks = all.week_totals.size();
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t w = 0; w < n_weeks; ++w) {
      for (StatsTable* t : tables) changed = protect_week(*t, w) || changed;
      for (size_t r = 0; r < all.values.size(); ++r) {
        std::vector<Shown*> countries;
        for (StatsTable& p : parts) countries.push_back(&p.cells[r][w]);
        changed = protect_line(countries, &all.cells[r][w]) || changed;
      }
      std::vector<Shown*> totals;
      for (StatsTable& p : parts) totals.push_back(&p.week_totals[w]);
      changed = protect_line(totals, &all.week_totals[w]) || changed;
    }
  }
  for (StatsTable* t : tables) derive_totals(*t);
}

std::string normalised_country(const std::string& country) {
  return country.empty() ? std::string(kUnknown) : country;
}

}  // namespace

void suppress(StatsTable& t, int min_cell) {
  hide_small(t, min_cell);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t w = 0; w < t.week_totals.size(); ++w) changed = protect_week(t, w) || changed;
  }
  derive_totals(t);
}

StatsReport build_report(const std::vector<StatCount>& counts, const ReportOptions& options) {
  auto range = week_range(options.from, options.to, std::numeric_limits<int>::max());
  StatsReport report;
  report.from = options.from;
  report.to = options.to;
  report.country = options.country;
  report.min_cell = options.min_cell;
  report.weeks = range ? *range : std::vector<std::string>{};
  std::map<std::string, size_t> week_index;
  for (size_t i = 0; i < report.weeks.size(); ++i) week_index[report.weeks[i]] = i;

  // Every country's counts and all of them, each view suppressed with the
  // others (rule 4), so that no view subtracted from another tells more.
  std::map<std::string, std::vector<const StatCount*>> by_country;
  std::vector<const StatCount*> every;
  for (const StatCount& c : counts) {
    by_country[normalised_country(c.country)].push_back(&c);
    every.push_back(&c);
  }
  if (!options.country.empty()) by_country[options.country];  // present, if only as zeros
  std::vector<std::string> countries;
  std::vector<Sums> country_sums;
  for (const auto& [country, mine] : by_country) {
    countries.push_back(country);
    country_sums.push_back(sums_of(mine, week_index));
  }
  const Sums all_sums = sums_of(every, week_index);
  for (const MetricInfo& info : metrics()) {
    std::set<std::string> found;
    if (auto m = all_sums.find(info.metric); m != all_sums.end())
      for (const auto& [value, unused] : m->second) found.insert(value);
    const std::vector<std::string> values = row_values(&info, found);
    std::vector<StatsTable> parts;
    for (const Sums& sums : country_sums) parts.push_back(raw_table(info, values, report.weeks.size(), sums));
    StatsTable all = raw_table(info, values, report.weeks.size(), all_sums);
    suppress_jointly(parts, all, options.min_cell);
    if (options.country.empty()) {
      report.tables.push_back(std::move(all));
    } else {
      const size_t i = static_cast<size_t>(std::find(countries.begin(), countries.end(), options.country) -
                                           countries.begin());
      report.tables.push_back(std::move(parts[i]));
    }
  }
  return report;
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
