#include "devices/rtc_calendar.h"

#include <algorithm>
#include <chrono>

namespace sv {

namespace {
constexpr int64_t kSecondsPerDay = 86400;

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

CalendarTime calendarFromEpoch(int64_t epoch_s) {
  using namespace std::chrono;
  int64_t days = floorDiv(epoch_s, kSecondsPerDay);
  int64_t secs = epoch_s - days * kSecondsPerDay;
  sys_days date{std::chrono::days{days}};
  year_month_day ymd{date};
  CalendarTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<unsigned>(ymd.month());
  t.day = static_cast<unsigned>(ymd.day());
  t.hour = static_cast<unsigned>(secs / 3600);
  t.minute = static_cast<unsigned>(secs / 60 % 60);
  t.second = static_cast<unsigned>(secs % 60);
  t.weekday = weekday{date}.c_encoding();
  return t;
}

int64_t epochFromCalendar(const CalendarTime& t) {
  using namespace std::chrono;
  unsigned month = std::clamp(t.month, 1u, 12u);
  int yr = std::clamp(t.year, -30000, 30000);
  // The first of the month is always valid; the day then carries over.
  sys_days first = year{yr} / std::chrono::month{month} / std::chrono::day{1};
  int64_t days = first.time_since_epoch().count() + static_cast<int64_t>(t.day) - 1;
  return days * kSecondsPerDay + static_cast<int64_t>(t.hour) * 3600 +
         static_cast<int64_t>(t.minute) * 60 + t.second;
}

uint8_t RtcFormat::encode(unsigned value) const {
  value %= 100;
  if (binary) return static_cast<uint8_t>(value);
  return static_cast<uint8_t>(((value / 10) << 4) | (value % 10));
}

unsigned RtcFormat::decode(uint8_t reg) const {
  if (binary) return reg;
  return (reg >> 4) * 10u + (reg & 0x0Fu);
}

uint8_t RtcFormat::encodeHour(unsigned hour24) const {
  hour24 %= 24;
  if (hours24) return encode(hour24);
  unsigned h12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
  return static_cast<uint8_t>(encode(h12) | (hour24 >= 12 ? 0x80 : 0));
}

unsigned RtcFormat::decodeHour(uint8_t reg) const {
  if (hours24) return decode(reg & 0x7F);
  unsigned h12 = decode(reg & 0x7F) % 12;  // 12 AM -> 0, 12 PM -> 12
  return h12 + ((reg & 0x80) ? 12 : 0);
}

}  // namespace sv
