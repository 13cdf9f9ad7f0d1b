// Reports: sums per metric, value and week; suppression rules 1 to 3 on
// hand-made tables; every country and each country suppressed together; merging.
#include "gateway/stats/stats_report.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "gateway/stats/stat_keys.h"
#include "gateway/stats/stats_format.h"
#include "tests/stats/worked_example.h"

using gw::StatCount;
using gw::stats::Shown;
using gw::stats::StatsReport;
using gw::stats::StatsTable;

namespace {

const StatsTable& table_of(const StatsReport& r, const std::string& metric) {
  for (const StatsTable& t : r.tables)
    if (t.metric == metric) return t;
  FAIL("no table " << metric);
  throw std::logic_error("unreachable");
}

gw::stats::ReportOptions options(const std::string& from, const std::string& to, const std::string& country,
                                 int k = 11) {
  gw::stats::ReportOptions o;
  o.from = from;
  o.to = to;
  o.country = country;
  o.min_cell = k;
  return o;
}

// A table of shown counts (week totals their sums), before suppress().
StatsTable raw_table(const std::vector<std::vector<int64_t>>& cells) {
  StatsTable t;
  t.metric = "topic";
  for (size_t r = 0; r < cells.size(); ++r) {
    t.values.push_back(std::string("v").append(std::to_string(r)));
    t.cells.emplace_back(cells[r].begin(), cells[r].end());
    t.row_totals.push_back(int64_t{0});
  }
  for (size_t w = 0; w < cells.at(0).size(); ++w) {
    int64_t sum = 0;
    for (const auto& row : cells) sum += row[w];
    t.week_totals.push_back(sum);
  }
  t.total = int64_t{0};
  return t;
}

const Shown H = std::nullopt;  // hidden
Shown S(int64_t v) {
  return v;
}

}  // namespace

TEST_CASE("build_report sums one country's counts per metric, value and week, closed rows in order",
          "[stats]") {
  std::vector<StatCount> counts = {
      {"2026-W48", "GB", "conversations.channel", "whatsapp", 20},
      {"2026-W48", "GB", "conversations.channel", "whatsapp", 5},
      {"2026-W49", "GB", "conversations.channel", "sms", 30},
      {"2026-W49", "IT", "conversations.channel", "sms", 1000},    // another country
      {"2026-W47", "GB", "conversations.channel", "sms", 1000},    // another week
      {"2026-W49", "GB", "conversations.channel", "carrier", 50},  // not in the closed set
      {"2026-W49", "GB", "no.such.metric", "x", 50},               // unknown metric
      {"2026-W48", "GB", "topic", "work", 40},
      {"2026-W49", "GB", "topic", "rights", 12},
      {"2026-W49", "GB", "topic", "rights", -20},  // a negative sum shows 0
      {"2026-W47", "GB", "topic", "aaa", 30},      // found only before the period
  };
  StatsReport r = gw::stats::build_report(counts, options("2026-W48", "2026-W49", "GB"));
  CHECK(r.country == "GB");
  CHECK(r.from == "2026-W48");
  CHECK(r.to == "2026-W49");
  CHECK(r.weeks == std::vector<std::string>{"2026-W48", "2026-W49"});
  REQUIRE(r.tables.size() == gw::stats::metrics().size());
  for (size_t i = 0; i < r.tables.size(); ++i) CHECK(r.tables[i].metric == gw::stats::metrics()[i].metric);

  const StatsTable& channel = table_of(r, "conversations.channel");
  CHECK(channel.title == "Conversations started, by channel");
  CHECK(channel.values == std::vector<std::string>{"sms", "whatsapp", "telegram", "web"});
  CHECK(channel.cells ==
        std::vector<std::vector<Shown>>{{S(0), S(30)}, {S(25), S(0)}, {S(0), S(0)}, {S(0), S(0)}});
  CHECK(channel.row_totals == std::vector<Shown>{S(30), S(25), S(0), S(0)});
  CHECK(channel.week_totals == std::vector<Shown>{S(25), S(30)});
  CHECK(channel.total == S(55));

  const StatsTable& topic = table_of(r, "topic");
  CHECK(topic.values == std::vector<std::string>{"rights", "work"});
  CHECK(topic.cells == std::vector<std::vector<Shown>>{{S(0), S(0)}, {S(40), S(0)}});
  CHECK(topic.total == S(40));
  CHECK(table_of(r, "conversations.language").values.empty());
  CHECK(table_of(r, "indicator").values.size() == 11);
}

TEST_CASE("build_report counts a count without a country under unknown", "[stats]") {
  std::vector<StatCount> counts = {{"2026-W49", "", "consent", "given", 12},
                                   {"2026-W49", "unknown", "consent", "given", 3}};
  StatsReport r = gw::stats::build_report(counts, options("2026-W49", "2026-W49", "unknown"));
  CHECK(table_of(r, "consent").cells[0][0] == S(15));
  StatsReport all = gw::stats::build_report(counts, options("2026-W49", "2026-W49", ""));
  CHECK(all.country.empty());
  CHECK(table_of(all, "consent").cells[0][0] == S(15));
}

TEST_CASE("build_report without any count shows every closed row at zero and no open row", "[stats]") {
  for (const std::string country : {"", "GB"}) {
    StatsReport r = gw::stats::build_report({}, options("2026-W45", "2026-W49", country));
    CHECK(r.country == country);
    REQUIRE(r.tables.size() == gw::stats::metrics().size());
    for (size_t i = 0; i < r.tables.size(); ++i) {
      const StatsTable& t = r.tables[i];
      CHECK(t.values == gw::stats::metrics()[i].values);
      for (const auto& row : t.cells) CHECK(row == std::vector<Shown>(5, S(0)));
      CHECK(t.week_totals == std::vector<Shown>(5, S(0)));
      CHECK(t.total == S(0));
    }
  }
}

TEST_CASE("suppress hides 1 to k-1, then the smallest other non-zero count of a week with one hidden",
          "[stats]") {
  // Week 0: 3 is small; 11 and 11 tie, the first row's goes. Week 1: nothing small.
  // Week 2: 2 and 4 are small (two hidden already). Week 3: the total is small.
  StatsTable t = raw_table({{3, 20, 2, 1}, {11, 30, 4, 0}, {11, 0, 50, 0}, {40, 12, 0, 0}});
  gw::stats::suppress(t, 11);
  CHECK(t.cells ==
        std::vector<std::vector<Shown>>{
            {H, S(20), H, H}, {H, S(30), H, S(0)}, {S(11), S(0), S(50), S(0)}, {S(40), S(12), S(0), S(0)}});
  CHECK(t.week_totals == std::vector<Shown>{S(65), S(62), S(56), H});
  // Rule 3: a row total only when its whole row is shown; the grand total only with every week total.
  CHECK(t.row_totals == std::vector<Shown>{H, H, S(61), S(52)});
  CHECK(t.total == H);
}

TEST_CASE("suppress hides a week total rather than let the one hidden count equal it", "[stats]") {
  // Only possible when parts were merged: the week's counts are hidden or 0 but one.
  StatsTable t = raw_table({{0, 12}, {0, 20}});
  t.cells[0][0].reset();  // hidden in a part
  t.week_totals[0] = 30;
  gw::stats::suppress(t, 11);
  CHECK(t.week_totals[0] == H);
  CHECK(t.cells[1][0] == S(0));
  CHECK(t.total == H);
}

TEST_CASE("suppress keeps already hidden totals hidden and leaves a clean table alone", "[stats]") {
  StatsTable t = raw_table({{12, 0}, {20, 13}});
  StatsTable clean = t;
  gw::stats::suppress(clean, 11);
  CHECK(clean.row_totals == std::vector<Shown>{S(12), S(33)});
  CHECK(clean.total == S(45));
  t.row_totals[0].reset();
  t.total.reset();
  gw::stats::suppress(t, 11);
  CHECK(t.row_totals == std::vector<Shown>{H, S(33)});
  CHECK(t.total == H);
}

TEST_CASE(
    "every country's report and each country's are suppressed together, and a small count of one "
    "country does not hide the sum of all",
    "[stats]") {
  // English this week: 50 in GB, 30 in IT, 3 of unknown country.
  const std::vector<StatCount> counts = {{"2026-W49", "GB", "conversations.language", "en", 50},
                                         {"2026-W49", "IT", "conversations.language", "en", 30},
                                         {"2026-W49", "", "conversations.language", "en", 3},
                                         {"2026-W49", "GB", "conversations.language", "ar", 40},
                                         {"2026-W49", "IT", "conversations.language", "ar", 20}};
  const auto lang = [&](const std::string& country) {
    return table_of(gw::stats::build_report(counts, options("2026-W49", "2026-W49", country)),
                    "conversations.language");
  };
  const StatsTable all = lang("");
  const StatsTable gb = lang("GB");
  const StatsTable it = lang("IT");
  const StatsTable unknown = lang("unknown");
  REQUIRE(all.values == std::vector<std::string>{"ar", "en"});
  REQUIRE(gb.values == all.values);
  // All countries: the true sums, though a part is hidden.
  CHECK(all.cells[0] == std::vector<Shown>{S(60)});
  CHECK(all.cells[1] == std::vector<Shown>{S(83)});
  CHECK(all.week_totals == std::vector<Shown>{S(143)});
  // The 3 is hidden, and so is the smallest other English count (IT's 30), so that
  // all − GB − IT cannot give it; likewise IT's week total (50, the smallest
  // beside the unknown country's hidden 3), so that it is not all − GB − 3. IT's
  // week then has two hidden figures (English and its total): its Arabic stays.
  CHECK(unknown.cells[1] == std::vector<Shown>{H});
  CHECK(unknown.week_totals == std::vector<Shown>{H});
  CHECK(it.cells[1] == std::vector<Shown>{H});
  CHECK(it.week_totals == std::vector<Shown>{H});
  CHECK(it.cells[0] == std::vector<Shown>{S(20)});
  CHECK(gb.cells == std::vector<std::vector<Shown>>{{S(40)}, {S(50)}});
  CHECK(gb.week_totals == std::vector<Shown>{S(90)});
  // Whatever is shown adds up where everything is shown, and no shown count is small.
  for (const StatsTable* t : {&all, &gb, &it, &unknown})
    for (const auto& row : t->cells)
      for (const Shown& c : row) CHECK((!c || *c == 0 || *c >= 11));
}

TEST_CASE("no (value, week) of every country has exactly one hidden count among the countries and all",
          "[stats]") {
  std::mt19937 rng(20261205);
  const std::vector<std::string> countries = {"GB", "IT", "", "other", "FR"};
  const std::vector<std::string> weeks = {"2026-W46", "2026-W47", "2026-W48", "2026-W49"};
  for (int round = 0; round < 40; ++round) {
    std::vector<StatCount> counts;
    const int n = std::uniform_int_distribution<int>(0, 120)(rng);
    for (int i = 0; i < n; ++i) {
      const auto& m = gw::stats::metrics()[rng() % gw::stats::metrics().size()];
      const std::string value =
          m.values.empty() ? "v" + std::to_string(rng() % 5) : m.values[rng() % m.values.size()];
      counts.push_back({weeks[rng() % weeks.size()], countries[rng() % countries.size()], m.metric, value,
                        std::uniform_int_distribution<int64_t>(1, 25)(rng)});
    }
    const int k = round % 2 ? 5 : 11;
    INFO("round " << round);
    const StatsReport all = gw::stats::build_report(counts, options("2026-W46", "2026-W49", "", k));
    CHECK(all.country.empty());
    std::vector<StatsReport> parts;
    for (const std::string c : {"FR", "GB", "IT", "other", "unknown"})
      parts.push_back(gw::stats::build_report(counts, options("2026-W46", "2026-W49", c, k)));
    for (size_t m = 0; m < all.tables.size(); ++m) {
      const StatsTable& a = all.tables[m];
      for (size_t r = 0; r < a.values.size(); ++r)
        for (size_t w = 0; w < weeks.size(); ++w) {
          int hidden = a.cells[r][w] ? 0 : 1;
          int64_t sum = 0;
          for (const StatsReport& p : parts) {
            REQUIRE(p.tables[m].values == a.values);
            const Shown& c = p.tables[m].cells[r][w];
            hidden += c ? 0 : 1;
            sum += c.value_or(0);
          }
          CHECK(hidden != 1);
          if (hidden == 0) CHECK(*a.cells[r][w] == sum);
        }
    }
  }
}

TEST_CASE("merge_reports of the three exports of docs/statistics.md gives the documented result", "[stats]") {
  std::vector<StatsReport> parts;
  for (const char* text :
       {gw::testing::kExampleExportA, gw::testing::kExampleExportB, gw::testing::kExampleExportC}) {
    auto part = gw::stats::report_from_json(nlohmann::json::parse(text));
    INFO((part.ok() ? "" : part.error().message));
    REQUIRE(part.ok());
    parts.push_back(*part);
  }
  auto merged = gw::stats::merge_reports(parts, 15);
  REQUIRE(merged.ok());
  CHECK(gw::stats::report_to_json(*merged) == nlohmann::ordered_json::parse(gw::testing::kExampleMerged));
  // With k = 11 (every part's), the sums of shown counts are shown and nothing more is hidden.
  auto at_11 = gw::stats::merge_reports(parts, 11);
  REQUIRE(at_11.ok());
  CHECK(at_11->min_cell == 11);
  CHECK(at_11->tables[0].cells[1] == std::vector<Shown>{S(55), S(14)});
  CHECK(at_11->tables[0].row_totals[1] == S(69));
  CHECK(at_11->tables[0].cells[3] == std::vector<Shown>{S(12), H});
}

TEST_CASE("merge_reports refuses parts of other weeks, naming the part, or no part at all", "[stats]") {
  StatsReport a = gw::stats::build_report({}, options("2026-W45", "2026-W49", "GB"));
  StatsReport b = gw::stats::build_report({}, options("2026-W46", "2026-W49", "IT"));
  auto r = gw::stats::merge_reports({a, a, b}, 11);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
  CHECK(r.error().message.find("report 2") != std::string::npos);
  CHECK_FALSE(gw::stats::merge_reports({}, 11).ok());
  auto same = gw::stats::merge_reports({a, a}, 11);
  REQUIRE(same.ok());
  CHECK(same->country == "GB");
  auto mixed =
      gw::stats::merge_reports({a, gw::stats::build_report({}, options("2026-W45", "2026-W49", "IT"))}, 11);
  REQUIRE(mixed.ok());
  CHECK(mixed->country.empty());
}
