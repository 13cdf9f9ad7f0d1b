// Suppression as an attacker meets it: no output ever shows a count from 1 to
// k-1, and an attacker who solves every line (row, week, totals) with a single
// unknown, also across the reports of two periods ending the same week, never
// recovers a hidden count, while the same attacker does against tables with
// primary suppression only.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "gateway/stats/iso_week.h"
#include "gateway/stats/stats_format.h"
#include "gateway/stats/stats_report.h"

using gw::StatCount;
using gw::stats::Shown;
using gw::stats::StatsReport;
using gw::stats::StatsTable;

namespace {

// Linear equations sum(coef * x) = 0 over named unknowns, solved by peeling:
// an equation with exactly one unknown left gives it; repeated until stuck.
class Attacker {
 public:
  int var(const std::string& name) {
    auto [it, added] = index_.emplace(name, static_cast<int>(known_.size()));
    if (added) known_.emplace_back();
    return it->second;
  }
  void know(const std::string& name, const Shown& v) {
    if (v) known_[var(name)] = *v;
  }
  void equation(std::vector<std::pair<std::string, int>> terms) {
    std::vector<std::pair<int, int>> eq;
    for (auto& [name, coef] : terms) eq.emplace_back(var(name), coef);
    equations_.push_back(std::move(eq));
  }
  void peel() {
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& eq : equations_) {
        int unknown = -1, n_unknown = 0, coef = 0;
        int64_t sum = 0;
        for (const auto& [v, c] : eq) {
          if (known_[v]) {
            sum += c * *known_[v];
          } else if (v != unknown) {
            ++n_unknown;
            unknown = v;
            coef = c;
          }
        }
        if (n_unknown != 1) continue;
        known_[unknown] = -sum / coef;
        changed = true;
      }
    }
  }
  std::optional<int64_t> value(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? std::nullopt : known_[it->second];
  }

  // Everything one table of a report says: its shown entries and the lines
  // they sum on. Cells and week totals are named by `ns`, value and week (the
  // same in the reports of any period of one country), row totals and the
  // grand total by `id` as well.
  void read(const StatsTable& t, const std::vector<std::string>& weeks, const std::string& id,
            const std::string& ns = "") {
    std::vector<std::pair<std::string, int>> totals_column, totals_row;
    for (size_t r = 0; r < t.values.size(); ++r) {
      std::vector<std::pair<std::string, int>> row;
      for (size_t w = 0; w < weeks.size(); ++w) {
        know(cell(t.values[r], weeks[w], ns), t.cells[r][w]);
        row.emplace_back(cell(t.values[r], weeks[w], ns), 1);
      }
      know(row_total(id, t.values[r]), t.row_totals[r]);
      row.emplace_back(row_total(id, t.values[r]), -1);
      equation(row);
      totals_column.emplace_back(row_total(id, t.values[r]), 1);
    }
    for (size_t w = 0; w < weeks.size(); ++w) {
      std::vector<std::pair<std::string, int>> column;
      for (const std::string& v : t.values) column.emplace_back(cell(v, weeks[w], ns), 1);
      know(week_total(weeks[w], ns), t.week_totals[w]);
      column.emplace_back(week_total(weeks[w], ns), -1);
      equation(column);
      totals_row.emplace_back(week_total(weeks[w], ns), 1);
    }
    know(grand(id), t.total);
    totals_column.emplace_back(grand(id), -1);
    totals_row.emplace_back(grand(id), -1);
    equation(totals_column);
    equation(totals_row);
  }

  // A long period's report `a` and a shorter one `b` ending the same week:
  // a row total of a minus b's is the row's sum over the weeks only a has.
  void subtract(const StatsTable& a, const std::vector<std::string>& a_weeks, const StatsTable& b,
                const std::vector<std::string>& b_weeks) {
    const size_t only_a = a_weeks.size() - b_weeks.size();
    for (const std::string& v : a.values) {
      std::vector<std::pair<std::string, int>> eq = {{row_total("a", v), 1}, {row_total("b", v), -1}};
      if (std::find(b.values.begin(), b.values.end(), v) == b.values.end())
        know(row_total("b", v), int64_t{0});
      for (size_t w = 0; w < only_a; ++w) eq.emplace_back(cell(v, a_weeks[w]), -1);
      equation(eq);
    }
    std::vector<std::pair<std::string, int>> eq = {{grand("a"), 1}, {grand("b"), -1}};
    for (size_t w = 0; w < only_a; ++w) eq.emplace_back(week_total(a_weeks[w]), -1);
    equation(eq);
  }

  // Every country's report `all` is the sum of the country reports `parts`
  // (read with ns and id = their country): every entry of it is the sum of theirs.
  void add_up(const StatsTable& all, const std::vector<std::pair<std::string, const StatsTable*>>& parts,
              const std::vector<std::string>& weeks) {
    auto has = [](const StatsTable& t, const std::string& v) {
      return std::find(t.values.begin(), t.values.end(), v) != t.values.end();
    };
    for (const std::string& v : all.values) {
      std::vector<std::pair<std::string, int>> row = {{row_total("all", v), 1}};
      for (const auto& [c, t] : parts) {
        if (!has(*t, v)) {
          know(row_total(c, v), int64_t{0});
          for (const std::string& w : weeks) know(cell(v, w, c), int64_t{0});
        }
        row.emplace_back(row_total(c, v), -1);
      }
      equation(row);
      for (const std::string& w : weeks) {
        std::vector<std::pair<std::string, int>> eq = {{cell(v, w, "all"), 1}};
        for (const auto& [c, t] : parts) eq.emplace_back(cell(v, w, c), -1);
        equation(eq);
      }
    }
    for (const std::string& w : weeks) {
      std::vector<std::pair<std::string, int>> eq = {{week_total(w, "all"), 1}};
      for (const auto& [c, t] : parts) eq.emplace_back(week_total(w, c), -1);
      equation(eq);
    }
    std::vector<std::pair<std::string, int>> eq = {{grand("all"), 1}};
    for (const auto& [c, t] : parts) eq.emplace_back(grand(c), -1);
    equation(eq);
  }

  static std::string cell(const std::string& v, const std::string& w, const std::string& ns = "") {
    return "cell " + ns + " " + v + " " + w;
  }
  static std::string week_total(const std::string& w, const std::string& ns = "") {
    return "week " + ns + " " + w;
  }
  static std::string row_total(const std::string& id, const std::string& v) { return "row " + id + " " + v; }
  static std::string grand(const std::string& id) { return "grand " + id; }

 private:
  std::map<std::string, int> index_;
  std::vector<std::optional<int64_t>> known_;
  std::vector<std::vector<std::pair<int, int>>> equations_;
};

struct Truth {
  std::vector<std::string> weeks;
  std::vector<std::string> values;
  std::vector<std::vector<int64_t>> cells;  // [row][week]
};

// A random table of topics: `rows` values over `weeks` weeks, a share of zeros
// and a mix of small and large counts (sizes of 0 are chosen at random).
Truth random_truth(std::mt19937& rng, int k, int n_weeks = 0, int n_rows = 0) {
  Truth t;
  if (n_weeks == 0) n_weeks = std::uniform_int_distribution<int>(2, 8)(rng);
  if (n_rows == 0) n_rows = std::uniform_int_distribution<int>(2, 10)(rng);
  const double zero_share = std::uniform_real_distribution<double>(0.05, 0.85)(rng);
  const double small_share = std::uniform_real_distribution<double>(0.1, 0.6)(rng);
  auto range = gw::stats::week_range("2026-W40", gw::stats::add_weeks("2026-W40", n_weeks - 1), 100);
  t.weeks = *range;
  for (int r = 0; r < n_rows; ++r) t.values.push_back("t" + std::to_string(r));
  std::uniform_real_distribution<double> u(0, 1);
  for (int r = 0; r < n_rows; ++r) {
    t.cells.emplace_back();
    for (int w = 0; w < n_weeks; ++w) {
      int64_t v = 0;
      if (u(rng) >= zero_share)
        v = u(rng) < small_share ? std::uniform_int_distribution<int64_t>(1, k - 1)(rng)
                                 : std::uniform_int_distribution<int64_t>(k, 4 * k)(rng);
      t.cells.back().push_back(v);
    }
  }
  return t;
}

std::vector<StatCount> counts_of(const Truth& t, const std::string& country = "GB") {
  std::vector<StatCount> counts;
  for (size_t r = 0; r < t.values.size(); ++r)
    for (size_t w = 0; w < t.weeks.size(); ++w)
      if (t.cells[r][w] > 0) counts.push_back({t.weeks[w], country, "topic", t.values[r], t.cells[r][w]});
  return counts;
}

StatsTable topic_table(const std::vector<StatCount>& counts, const std::string& from, const std::string& to,
                       int k, const std::string& country = "GB") {
  gw::stats::ReportOptions o;
  o.from = from;
  o.to = to;
  o.country = country;
  o.min_cell = k;
  for (const StatsTable& t : gw::stats::build_report(counts, o).tables)
    if (t.metric == "topic") return t;
  return {};
}

// The weeks from `first` on of a truth, hidden by primary suppression only
// (rules 1 and 3, no rule 2): what a careless implementation would show.
StatsTable primary_only(const Truth& truth, size_t first, int k) {
  StatsTable t;
  t.metric = "topic";
  auto shown = [k](int64_t v) { return v >= 1 && v < k ? Shown() : Shown(v); };
  std::vector<int64_t> week_sums(truth.weeks.size() - first, 0);
  for (size_t r = 0; r < truth.values.size(); ++r) {
    int64_t row_sum = 0;
    bool row_shown = true;
    std::vector<Shown> row;
    for (size_t w = first; w < truth.weeks.size(); ++w) {
      row.push_back(shown(truth.cells[r][w]));
      row_sum += truth.cells[r][w];
      row_shown = row_shown && row.back().has_value();
      week_sums[w - first] += truth.cells[r][w];
    }
    t.values.push_back(truth.values[r]);
    t.cells.push_back(row);
    t.row_totals.push_back(row_shown ? Shown(row_sum) : Shown());
  }
  bool all_shown = true;
  int64_t total = 0;
  for (int64_t s : week_sums) {
    t.week_totals.push_back(shown(s));
    all_shown = all_shown && t.week_totals.back().has_value();
    total += s;
  }
  t.total = all_shown ? Shown(total) : Shown();
  return t;
}

struct Outcome {
  int hidden = 0;     // hidden cells of the long period's report
  int recovered = 0;  // of those, how many the attacker worked out
  int wrong = 0;      // recovered with a value other than the truth
};

// Attacks report `a` (every week of the truth) together with `b` (from week
// `first` on) and counts what the attacker learns about a's hidden cells.
Outcome attack(const Truth& truth, const StatsTable& a, const StatsTable& b, size_t first) {
  Attacker attacker;
  const std::vector<std::string> b_weeks(truth.weeks.begin() + static_cast<long>(first), truth.weeks.end());
  attacker.read(a, truth.weeks, "a");
  attacker.read(b, b_weeks, "b");
  attacker.subtract(a, truth.weeks, b, b_weeks);
  attacker.peel();
  Outcome o;
  for (size_t r = 0; r < a.values.size(); ++r)
    for (size_t w = 0; w < truth.weeks.size(); ++w) {
      if (a.cells[r][w]) continue;
      ++o.hidden;
      auto v = attacker.value(Attacker::cell(a.values[r], truth.weeks[w]));
      if (!v) continue;
      ++o.recovered;
      const size_t row = static_cast<size_t>(
          std::find(truth.values.begin(), truth.values.end(), a.values[r]) - truth.values.begin());
      if (*v != truth.cells[row][w]) ++o.wrong;
    }
  return o;
}

// Every number of a report as JSON and as CSV, each parsed back.
std::vector<int64_t> numbers_shown(const StatsReport& r) {
  std::vector<int64_t> out;
  const nlohmann::json j = nlohmann::json::parse(gw::stats::report_to_json(r).dump());
  for (const auto& t : j["tables"]) {
    for (const auto& row : t["rows"]) {
      for (const auto& c : row["weeks"]) c.is_number() ? out.push_back(c.get<int64_t>()) : void();
      if (row["total"].is_number()) out.push_back(row["total"].get<int64_t>());
    }
    for (const auto& c : t["total"]["weeks"]) c.is_number() ? out.push_back(c.get<int64_t>()) : void();
    if (t["total"]["total"].is_number()) out.push_back(t["total"]["total"].get<int64_t>());
  }
  std::istringstream csv(gw::stats::report_to_csv(r));
  std::string line;
  std::getline(csv, line);
  const std::string mark = gw::stats::suppression_mark(r.min_cell);
  while (std::getline(csv, line)) {
    REQUIRE(line.back() == '\r');
    line.pop_back();
    const std::string last = line.substr(line.rfind(',') + 1);
    if (last == mark) continue;
    REQUIRE(last.find_first_not_of("0123456789") == std::string::npos);
    out.push_back(std::stoll(last));
  }
  return out;
}

}  // namespace

TEST_CASE("no report, as JSON or CSV, ever shows a count from 1 to k-1, for k = 11 and k = 5", "[stats]") {
  std::mt19937 rng(4242);
  for (int k : {11, 5}) {
    int numbers = 0;
    for (int round = 0; round < 150; ++round) {
      const Truth truth = random_truth(rng, k);
      std::vector<StatCount> counts = counts_of(truth);
      // Other metrics and countries too, so that every-country merges are exercised.
      for (const StatCount& c : std::vector<StatCount>(counts)) {
        counts.push_back(
            {c.week, rng() % 2 ? "IT" : "", "conversations.channel", rng() % 2 ? "sms" : "web", c.count % k});
        counts.push_back({c.week, "FR", "indicator", "deception", c.count / 2});
      }
      gw::stats::ReportOptions o;
      o.from = truth.weeks.front();
      o.to = truth.weeks.back();
      o.min_cell = k;
      for (const std::string country : {"", "GB", "IT", "unknown"}) {
        o.country = country;
        const StatsReport r = gw::stats::build_report(counts, o);
        for (int64_t v : numbers_shown(r)) {
          ++numbers;
          if (v >= 1 && v < k) FAIL("round " << round << " country '" << country << "' shows " << v);
        }
      }
    }
    CHECK(numbers > 10000);
  }
}

TEST_CASE("an attacker peeling rows, weeks, totals and two periods never recovers a hidden count",
          "[stats]") {
  std::mt19937 rng(20261205);
  int tables = 0, hidden = 0, primary_only_recovered = 0;
  for (int round = 0; round < 400; ++round) {
    const int k = round % 3 == 0 ? 5 : 11;
    const Truth truth = random_truth(rng, k);
    const std::vector<StatCount> counts = counts_of(truth);
    const size_t first = std::uniform_int_distribution<size_t>(1, truth.weeks.size() - 1)(rng);
    const StatsTable a = topic_table(counts, truth.weeks.front(), truth.weeks.back(), k);
    const StatsTable b = topic_table(counts, truth.weeks[first], truth.weeks.back(), k);
    INFO("round " << round << ", k " << k);
    const Outcome o = attack(truth, a, b, first);
    CHECK(o.recovered == 0);
    // The attacker alone on the long period's report.
    const Outcome alone = attack(truth, a, a, 0);
    CHECK(alone.recovered == 0);
    ++tables;
    hidden += o.hidden;

    // The same attacker against primary suppression only does find counts, and right ones.
    const Outcome careless = attack(truth, primary_only(truth, 0, k), primary_only(truth, first, k), first);
    CHECK(careless.wrong == 0);
    primary_only_recovered += careless.recovered;
  }
  CHECK(tables == 400);
  CHECK(hidden > 1000);
  CHECK(primary_only_recovered > 100);
}

TEST_CASE("an attacker with every country's report and each country's never recovers a hidden count",
          "[stats]") {
  std::mt19937 rng(31337);
  int hidden = 0, careless_recovered = 0;
  for (int round = 0; round < 200; ++round) {
    const int k = round % 3 == 0 ? 5 : 11;
    const std::vector<std::string> countries =
        round % 2 ? std::vector<std::string>{"GB", "IT"} : std::vector<std::string>{"FR", "GB", "IT"};
    const int n_weeks = std::uniform_int_distribution<int>(2, 6)(rng);
    const int n_rows = std::uniform_int_distribution<int>(2, 8)(rng);
    std::vector<StatCount> counts, as_one;
    for (const std::string& c : countries)
      for (const StatCount& sc : counts_of(random_truth(rng, k, n_weeks, n_rows), c)) {
        counts.push_back(sc);
        as_one.push_back(sc);
        as_one.back().country = "XX";
      }
    const std::vector<std::string> weeks =
        *gw::stats::week_range("2026-W40", gw::stats::add_weeks("2026-W40", n_weeks - 1), 100);
    std::vector<StatsTable> parts;
    for (const std::string& c : countries)
      parts.push_back(topic_table(counts, weeks.front(), weeks.back(), k, c));
    // `all` as the gateway makes it (rule 4: suppressed with the countries), or
    // summed and suppressed on its own.
    const StatsTable all = topic_table(counts, weeks.front(), weeks.back(), k, "");
    const StatsTable careless = topic_table(as_one, weeks.front(), weeks.back(), k, "XX");
    for (const StatsTable* every : {&all, &careless}) {
      Attacker attacker;
      attacker.read(*every, weeks, "all", "all");
      std::vector<std::pair<std::string, const StatsTable*>> named;
      for (size_t i = 0; i < countries.size(); ++i) {
        attacker.read(parts[i], weeks, countries[i], countries[i]);
        named.emplace_back(countries[i], &parts[i]);
      }
      attacker.add_up(*every, named, weeks);
      attacker.peel();
      int recovered = 0;
      for (size_t i = 0; i < countries.size(); ++i)
        for (size_t r = 0; r < parts[i].values.size(); ++r)
          for (size_t w = 0; w < weeks.size(); ++w)
            if (!parts[i].cells[r][w]) {
              hidden += every == &all ? 1 : 0;
              if (attacker.value(Attacker::cell(parts[i].values[r], weeks[w], countries[i]))) ++recovered;
            }
      for (size_t r = 0; r < every->values.size(); ++r)
        for (size_t w = 0; w < weeks.size(); ++w)
          if (!every->cells[r][w] && attacker.value(Attacker::cell(every->values[r], weeks[w], "all")))
            ++recovered;
      INFO("round " << round);
      if (every == &all) {
        CHECK(recovered == 0);
      } else {
        careless_recovered += recovered;
      }
    }
  }
  CHECK(hidden > 500);
  // Without rule 4 the same attacker does find counts: the proof that it can.
  CHECK(careless_recovered > 50);
}
