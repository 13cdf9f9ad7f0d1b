// Helpdesk queues and their business hours: the `helpdesk` section of the
// configuration (parsed in config/config.cc) and the one question asked of it at
// run time, "is this queue staffed right now?". It lives with the configuration,
// below the helpdesk and conversations that ask it, so that the configuration
// depends on no module it configures.
//
// Hours are local to the queue's IANA time zone (ICU's tz data, so summer time is
// handled), given per weekday as "HH:MM-HH:MM" spans; a queue without hours is
// always open. Outside its hours a queue still takes handovers, but the person
// is told at once where to find urgent help instead of being left to wait.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

namespace gw {

// [from, to) in minutes after local midnight; to may be 24 * 60.
struct OpeningSpan {
  int from_minute = 0;
  int to_minute = 24 * 60;
};

struct QueueConfig {
  std::string name;
  std::string time_zone = "UTC";
  bool always_open = true;  // false once any hours are given
  // Index 0 is Monday … 6 Sunday; a day without spans is closed all day.
  std::array<std::vector<OpeningSpan>, 7> hours;
};

struct HelpdeskConfig {
  std::vector<QueueConfig> queues = default_helpdesk_queues();
  int reassure_after_minutes = 10;  // a waiting person hears from us again after this
  bool auto_assign = false;         // hand waiting conversations to free operators unasked

  // The queues a fresh configuration has: general, safeguarding, urgent, always open.
  static std::vector<QueueConfig> default_helpdesk_queues();
  // The queue called `name`, or nullptr.
  const QueueConfig* find(const std::string& name) const;
};

// "mon" … "sun" → 0 … 6; -1 for anything else.
int weekday_index(const std::string& day);
// Parses "09:00-17:30" (24:00 allowed as the end; the end after the start).
Result<OpeningSpan> parse_opening_span(const std::string& text);
// True when `id` names a time zone ICU knows ("Europe/London", "UTC").
bool is_known_time_zone(const std::string& id);

// Whether `queue` is open at `now`. An unknown time zone counts as UTC.
bool queue_open(const QueueConfig& queue, TimePoint now);
// Same for the queue called `name` in `config`; a queue that is not configured
// counts as always open (help is never refused for a naming slip).
bool queue_open(const HelpdeskConfig& config, const std::string& name, TimePoint now);

}  // namespace gw
