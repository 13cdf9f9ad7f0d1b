// The JSON and CSV forms of a report, and the strict reading of the JSON form
// (what `gateway stats merge` takes from other organisations' files).
#include "gateway/stats/stats_format.h"

#include <cctype>
#include <set>

#include "gateway/stats/iso_week.h"

namespace gw::stats {
namespace {

constexpr const char* kFormat = "helpline-gateway-stats";
constexpr int kVersion = 1;
constexpr size_t kMaxWeeks = 520;
constexpr size_t kMaxTables = 64;
constexpr size_t kMaxRows = 10000;
constexpr size_t kMaxValueBytes = 128;
constexpr size_t kMaxTitleBytes = 256;
constexpr int kMaxMinCell = 1000000;
// Every count of a file, totals included, is at most this, so that sums of many
// files stay far from overflowing.
constexpr int64_t kMaxCount = 1000000000000;  // 10^12

template <class Json>
Json count_json(const Shown& v, const std::string& mark) {
  return v ? Json(*v) : Json(mark);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

// A value of the input as an error message shows it: bounded, and printable.
std::string shown(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 40) + "...";
  return s;
}

struct Invalid {
  std::string path;
  std::string message;
};

// The strict reader: throws Invalid at the first problem.
class Reader {
 public:
  StatsReport read(const nlohmann::json& j) {
    object(j, "$",
           {"format", "version", "from", "to", "country", "min_cell", "suppressed", "weeks", "tables"});
    const auto& format = member(j, "$", "format");
    if (format != kFormat) fail("$.format", shown(format) + " is not \"" + kFormat + "\"");
    const auto& version = member(j, "$", "version");
    if (!version.is_number_integer() || version.get<int64_t>() != kVersion)
      fail("$.version", shown(version) + " is not a version this gateway reads (1)");
    StatsReport r;
    r.from = week(member(j, "$", "from"), "$.from");
    r.to = week(member(j, "$", "to"), "$.to");
    const std::string country = text(member(j, "$", "country"), "$.country", 16);
    if (country.empty()) fail("$.country", "is empty (\"all\" stands for every country)");
    for (char c : country)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
        fail("$.country", shown(country) + " is not a country code, \"other\", \"unknown\" or \"all\"");
    r.country = country == "all" ? "" : country;
    const auto& k = member(j, "$", "min_cell");
    if (!k.is_number_integer() || k.get<int64_t>() < 5 || k.get<int64_t>() > kMaxMinCell)
      fail("$.min_cell", shown(k) + " is not a whole number from 5 to " + std::to_string(kMaxMinCell));
    r.min_cell = k.get<int>();
    mark_ = suppression_mark(r.min_cell);
    if (member(j, "$", "suppressed") != mark_)
      fail("$.suppressed", shown(j["suppressed"]) + " is not \"" + mark_ + "\" (min_cell " +
                               std::to_string(r.min_cell) + ")");
    if (r.from > r.to) fail("$.to", r.to + " is before " + r.from);
    auto range = week_range(r.from, r.to, static_cast<int>(kMaxWeeks));
    if (!range) fail("$.to", range.error().message);
    const auto& weeks = array(member(j, "$", "weeks"), "$.weeks", kMaxWeeks);
    if (weeks.size() != range->size())
      fail("$.weeks", "has " + std::to_string(weeks.size()) + " weeks, but " + r.from + " to " + r.to +
                          " are " + std::to_string(range->size()));
    for (size_t i = 0; i < weeks.size(); ++i)
      if (weeks[i] != (*range)[i]) fail(item("$.weeks", i), shown(weeks[i]) + " is not " + (*range)[i]);
    r.weeks = *range;
    min_cell_ = r.min_cell;
    n_weeks_ = r.weeks.size();
    const auto& tables = array(member(j, "$", "tables"), "$.tables", kMaxTables);
    std::set<std::string> metrics;
    for (size_t i = 0; i < tables.size(); ++i) {
      r.tables.push_back(table(tables[i], item("$.tables", i)));
      if (!metrics.insert(r.tables.back().metric).second)
        fail(item("$.tables", i) + ".metric", shown(r.tables.back().metric) + " has a table already");
    }
    return r;
  }

 private:
  [[noreturn]] static void fail(std::string path, std::string message) {
    throw Invalid{std::move(path), std::move(message)};
  }
  static std::string item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

  static void object(const nlohmann::json& j, const std::string& path,
                     std::initializer_list<const char*> keys) {
    if (!j.is_object()) fail(path, "is not an object");
    for (const auto& [key, unused] : j.items()) {
      bool known = false;
      for (const char* k : keys) known = known || key == k;
      if (!known) fail(path, "has an unknown key " + shown(key));
    }
    for (const char* k : keys)
      if (!j.contains(k)) fail(path, std::string("has no \"") + k + "\"");
  }
  static const nlohmann::json& member(const nlohmann::json& j, const std::string&, const char* key) {
    return j.at(key);  // present: object() checked
  }
  static const nlohmann::json& array(const nlohmann::json& j, const std::string& path, size_t max) {
    if (!j.is_array()) fail(path, "is not an array");
    if (j.size() > max) fail(path, "has more than " + std::to_string(max) + " elements");
    return j;
  }
  static std::string text(const nlohmann::json& j, const std::string& path, size_t max_bytes) {
    if (!j.is_string()) fail(path, shown(j) + " is not a string");
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() > max_bytes) fail(path, "is longer than " + std::to_string(max_bytes) + " bytes");
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail(path, "holds a control character");
    return s;
  }
  static std::string week(const nlohmann::json& j, const std::string& path) {
    const std::string s = text(j, path, 8);
    auto parsed = parse_week(s);
    if (!parsed || *parsed != s) fail(path, shown(j) + " is not an ISO week (2026-W49)");
    return s;
  }

  // A count: a number from 0 (not 1 to k-1), or the mark.
  Shown count(const nlohmann::json& j, const std::string& path) const {
    if (j.is_string()) {
      if (j != mark_) fail(path, shown(j) + " is not a count or the mark \"" + mark_ + "\"");
      return std::nullopt;
    }
    if (!j.is_number_integer()) fail(path, shown(j) + " is not a whole number or \"" + mark_ + "\"");
    if (j.is_number_unsigned() ? j.get<uint64_t>() > static_cast<uint64_t>(kMaxCount)
                               : (j.get<int64_t>() < 0 || j.get<int64_t>() > kMaxCount))
      fail(path, shown(j) + " is not a count from 0 to " + std::to_string(kMaxCount));
    const int64_t v = j.get<int64_t>();
    if (v >= 1 && v < min_cell_)
      fail(path, std::to_string(v) + " is shown, but a count from 1 to " + std::to_string(min_cell_ - 1) +
                     " never is (it is \"" + mark_ + "\")");
    return v;
  }
  std::vector<Shown> counts(const nlohmann::json& j, const std::string& path) const {
    const auto& a = array(j, path, kMaxWeeks);
    if (a.size() != n_weeks_)
      fail(path, "has " + std::to_string(a.size()) + " counts for " + std::to_string(n_weeks_) + " weeks");
    std::vector<Shown> out;
    for (size_t i = 0; i < a.size(); ++i) out.push_back(count(a[i], item(path, i)));
    return out;
  }

  StatsTable table(const nlohmann::json& j, const std::string& path) const {
    object(j, path, {"metric", "title", "rows", "total"});
    StatsTable t;
    t.metric = text(j["metric"], path + ".metric", kMaxValueBytes);
    if (t.metric.empty()) fail(path + ".metric", "is empty");
    t.title = text(j["title"], path + ".title", kMaxTitleBytes);
    const std::string rows_path = path + ".rows";
    const auto& rows = array(j["rows"], rows_path, kMaxRows);
    std::set<std::string> values;
    for (size_t r = 0; r < rows.size(); ++r) {
      const std::string row_path = item(rows_path, r);
      object(rows[r], row_path, {"value", "weeks", "total"});
      std::string value = text(rows[r]["value"], row_path + ".value", kMaxValueBytes);
      if (!values.insert(value).second) fail(row_path + ".value", shown(value) + " has a row already");
      t.values.push_back(std::move(value));
      t.cells.push_back(counts(rows[r]["weeks"], row_path + ".weeks"));
      t.row_totals.push_back(count(rows[r]["total"], row_path + ".total"));
      check_total(t.cells.back(), t.row_totals.back(), row_path + ".total", "of its row");
    }
    const std::string total_path = path + ".total";
    object(j["total"], total_path, {"weeks", "total"});
    t.week_totals = counts(j["total"]["weeks"], total_path + ".weeks");
    t.total = count(j["total"]["total"], total_path + ".total");
    // Each week total against its week's counts (rules 2 and 1).
    for (size_t w = 0; w < n_weeks_; ++w) {
      if (!t.week_totals[w]) continue;
      int64_t sum = 0;
      size_t hidden = 0;
      for (const auto& row : t.cells) row[w] ? void(sum += *row[w]) : void(++hidden);
      const std::string wpath = item(total_path + ".weeks", w);
      if (hidden == 0 && sum != *t.week_totals[w])
        fail(wpath, std::to_string(*t.week_totals[w]) + " is not the sum of its week's counts (" +
                        std::to_string(sum) + ")");
      if (hidden > 0 && sum > *t.week_totals[w])
        fail(wpath, std::to_string(*t.week_totals[w]) + " is less than its week's shown counts (" +
                        std::to_string(sum) + ")");
      if (hidden == 1) fail(wpath, "is shown while exactly one count of its week is hidden");
    }
    check_total(t.week_totals, t.total, total_path + ".total", "of the week totals");
    // The row totals against the grand total.
    bool rows_shown = true;
    int64_t rows_sum = 0;
    for (const Shown& rt : t.row_totals) rt ? void(rows_sum += *rt) : void(rows_shown = false);
    if (t.total && rows_shown && rows_sum != *t.total)
      fail(total_path + ".total",
           std::to_string(*t.total) + " is not the sum of the row totals (" + std::to_string(rows_sum) + ")");
    return t;
  }

  // A total is shown only when every count it sums is shown (rule 3), and is their sum.
  static void check_total(const std::vector<Shown>& parts, const Shown& total, const std::string& path,
                          const std::string& what) {
    if (!total) return;
    int64_t sum = 0;
    for (const Shown& p : parts) {
      if (!p) fail(path, "is shown while a count " + what + " is hidden");
      sum += *p;
    }
    if (sum != *total)
      fail(path, std::to_string(*total) + " is not the sum " + what + " (" + std::to_string(sum) + ")");
  }

  std::string mark_;
  int min_cell_ = 11;
  size_t n_weeks_ = 0;
};

}  // namespace

std::string suppression_mark(int min_cell) {
  return std::string("<").append(std::to_string(min_cell));
}

nlohmann::ordered_json report_to_json(const StatsReport& r) {
  using J = nlohmann::ordered_json;
  const std::string mark = suppression_mark(r.min_cell);
  auto counts = [&](const std::vector<Shown>& v) {
    J a = J::array();
    for (const Shown& c : v) a.push_back(count_json<J>(c, mark));
    return a;
  };
  J tables = J::array();
  for (const StatsTable& t : r.tables) {
    J rows = J::array();
    for (size_t i = 0; i < t.values.size(); ++i)
      rows.push_back(J{{"value", t.values[i]},
                       {"weeks", counts(t.cells[i])},
                       {"total", count_json<J>(t.row_totals[i], mark)}});
    tables.push_back(
        J{{"metric", t.metric},
          {"title", t.title},
          {"rows", std::move(rows)},
          {"total", J{{"weeks", counts(t.week_totals)}, {"total", count_json<J>(t.total, mark)}}}});
  }
  return J{{"format", kFormat},
           {"version", kVersion},
           {"from", r.from},
           {"to", r.to},
           {"country", r.country.empty() ? std::string("all") : r.country},
           {"min_cell", r.min_cell},
           {"suppressed", mark},
           {"weeks", r.weeks},
           {"tables", std::move(tables)}};
}

std::string report_to_csv(const StatsReport& r) {
  const std::string mark = suppression_mark(r.min_cell);
  std::string out = "metric,value,week,count\r\n";
  auto line = [&](const std::string& metric, const std::string& value, const std::string& week,
                  const Shown& c) {
    out += csv_field(metric) + "," + csv_field(value) + "," + csv_field(week) + "," +
           (c ? std::to_string(*c) : mark) + "\r\n";
  };
  for (const StatsTable& t : r.tables) {
    for (size_t i = 0; i < t.values.size(); ++i) {
      for (size_t w = 0; w < r.weeks.size(); ++w) line(t.metric, t.values[i], r.weeks[w], t.cells[i][w]);
      line(t.metric, t.values[i], "total", t.row_totals[i]);
    }
    for (size_t w = 0; w < r.weeks.size(); ++w) line(t.metric, "total", r.weeks[w], t.week_totals[w]);
    line(t.metric, "total", "total", t.total);
  }
  return out;
}

Result<StatsReport> report_from_json(const nlohmann::json& j) {
  try {
    return Reader().read(j);
  } catch (const Invalid& e) {
    return Error::invalid(e.path + ": " + e.message);
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string("$: ") + e.what());
  }
}

}  // namespace gw::stats
