// ISO weeks: known weeks around year ends, parsing only canonical text, ranges.
#include "gateway/stats/iso_week.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "gateway/stats/stat_keys.h"

namespace {

gw::TimePoint at(int y, unsigned m, unsigned d, int hour = 12) {
  namespace c = std::chrono;
  return c::sys_days{c::year{y} / c::month{m} / c::day{d}} + c::hours{hour};
}

}  // namespace

TEST_CASE("iso_week gives the ISO 8601 week of known days, across year ends", "[stats]") {
  using gw::stats::iso_week;
  CHECK(iso_week(at(2020, 12, 31)) == "2020-W53");
  CHECK(iso_week(at(2021, 1, 3)) == "2020-W53");
  CHECK(iso_week(at(2021, 1, 4)) == "2021-W01");
  CHECK(iso_week(at(2026, 12, 5)) == "2026-W49");
  CHECK(iso_week(at(2027, 1, 1)) == "2026-W53");
  CHECK(iso_week(at(2024, 12, 30)) == "2025-W01");
  // Counted in UTC: the last second of Sunday and the first of Monday.
  CHECK(iso_week(at(2026, 12, 6, 0) + std::chrono::hours(24) - std::chrono::seconds(1)) == "2026-W49");
  CHECK(iso_week(at(2026, 12, 7, 0)) == "2026-W50");
}

TEST_CASE("parse_week reads weeks and dates written exactly so, and names bad text in a bounded message",
          "[stats]") {
  using gw::stats::parse_week;
  CHECK(*parse_week("2026-W49") == "2026-W49");
  CHECK(*parse_week("2026-W53") == "2026-W53");
  CHECK(*parse_week("2026-12-05") == "2026-W49");
  CHECK(*parse_week("2021-01-03") == "2020-W53");
  CHECK(*parse_week("2024-02-29") == "2024-W09");
  for (const char* bad : {"2026-W5", "2025-W53", "2026-W54", "2026-W00", "2026-13-01", "2026-02-30",
                          "2025-02-29", "2026-12-5", "2026-W49 ", " 2026-W49", "2026-w49", "2026W49", "",
                          "20a6-W49", "2026-12-05T00:00", "1899-12-31", "+026-W49"}) {
    INFO(bad);
    auto r = parse_week(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find(std::string("\"") + bad + "\"") != std::string::npos);
  }
  CHECK(parse_week("2025-W53").error().message.find("2025 has weeks 01 to 52") != std::string::npos);
  const std::string long_text(5000, 'x');
  auto r = parse_week(long_text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.size() < 160);
  CHECK(r.error().message.find(std::string(40, 'x') + "...") != std::string::npos);
  auto control = parse_week(std::string("2026-W4\n"));
  REQUIRE_FALSE(control.ok());
  CHECK(control.error().message.find('\n') == std::string::npos);
}

TEST_CASE("add_weeks counts weeks forward (and back when negative) across 52- and 53-week years", "[stats]") {
  using gw::stats::add_weeks;
  CHECK(add_weeks("2026-W01", -1) == "2025-W52");
  CHECK(add_weeks("2026-W49", 4) == "2026-W53");
  CHECK(add_weeks("2026-W49", 5) == "2027-W01");
  CHECK(add_weeks("2021-W01", -1) == "2020-W53");
  CHECK(add_weeks("2026-W49", 0) == "2026-W49");
  CHECK(add_weeks("2026-W49", -52) == "2025-W49");
}

TEST_CASE("week_range lists every week in order and refuses reversed or over-long ranges", "[stats]") {
  using gw::stats::week_range;
  auto r = week_range("2026-W51", "2027-W02", 10);
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{"2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"});
  CHECK(*week_range("2026-W49", "2026-W49", 1) == std::vector<std::string>{"2026-W49"});
  CHECK_FALSE(week_range("2026-W51", "2027-W02", 4).ok());
  CHECK_FALSE(week_range("2026-W49", "2026-W48", 10).ok());
  CHECK_FALSE(week_range("2026-12-05", "2026-W50", 10).ok());
  auto ten_years = week_range("2017-W01", "2026-W53", 1000);
  REQUIRE(ten_years.ok());
  // 2020 and 2026 have 53 weeks.
  CHECK(ten_years->size() == 10 * 52 + 2);
  CHECK(ten_years->back() == "2026-W53");
  CHECK_FALSE(week_range("2017-W01", "2026-W53", 520).ok());
}

TEST_CASE("duration buckets: under 5, 15, 60 and 240 minutes or more, a negative duration under 5",
          "[stats]") {
  using gw::stats::duration_bucket;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  CHECK(duration_bucket(milliseconds(-5000)) == "lt5m");
  CHECK(duration_bucket(milliseconds(0)) == "lt5m");
  CHECK(duration_bucket(minutes(5) - milliseconds(1)) == "lt5m");
  CHECK(duration_bucket(minutes(5)) == "lt15m");
  CHECK(duration_bucket(minutes(15)) == "lt60m");
  CHECK(duration_bucket(minutes(59)) == "lt60m");
  CHECK(duration_bucket(minutes(60)) == "lt240m");
  CHECK(duration_bucket(minutes(240) - milliseconds(1)) == "lt240m");
  CHECK(duration_bucket(minutes(240)) == "more");
  CHECK(duration_bucket(std::chrono::hours(24 * 400)) == "more");
  CHECK(gw::stats::duration_buckets() ==
        std::vector<std::string>{"lt5m", "lt15m", "lt60m", "lt240m", "more"});
}

TEST_CASE("metrics are listed in the dashboard's order, closed sets with their values", "[stats]") {
  using namespace gw::stats;
  std::vector<std::string> names;
  for (const MetricInfo& m : metrics()) names.push_back(m.metric);
  CHECK(names == std::vector<std::string>{
                     "conversations.channel", "conversations.language", "conversations.country", "consent",
                     "topic", "indicator", "screening", "handovers.queue", "handovers.priority",
                     "handovers.outcome", "handovers.first_reply", "handovers.handling", "requests"});
  REQUIRE(find_metric("conversations.channel") != nullptr);
  CHECK(find_metric("conversations.channel")->title == "Conversations started, by channel");
  CHECK(find_metric("conversations.channel")->values ==
        std::vector<std::string>{"sms", "whatsapp", "telegram", "web"});
  CHECK(find_metric("topic")->values.empty());
  CHECK(find_metric("indicator")->values.size() == 11);
  CHECK(find_metric("indicator")->values.front() == "abuse_of_vulnerability");
  CHECK(find_metric("indicator")->values.back() == "excessive_overtime");
  CHECK(find_metric("handovers.handling")->values == duration_buckets());
  CHECK(find_metric("requests")->values == std::vector<std::string>{"opt_out", "erasure"});
  CHECK(find_metric("nope") == nullptr);
  for (const MetricInfo& m : metrics()) CHECK_FALSE(m.title.empty());
}
