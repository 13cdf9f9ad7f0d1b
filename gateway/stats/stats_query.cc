#include "gateway/stats/stats_query.h"

#include <algorithm>

#include "gateway/stats/iso_week.h"
#include "gateway/stats/stat_keys.h"

namespace gw::stats {

std::vector<std::string> country_choices(const std::vector<std::string>& countries) {
  std::vector<std::string> out = countries;
  out.emplace_back(kOther);
  out.emplace_back(kUnknown);
  return out;
}

namespace {

Result<std::string> week_param(const char* name, const std::string& text) {
  auto week = parse_week(text);
  if (!week) return Error::invalid(std::string(name) + ": " + week.error().message);
  return week;
}

}  // namespace

Result<ReportOptions> report_options(const std::string& from, const std::string& to,
                                     const std::string& country, const std::vector<std::string>& countries,
                                     int min_cell, TimePoint now) {
  ReportOptions o;
  o.min_cell = min_cell;
  if (to.empty()) {
    o.to = iso_week(now);
  } else {
    auto w = week_param("to", to);
    if (!w) return w.error();
    o.to = *w;
  }
  if (from.empty()) {
    o.from = add_weeks(o.to, -(kDefaultWeeks - 1));
  } else {
    auto w = week_param("from", from);
    if (!w) return w.error();
    o.from = *w;
  }
  if (auto range = week_range(o.from, o.to, kMaxWeeks); !range) return range.error();
  if (!country.empty() && country != "all") {
    const std::vector<std::string> choices = country_choices(countries);
    if (std::find(choices.begin(), choices.end(), country) == choices.end()) {
      std::string list;
      for (const std::string& c : choices) {
        if (!list.empty()) list += ", ";
        list += c;
      }
      return Error::invalid("country: must be \"all\" or one of " + list);
    }
    o.country = country;
  }
  return o;
}

Result<StatsReport> read_report(Store& store, const ReportOptions& options) {
  auto counts = store.read_stats(options.from, options.to);
  if (!counts) return counts.error();
  return build_report(*counts, options);
}

}  // namespace gw::stats
