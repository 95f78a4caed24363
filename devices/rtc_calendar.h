// Calendar arithmetic and register encodings for the MC146818 RTC: UTC
// epoch seconds <-> date and time, and the chip's BCD/binary, 12/24-hour
// register formats (MC146818A "Time, Calendar and Alarm Locations": DM and
// 24/12 bits of register B).
#pragma once

#include <cstdint>

namespace sv {

struct CalendarTime {
  int year = 1970;
  unsigned month = 1;  // 1-12
  unsigned day = 1;    // 1-31
  unsigned hour = 0;   // 0-23
  unsigned minute = 0;
  unsigned second = 0;
  unsigned weekday = 4;  // 0 = Sunday (1970-01-01 was a Thursday)
};

CalendarTime calendarFromEpoch(int64_t epoch_s);
// Tolerant of what a guest may write: a month outside 1-12 is clamped, a
// day past the month's end and hours/minutes/seconds past their range carry
// into the next unit, as mktime() does. Never fails.
int64_t epochFromCalendar(const CalendarTime& t);

// The register format selected by register B.
struct RtcFormat {
  bool binary = false;  // DM = 1
  bool hours24 = true;  // 24/12 = 1

  uint8_t encode(unsigned value) const;  // value 0-99
  unsigned decode(uint8_t reg) const;    // invalid BCD digits decode as 10-15
  // 12-hour mode: 1-12 with bit 7 = PM (12 AM is 12, 12 PM is 12 | PM).
  uint8_t encodeHour(unsigned hour24) const;
  unsigned decodeHour(uint8_t reg) const;
};

}  // namespace sv
