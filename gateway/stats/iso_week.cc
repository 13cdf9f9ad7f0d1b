// ISO weeks with ICU's Gregorian calendar in UTC: Monday is the first day and
// the first week of a year is the one holding at least four of its days (so
// that it holds 4 January), which is ISO 8601's rule.
#include "gateway/stats/iso_week.h"

#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <cstdio>
#include <memory>

namespace gw::stats {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;
constexpr double kDayMs = 86400000.0;
constexpr size_t kShownChars = 40;

// The calendar of every computation here; made per call (cheap), so no state
// is shared between threads.
std::unique_ptr<icu::GregorianCalendar> utc_calendar() {
  UErrorCode status = U_ZERO_ERROR;
  auto cal = std::make_unique<icu::GregorianCalendar>(*icu::TimeZone::getGMT(), status);
  if (U_FAILURE(status)) return nullptr;
  cal->setFirstDayOfWeek(UCAL_MONDAY);
  cal->setMinimalDaysInFirstWeek(4);
  cal->setLenient(false);
  return cal;
}

std::string format_week(int year, int week) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

// The week holding `ms` (UTC).
std::string week_at(icu::GregorianCalendar& cal, UDate ms) {
  UErrorCode status = U_ZERO_ERROR;
  cal.setTime(ms, status);
  const int year = cal.get(UCAL_YEAR_WOY, status);
  const int week = cal.get(UCAL_WEEK_OF_YEAR, status);
  return format_week(year, week);
}

// 00:00 UTC on the Monday of ISO week `week` of `year`: week 1 holds 4 January.
UDate monday_of(icu::GregorianCalendar& cal, int year, int week) {
  UErrorCode status = U_ZERO_ERROR;
  cal.clear();
  cal.set(year, UCAL_JANUARY, 4);
  const UDate jan4 = cal.getTime(status);
  const int dow = cal.get(UCAL_DAY_OF_WEEK, status);  // UCAL_SUNDAY = 1 … UCAL_SATURDAY = 7
  const int since_monday = (dow + 5) % 7;
  return jan4 - since_monday * kDayMs + (week - 1) * 7 * kDayMs;
}

// 52 or 53: the week of 28 December is always the year's last.
int weeks_in(icu::GregorianCalendar& cal, int year) {
  UErrorCode status = U_ZERO_ERROR;
  cal.clear();
  cal.set(year, UCAL_DECEMBER, 28);
  return cal.get(UCAL_WEEK_OF_YEAR, status);
}

// The text as an error message shows it: at most kShownChars characters,
// anything but printable ASCII as '?'.
std::string shown(std::string_view text) {
  std::string s;
  for (size_t i = 0; i < text.size() && i < kShownChars; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    s += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > kShownChars) s += "...";
  return "\"" + s + "\"";
}

bool digits(std::string_view text, size_t from, size_t n, int* out) {
  int v = 0;
  for (size_t i = from; i < from + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

Error not_a_week(std::string_view text, const std::string& why) {
  return Error::invalid(shown(text) + " is not a week (2026-W49) or a date (2026-12-05)" +
                        (why.empty() ? "" : ": " + why));
}

}  // namespace

std::string iso_week(TimePoint t) {
  auto cal = utc_calendar();
  if (!cal) return {};
  return week_at(*cal, static_cast<UDate>(to_unix_ms(t)));
}

Result<std::string> parse_week(std::string_view text) {
  auto cal = utc_calendar();
  if (!cal) return Error::internal("ICU's Gregorian calendar could not be made");
  int year = 0;
  const std::string year_range = "years " + std::to_string(kMinYear) + " to " + std::to_string(kMaxYear);
  if (text.size() == 8 && text[4] == '-' && text[5] == 'W') {
    int week = 0;
    if (!digits(text, 0, 4, &year) || !digits(text, 6, 2, &week)) return not_a_week(text, "");
    if (year < kMinYear || year > kMaxYear) return not_a_week(text, year_range);
    const int last = weeks_in(*cal, year);
    if (week < 1 || week > last)
      return not_a_week(text, std::to_string(year) + " has weeks 01 to " + std::to_string(last));
    return format_week(year, week);
  }
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    int month = 0, day = 0;
    if (!digits(text, 0, 4, &year) || !digits(text, 5, 2, &month) || !digits(text, 8, 2, &day))
      return not_a_week(text, "");
    if (year < kMinYear || year > kMaxYear) return not_a_week(text, year_range);
    if (month < 1 || month > 12) return not_a_week(text, "no such month");
    UErrorCode status = U_ZERO_ERROR;
    cal->clear();
    cal->set(year, month - 1, 1);
    const int days = cal->getActualMaximum(UCAL_DAY_OF_MONTH, status);
    if (U_FAILURE(status)) return Error::internal("ICU could not count the days of a month");
    if (day < 1 || day > days) return not_a_week(text, "no such day");
    cal->set(year, month - 1, day);
    const UDate ms = cal->getTime(status);
    if (U_FAILURE(status)) return not_a_week(text, "no such day");
    return week_at(*cal, ms);
  }
  return not_a_week(text, "");
}

std::string add_weeks(const std::string& week, int n) {
  auto cal = utc_calendar();
  int year = 0, w = 0;
  if (!cal || week.size() != 8 || !digits(week, 0, 4, &year) || !digits(week, 6, 2, &w)) return week;
  return week_at(*cal, monday_of(*cal, year, w) + static_cast<double>(n) * 7 * kDayMs);
}

Result<std::vector<std::string>> week_range(const std::string& from, const std::string& to, int max_weeks) {
  for (const std::string* w : {&from, &to}) {
    auto parsed = parse_week(*w);
    if (!parsed) return parsed.error();
    if (*parsed != *w) return Error::invalid(shown(*w) + " is a date, not a week (2026-W49)");
  }
  if (from > to) return Error::invalid("the first week " + from + " is after the last week " + to);
  auto cal = utc_calendar();
  if (!cal) return Error::internal("ICU's Gregorian calendar could not be made");
  int year = 0, w = 0;
  digits(from, 0, 4, &year);
  digits(from, 6, 2, &w);
  const UDate first = monday_of(*cal, year, w);
  std::vector<std::string> weeks;
  for (int i = 0;; ++i) {
    std::string week = week_at(*cal, first + i * 7 * kDayMs);
    if (week > to) break;
    if (static_cast<int>(weeks.size()) >= max_weeks)
      return Error::invalid("the weeks from " + from + " to " + to + " are more than " +
                            std::to_string(max_weeks));
    weeks.push_back(std::move(week));
  }
  return weeks;
}

}  // namespace gw::stats
