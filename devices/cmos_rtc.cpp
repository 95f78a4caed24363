#include "devices/cmos_rtc.h"

#include <algorithm>
#include <utility>

namespace sv {

namespace {

// Register indexes (MC146818A "Address Map").
constexpr uint8_t kSeconds = 0x00;
constexpr uint8_t kSecondsAlarm = 0x01;
constexpr uint8_t kMinutes = 0x02;
constexpr uint8_t kMinutesAlarm = 0x03;
constexpr uint8_t kHours = 0x04;
constexpr uint8_t kHoursAlarm = 0x05;
constexpr uint8_t kDayOfWeek = 0x06;
constexpr uint8_t kDayOfMonth = 0x07;
constexpr uint8_t kMonth = 0x08;
constexpr uint8_t kYear = 0x09;
constexpr uint8_t kRegA = 0x0A;
constexpr uint8_t kRegB = 0x0B;
constexpr uint8_t kRegC = 0x0C;
constexpr uint8_t kRegD = 0x0D;

// Register A.
constexpr uint8_t kAUip = 0x80;
constexpr uint8_t kADividerMask = 0x70;
constexpr uint8_t kADivider32k = 0x20;  // DV = 010: 32.768 kHz time base, running
constexpr uint8_t kARateMask = 0x0F;
// Register B.
constexpr uint8_t kBSet = 0x80;
constexpr uint8_t kBPie = 0x40;
constexpr uint8_t kBAie = 0x20;
constexpr uint8_t kBUie = 0x10;
constexpr uint8_t kBSqwe = 0x08;
constexpr uint8_t kBBinary = 0x04;
constexpr uint8_t kB24Hour = 0x02;
// Register C.
constexpr uint8_t kCIrqf = 0x80;
constexpr uint8_t kCPf = 0x40;
constexpr uint8_t kCAf = 0x20;
constexpr uint8_t kCUf = 0x10;
// Register D.
constexpr uint8_t kDVrt = 0x80;  // valid RAM and time: the battery is fine

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kUipWindowNs = 244'000;  // t_BUC: UIP rises 244 us before an update
constexpr uint64_t kTimeBaseHz = 32768;
constexpr unsigned kSecondsPerDay = 86400;

bool isCalendarRegister(uint8_t index) {
  return index == kSeconds || index == kMinutes || index == kHours ||
         (index >= kDayOfWeek && index <= kYear) || index == cmos::kCentury;
}

}  // namespace

CmosRtc::CmosRtc(DeviceClock& clock, IrqOutput::Sink irq8, int64_t start_epoch_s,
                 const CmosBoardConfig& board)
    : clock_(clock), irq_(std::move(irq8)) {
  writeBoardConfig(cmos_, board);
  // What a PC BIOS leaves: 32.768 kHz, 1024 Hz periodic rate; BCD, 24 h.
  cmos_[kRegA] = kADivider32k | 0x06;
  cmos_[kRegB] = kB24Hour;
  cmos_[kRegC] = 0;
  cmos_[kRegD] = kDVrt;
  origin_ns_ = static_cast<int64_t>(clock_.nowNs());
  calendar_s_ = start_epoch_s;
  latchCalendar();
}

void CmosRtc::reset() {
  sync(clock_.nowNs());
  // MC146818A "RESET": PIE, AIE, UIE, SQWE and the flags of C are cleared.
  cmos_[kRegB] &= static_cast<uint8_t>(~(kBPie | kBAie | kBUie | kBSqwe));
  cmos_[kRegC] = 0;
  updateIrq();
}

uint32_t CmosRtc::ioRead(uint16_t port, unsigned size) {
  uint32_t value = 0xFF;  // the index port is write-only on the PC
  if (port == kDataPort) value = readRegister(index_);
  if (size == 2) value |= 0xFF00u;
  if (size == 4) value |= 0xFFFFFF00u;
  return value;
}

void CmosRtc::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  uint8_t byte = static_cast<uint8_t>(value);
  if (port == kIndexPort) {
    index_ = byte & 0x7F;
    nmi_masked_ = (byte & 0x80) != 0;
  } else {
    writeRegister(index_, byte);
  }
}

uint8_t CmosRtc::readRegister(uint8_t index) {
  uint64_t now = clock_.nowNs();
  sync(now);
  switch (index) {
    case kRegA: {
      uint8_t value = cmos_[kRegA] & static_cast<uint8_t>(~kAUip);
      if (calendarRunning() && nextUpdateNs() - now <= static_cast<uint64_t>(kUipWindowNs))
        value |= kAUip;
      return value;
    }
    case kRegC: {
      // Reading C returns the flags and clears them all, which drops IRQ.
      uint8_t value = cmos_[kRegC] | (irqFlag() ? kCIrqf : 0);
      cmos_[kRegC] = 0;
      updateIrq();
      return value;
    }
    case kRegD:
      return kDVrt;
    default:
      return cmos_[index];
  }
}

void CmosRtc::writeRegister(uint8_t index, uint8_t value) {
  sync(clock_.nowNs());
  switch (index) {
    case kRegA:
      writeRegisterA(value);
      break;
    case kRegB:
      writeRegisterB(value);
      break;
    case kRegC:
    case kRegD:
      break;  // read-only
    default:
      cmos_[index] = value;
      // Writing a time register while the clock runs sets the time from
      // there on (the chip's counters are those registers).
      if (isCalendarRegister(index) && calendarRunning()) {
        loadCalendar();
        latchCalendar();
      }
      break;
  }
}

void CmosRtc::writeRegisterA(uint8_t value) {
  uint64_t now = clock_.nowNs();
  bool was_running = divider_running_;
  cmos_[kRegA] = value & static_cast<uint8_t>(~kAUip);  // UIP is read-only
  divider_running_ = (value & kADividerMask) == kADivider32k;
  if (was_running && !divider_running_) {
    // Oscillator off or divider chain in reset: time stands still, held
    // in the registers.
  } else if (!was_running && divider_running_) {
    // Leaving reset: "the first update cycle begins one-half second later"
    // (MC146818A "Divider Control").
    origin_ns_ = static_cast<int64_t>(now) - kSecondNs / 2;
    updates_done_ = 0;
    if (!(cmos_[kRegB] & kBSet)) loadCalendar();
  }
  // A new rate starts counting from now; no tick is owed for the past.
  periodic_done_ = divider_running_ ? periodicTicksAt(now) : 0;
  updateIrq();
}

void CmosRtc::writeRegisterB(uint8_t value) {
  uint8_t old = cmos_[kRegB];
  // "UIE is cleared when SET is written to 1" (MC146818A register B).
  if (value & kBSet) value &= static_cast<uint8_t>(~kBUie);
  cmos_[kRegB] = value;
  bool set_released = (old & kBSet) && !(value & kBSet);
  if (set_released && divider_running_) {
    loadCalendar();  // the guest's new time, counting on from the next update
  }
  // While the calendar runs, the registers follow the (possibly new) DM
  // and 24/12 format; while SET holds them they stay as written.
  if (calendarRunning()) latchCalendar();
  // An enable set while its flag is already set raises IRQ at once.
  updateIrq();
}

bool CmosRtc::calendarRunning() const { return divider_running_ && !(cmos_[kRegB] & kBSet); }

RtcFormat CmosRtc::format() const {
  RtcFormat f;
  f.binary = (cmos_[kRegB] & kBBinary) != 0;
  f.hours24 = (cmos_[kRegB] & kB24Hour) != 0;
  return f;
}

void CmosRtc::latchCalendar() {
  RtcFormat f = format();
  CalendarTime t = calendarFromEpoch(calendar_s_);
  cmos_[kSeconds] = f.encode(t.second);
  cmos_[kMinutes] = f.encode(t.minute);
  cmos_[kHours] = f.encodeHour(t.hour);
  cmos_[kDayOfWeek] = f.encode((t.weekday + weekday_offset_) % 7 + 1);  // Sunday = 1
  cmos_[kDayOfMonth] = f.encode(t.day);
  cmos_[kMonth] = f.encode(t.month);
  int year = std::max(t.year, 0);
  cmos_[kYear] = f.encode(static_cast<unsigned>(year % 100));
  cmos_[cmos::kCentury] = f.encode(static_cast<unsigned>(year / 100));
}

void CmosRtc::loadCalendar() {
  RtcFormat f = format();
  CalendarTime t;
  t.second = f.decode(cmos_[kSeconds]);
  t.minute = f.decode(cmos_[kMinutes]);
  t.hour = f.decodeHour(cmos_[kHours]);
  t.day = f.decode(cmos_[kDayOfMonth]);
  t.month = f.decode(cmos_[kMonth]);
  t.year = static_cast<int>(f.decode(cmos_[cmos::kCentury]) * 100 + f.decode(cmos_[kYear]));
  calendar_s_ = epochFromCalendar(t);
  // The day of week is its own counter on the chip; keep what the guest
  // wrote, relative to the real weekday.
  unsigned real = calendarFromEpoch(calendar_s_).weekday;
  unsigned written = (f.decode(cmos_[kDayOfWeek]) + 6) % 7;  // 1-7 -> 0-6
  weekday_offset_ = (written + 7 - real) % 7;
}

bool CmosRtc::alarmMatches(int64_t epoch_s) const {
  // Alarm bytes 0xC0-0xFF are "don't care" (MC146818A "Alarm Interrupt").
  RtcFormat f = format();
  int64_t in_day = ((epoch_s % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay;
  auto matches = [](uint8_t alarm, uint8_t now) { return (alarm & 0xC0) == 0xC0 || alarm == now; };
  return matches(cmos_[kSecondsAlarm], f.encode(static_cast<unsigned>(in_day % 60))) &&
         matches(cmos_[kMinutesAlarm], f.encode(static_cast<unsigned>(in_day / 60 % 60))) &&
         matches(cmos_[kHoursAlarm], f.encodeHour(static_cast<unsigned>(in_day / 3600)));
}

unsigned CmosRtc::periodicShift() const {
  // "Periodic Interrupt Rate" table for the 32.768 kHz time base: rates 1
  // and 2 repeat rates 8 and 9; from 3 on the period is 2^(rate-1) ticks
  // (rate 3 = 122.070 us, 6 = 976.562 us, 15 = 500 ms). 0 means none.
  unsigned rate = cmos_[kRegA] & kARateMask;
  if (rate == 1 || rate == 2) rate += 7;
  return rate - 1;
}

uint64_t CmosRtc::periodicTicksAt(uint64_t now_ns) const {
  if ((cmos_[kRegA] & kARateMask) == 0) return 0;
  int64_t since_origin = static_cast<int64_t>(now_ns) - origin_ns_;
  uint64_t elapsed = since_origin > 0 ? static_cast<uint64_t>(since_origin) : 0;
  uint64_t base_ticks = elapsed / kSecondNs * kTimeBaseHz +
                        elapsed % kSecondNs * kTimeBaseHz / kSecondNs;
  return base_ticks >> periodicShift();
}

uint64_t CmosRtc::nextPeriodicNs() const {
  uint64_t base_ticks = (periodic_done_ + 1) << periodicShift();
  uint64_t frac = base_ticks % kTimeBaseHz;
  return static_cast<uint64_t>(origin_ns_ + static_cast<int64_t>(base_ticks / kTimeBaseHz) * kSecondNs +
                               static_cast<int64_t>((frac * kSecondNs + kTimeBaseHz - 1) / kTimeBaseHz));
}

uint64_t CmosRtc::nextUpdateNs() const {
  return static_cast<uint64_t>(origin_ns_ + static_cast<int64_t>(updates_done_ + 1) * kSecondNs);
}

void CmosRtc::sync(uint64_t now_ns) {
  if (!divider_running_) return;  // the divider chain is stopped: nothing moves
  int64_t elapsed = static_cast<int64_t>(now_ns) - origin_ns_;
  uint64_t updates = elapsed > 0 ? static_cast<uint64_t>(elapsed / kSecondNs) : 0;
  if (updates > updates_done_) {
    uint64_t count = updates - updates_done_;
    updates_done_ = updates;
    // With SET the update cycles are inhibited ("SET" bit of register B):
    // the time the guest is writing is not touched.
    if (!(cmos_[kRegB] & kBSet)) {
      // Every alarm that can match matches within a day, so after a long
      // gap only the last day's updates need looking at.
      if (count > kSecondsPerDay) {
        calendar_s_ += static_cast<int64_t>(count - kSecondsPerDay);
        count = kSecondsPerDay;
      }
      for (; count != 0 && !(cmos_[kRegC] & kCAf); --count) {
        ++calendar_s_;
        if (alarmMatches(calendar_s_)) cmos_[kRegC] |= kCAf;
      }
      calendar_s_ += static_cast<int64_t>(count);  // AF is already set
      cmos_[kRegC] |= kCUf;  // update-ended, whether or not UIE is set
      latchCalendar();
    }
  }
  uint64_t ticks = periodicTicksAt(now_ns);
  if (ticks > periodic_done_) {
    periodic_done_ = ticks;
    cmos_[kRegC] |= kCPf;  // set at the rate whether or not PIE is set
  }
  updateIrq();
}

uint64_t CmosRtc::nextDeadlineNs() {
  // Once IRQ is asserted nothing can change the line until register C is
  // read (which syncs first), so no wake-ups are needed meanwhile.
  if (!divider_running_ || irq_.level()) return kNoDeadline;
  uint8_t b = cmos_[kRegB];
  uint8_t c = cmos_[kRegC];
  uint64_t deadline = kNoDeadline;
  if ((b & kBPie) && !(c & kCPf) && (cmos_[kRegA] & kARateMask) != 0)
    deadline = nextPeriodicNs();
  if (!(b & kBSet) && (((b & kBUie) && !(c & kCUf)) || ((b & kBAie) && !(c & kCAf))))
    deadline = std::min(deadline, nextUpdateNs());
  return deadline;
}

void CmosRtc::advanceTo(uint64_t now_ns) { sync(now_ns); }

bool CmosRtc::irqFlag() const {
  // IRQF = PF.PIE + AF.AIE + UF.UIE (register C).
  return (cmos_[kRegC] & cmos_[kRegB] & (kCPf | kCAf | kCUf)) != 0;
}

void CmosRtc::updateIrq() { irq_.set(irqFlag()); }

}  // namespace sv
