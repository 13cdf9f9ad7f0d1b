#include "gateway/config/queue_config.h"

#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <memory>
#include <regex>

namespace gw {

std::vector<QueueConfig> HelpdeskConfig::default_helpdesk_queues() {
  std::vector<QueueConfig> out;
  for (const char* name : {"general", "safeguarding", "urgent"}) {
    QueueConfig q;
    q.name = name;
    out.push_back(q);
  }
  return out;
}

const QueueConfig* HelpdeskConfig::find(const std::string& name) const {
  for (const QueueConfig& q : queues) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

int weekday_index(const std::string& day) {
  static const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  for (int i = 0; i < 7; ++i) {
    if (day == kDays[i]) return i;
  }
  return -1;
}

Result<OpeningSpan> parse_opening_span(const std::string& text) {
  static const std::regex kSpan(R"(^(\d{2}):(\d{2})-(\d{2}):(\d{2})$)");
  std::smatch m;
  if (!std::regex_match(text, m, kSpan))
    return Error::invalid("\"" + text + "\" is not a span like \"09:00-17:00\"");
  const int h1 = std::stoi(m[1]), m1 = std::stoi(m[2]), h2 = std::stoi(m[3]), m2 = std::stoi(m[4]);
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 == 24 && m2 != 0)) {
    return Error::invalid("\"" + text + "\" is not a time of day");
  }
  OpeningSpan s{h1 * 60 + m1, h2 * 60 + m2};
  if (s.to_minute <= s.from_minute) return Error::invalid("\"" + text + "\" ends before it starts");
  return s;
}

bool is_known_time_zone(const std::string& id) {
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(id)));
  if (!tz) return false;
  icu::UnicodeString got;
  tz->getID(got);
  return got != icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID);
}

bool queue_open(const QueueConfig& queue, TimePoint now) {
  if (queue.always_open) return true;
  icu::TimeZone* tz = icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(queue.time_zone));
  UErrorCode status = U_ZERO_ERROR;
  icu::GregorianCalendar cal(tz, status);  // adopts tz
  if (U_FAILURE(status)) return true;
  cal.setTime(static_cast<UDate>(to_unix_ms(now)), status);
  const int dow = cal.get(UCAL_DAY_OF_WEEK, status);  // 1 = Sunday … 7 = Saturday
  const int minute = cal.get(UCAL_HOUR_OF_DAY, status) * 60 + cal.get(UCAL_MINUTE, status);
  if (U_FAILURE(status)) return true;
  const int day = (dow + 5) % 7;  // Monday = 0
  for (const OpeningSpan& s : queue.hours[static_cast<size_t>(day)]) {
    if (minute >= s.from_minute && minute < s.to_minute) return true;
  }
  return false;
}

bool queue_open(const HelpdeskConfig& config, const std::string& name, TimePoint now) {
  const QueueConfig* q = config.find(name);
  return q == nullptr || queue_open(*q, now);
}

}  // namespace gw
