// Business hours: a queue is open by weekday spans in its own time zone, with
// summer time; without hours it is always open.
#include "gateway/config/queue_config.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace {

// Thursday 2026-05-28 20:26:40 UTC, 21:26:40 in London (summer time).
const gw::TimePoint kThursdayEvening = gw::from_unix_ms(1'780'000'000'000);

gw::QueueConfig office_hours(const std::string& tz) {
  gw::QueueConfig q;
  q.name = "general";
  q.time_zone = tz;
  q.always_open = false;
  for (int d = 0; d < 5; ++d) q.hours[static_cast<size_t>(d)] = {*gw::parse_opening_span("09:00-17:00")};
  return q;
}

}  // namespace

TEST_CASE("a queue without hours is always open, a configured one only within its hours",
          "[helpdesk][hours]") {
  gw::HelpdeskConfig cfg;
  REQUIRE(cfg.queues.size() == 3);
  CHECK(cfg.find("general"));
  CHECK(cfg.find("safeguarding"));
  CHECK(cfg.find("urgent"));
  CHECK(gw::queue_open(cfg, "general", kThursdayEvening));
  CHECK(gw::queue_open(cfg, "not-configured", kThursdayEvening));

  auto q = office_hours("Europe/London");
  CHECK_FALSE(gw::queue_open(q, kThursdayEvening));              // 21:26 Thursday
  CHECK(gw::queue_open(q, kThursdayEvening + 13h));              // 10:26 Friday
  CHECK_FALSE(gw::queue_open(q, kThursdayEvening + 13h + 48h));  // 10:26 Sunday
}

TEST_CASE("business hours are local to the queue's time zone, summer time included", "[helpdesk][hours]") {
  // Friday 2026-05-29 08:30 UTC is 09:30 in London (summer time), 04:30 in New York.
  const gw::TimePoint t = gw::from_unix_ms(1'780'043'400'000);
  CHECK(gw::queue_open(office_hours("Europe/London"), t));
  CHECK_FALSE(gw::queue_open(office_hours("UTC"), t));
  CHECK_FALSE(gw::queue_open(office_hours("America/New_York"), t));
}

TEST_CASE("opening spans and time zones are checked", "[helpdesk][hours]") {
  auto s = gw::parse_opening_span("08:30-24:00");
  REQUIRE(s.ok());
  CHECK(s->from_minute == 8 * 60 + 30);
  CHECK(s->to_minute == 24 * 60);
  CHECK_FALSE(gw::parse_opening_span("17:00-09:00").ok());
  CHECK_FALSE(gw::parse_opening_span("9-17").ok());
  CHECK_FALSE(gw::parse_opening_span("25:00-26:00").ok());
  CHECK(gw::weekday_index("mon") == 0);
  CHECK(gw::weekday_index("sun") == 6);
  CHECK(gw::weekday_index("monday") == -1);
  CHECK(gw::is_known_time_zone("Europe/London"));
  CHECK(gw::is_known_time_zone("UTC"));
  CHECK_FALSE(gw::is_known_time_zone("Mars/Olympus"));
}
