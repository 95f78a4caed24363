// The MC146818A RTC and CMOS as a driver sees them through ports 0x70/0x71,
// with a fake clock: formats, updates, alarms, periodic rates, register C,
// UIP, SET, the divider, and the configuration bytes SeaBIOS reads.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "devices/cmos_rtc.h"

using namespace sv;

namespace {

struct FakeClock : DeviceClock {
  uint64_t now = 5'000'000'000;
  uint64_t nowNs() override { return now; }
};

constexpr uint64_t kSecond = 1'000'000'000;
constexpr int64_t kLeapDayEvening = 1709251198;  // 2024-02-29 23:59:58 UTC, a Thursday
constexpr int64_t kMidnight = 1795392000;        // 2026-11-23 00:00:00 UTC, a Monday

constexpr uint64_t MiB = 1024 * 1024;
constexpr uint64_t GiB = 1024 * MiB;

struct Rig {
  FakeClock clock;
  std::vector<bool> edges;
  CmosRtc rtc;

  explicit Rig(int64_t start = kLeapDayEvening, uint64_t ram = 64 * MiB)
      : rtc(clock, [this](bool l) { edges.push_back(l); }, start, board(ram)) {}

  static CmosBoardConfig board(uint64_t ram) {
    CmosBoardConfig b;
    b.ram_bytes = ram;
    return b;
  }
  uint8_t read(uint8_t index) {
    rtc.ioWrite(CmosRtc::kIndexPort, 1, index);
    return static_cast<uint8_t>(rtc.ioRead(CmosRtc::kDataPort, 1));
  }
  void write(uint8_t index, uint8_t value) {
    rtc.ioWrite(CmosRtc::kIndexPort, 1, index);
    rtc.ioWrite(CmosRtc::kDataPort, 1, value);
  }
  void advance(uint64_t ns) {
    clock.now += ns;
    rtc.advanceTo(clock.now);
  }
  bool irq() const { return rtc.irqLevel(); }
  // sec, min, hour, weekday, day, month, year, century
  std::vector<int> time() {
    return {read(0), read(2), read(4), read(6), read(7), read(8), read(9), read(0x32)};
  }
};

}  // namespace

TEST_CASE("rtc: power-on registers and BCD time from the start time") {
  Rig r;
  CHECK(r.read(0x0A) == 0x26);
  CHECK(r.read(0x0B) == 0x02);
  CHECK(r.read(0x0C) == 0x00);
  CHECK(r.read(0x0D) == 0x80);
  CHECK(r.time() == std::vector<int>{0x58, 0x59, 0x23, 5, 0x29, 0x02, 0x24, 0x20});
  CHECK_FALSE(r.irq());
  CHECK(r.rtc.nextDeadlineNs() == TimerDevice::kNoDeadline);  // nothing enabled
}

TEST_CASE("rtc: updates carry through a leap day into March") {
  Rig r;
  r.advance(kSecond - 1);
  CHECK(r.read(0) == 0x58);
  r.advance(1);
  CHECK(r.read(0) == 0x59);
  r.advance(kSecond);
  CHECK(r.time() == std::vector<int>{0x00, 0x00, 0x00, 6, 0x01, 0x03, 0x24, 0x20});
  // Reads alone (no advanceTo) also see the time move.
  r.clock.now += 3600 * kSecond;
  CHECK(r.read(4) == 0x01);
}

TEST_CASE("rtc: binary data mode") {
  Rig r;
  r.write(0x0B, 0x06);  // DM binary, 24 h
  CHECK(r.time() == std::vector<int>{58, 59, 23, 5, 29, 2, 24, 20});
}

TEST_CASE("rtc: 12-hour mode, BCD and binary, around midnight and noon") {
  const struct { int64_t t; uint8_t bcd; uint8_t bin; } cases[] = {
      {kMidnight, 0x12, 0x0C},                   // 12 AM
      {kMidnight + 3600, 0x01, 0x01},            // 1 AM
      {kMidnight + 11 * 3600, 0x11, 0x0B},       // 11 AM
      {kMidnight + 12 * 3600, 0x92, 0x8C},       // 12 PM
      {kMidnight + 13 * 3600, 0x81, 0x81},       // 1 PM
      {kMidnight + 23 * 3600, 0x91, 0x8B},       // 11 PM
  };
  for (auto c : cases) {
    CAPTURE(c.t);
    Rig r(c.t);
    r.write(0x0B, 0x00);  // BCD, 12 h
    CHECK(r.read(4) == c.bcd);
    r.write(0x0B, 0x04);  // binary, 12 h
    CHECK(r.read(4) == c.bin);
  }
}

TEST_CASE("rtc: 12-hour time written by the guest is understood") {
  Rig r(kMidnight);
  r.write(0x0B, 0x80);  // SET, BCD, 12 h
  r.write(4, 0x92);     // 12 PM
  r.write(2, 0x59);
  r.write(0, 0x59);
  r.write(0x0B, 0x00);
  r.advance(kSecond);
  CHECK(r.read(4) == 0x81);  // 1 PM
  r.write(0x0B, 0x02);       // back to 24 h
  CHECK(r.read(4) == 0x13);
  CHECK(r.read(2) == 0x00);
}

TEST_CASE("rtc: the guest sets the time with SET and it keeps counting from there") {
  Rig r;
  r.write(0x0B, 0x82);  // SET
  const uint8_t regs[][2] = {{0, 0x59}, {2, 0x59}, {4, 0x23}, {6, 6}, {7, 0x31},
                             {8, 0x12}, {9, 0x99}, {0x32, 0x19}};
  for (auto& w : regs) r.write(w[0], w[1]);
  r.advance(3 * kSecond);  // frozen while SET
  CHECK(r.time() == std::vector<int>{0x59, 0x59, 0x23, 6, 0x31, 0x12, 0x99, 0x19});
  r.write(0x0B, 0x02);
  r.advance(kSecond);
  CHECK(r.time() == std::vector<int>{0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00, 0x20});
  r.advance(3600 * kSecond);
  CHECK(r.time() == std::vector<int>{0x00, 0x00, 0x01, 7, 0x01, 0x01, 0x00, 0x20});
}

TEST_CASE("rtc: Linux mc146818_set_time sequence (SET plus divider reset)") {
  Rig r;
  r.advance(kSecond / 4);
  uint8_t save_control = r.read(0x0B);
  r.write(0x0B, save_control | 0x80);
  uint8_t save_freq = r.read(0x0A);
  r.write(0x0A, save_freq | 0x70);  // RTC_DIV_RESET2
  const uint8_t regs[][2] = {{9, 0x30}, {8, 0x06}, {7, 0x15}, {4, 0x08}, {2, 0x00}, {0, 0x00},
                             {0x32, 0x20}};
  for (auto& w : regs) r.write(w[0], w[1]);
  r.advance(2 * kSecond);  // stopped: nothing moves
  r.write(0x0B, save_control);
  r.write(0x0A, save_freq);
  CHECK(r.read(0) == 0x00);
  r.advance(kSecond / 2 - 1);
  CHECK(r.read(0) == 0x00);
  r.advance(1);  // first update half a second after the divider restarts
  // Linux does not write the day of week; like the chip's own counter it
  // keeps its old value (Thursday = 5) and counts on at midnight.
  CHECK(r.time() == std::vector<int>{0x01, 0x00, 0x08, 5, 0x15, 0x06, 0x30, 0x20});
  r.advance(86400 * kSecond);
  CHECK(r.read(7) == 0x16);
  CHECK(r.read(6) == 6);
}

TEST_CASE("rtc: SET inhibits updates, clears UIE and UIP") {
  Rig r;
  r.write(0x0B, 0x12);  // UIE
  r.write(0x0B, 0x92);  // SET: UIE is cleared
  CHECK(r.read(0x0B) == 0x82);
  r.advance(kSecond - 100'000);  // inside the UIP window, but SET
  CHECK((r.read(0x0A) & 0x80) == 0);
  r.advance(5 * kSecond);
  CHECK(r.read(0) == 0x58);
  CHECK((r.read(0x0C) & 0x10) == 0);  // no update-ended flag
  CHECK(r.rtc.nextDeadlineNs() == TimerDevice::kNoDeadline);
}

TEST_CASE("rtc: a time register written while running sets the time") {
  Rig r;
  r.advance(kSecond / 2);
  r.write(2, 0x10);  // minutes
  CHECK(r.read(2) == 0x10);
  r.advance(kSecond / 2);  // the update keeps its phase
  CHECK(r.read(0) == 0x59);
  CHECK(r.read(2) == 0x10);
}

TEST_CASE("rtc: the guest's day of week is kept") {
  Rig r;
  r.write(0x0B, 0x82);
  r.write(6, 2);  // claims Monday on a Thursday
  r.write(0x0B, 0x02);
  r.advance(2 * kSecond);  // midnight
  CHECK(r.read(6) == 3);
}

TEST_CASE("rtc: update-ended interrupt once per second, reading C clears and lowers IRQ") {
  Rig r;
  r.write(0x0B, 0x12);  // UIE
  CHECK(r.rtc.nextDeadlineNs() == r.clock.now + kSecond);
  r.advance(kSecond - 1);
  CHECK_FALSE(r.irq());
  r.advance(1);
  CHECK(r.irq());
  CHECK(r.rtc.nextDeadlineNs() == TimerDevice::kNoDeadline);  // line is already up
  CHECK((r.read(0x0C) & 0xB0) == 0x90);  // IRQF | UF (PF runs too, unenabled)
  CHECK_FALSE(r.irq());
  CHECK(r.read(0x0C) == 0x00);
  CHECK(r.rtc.nextDeadlineNs() == r.clock.now + kSecond);
  r.advance(kSecond);
  CHECK(r.irq());
  CHECK(r.edges == std::vector<bool>{true, false, true});
}

TEST_CASE("rtc: flags are set without their enables, enabling raises IRQ at once") {
  Rig r;
  r.advance(kSecond);
  CHECK_FALSE(r.irq());
  r.write(0x0B, 0x12);  // UF is already set
  CHECK(r.irq());
  r.write(0x0B, 0x02);  // disabling drops IRQF again
  CHECK_FALSE(r.irq());
  CHECK(r.read(0x0C) == 0x50);  // UF and PF (1024 Hz runs regardless), no IRQF
  r.write(0x0C, 0xFF);          // C and D are read-only
  r.write(0x0D, 0x00);
  CHECK(r.read(0x0C) == 0x00);
  CHECK(r.read(0x0D) == 0x80);
}

TEST_CASE("rtc: periodic interrupt rates of register A") {
  // Rate -> interrupts per second with the 32.768 kHz time base.
  const struct { uint8_t rate; unsigned hz; } cases[] = {
      {1, 256}, {2, 128}, {3, 8192}, {4, 4096}, {5, 2048}, {6, 1024}, {7, 512},
      {8, 256}, {9, 128}, {10, 64}, {11, 32}, {12, 16}, {13, 8}, {14, 4}, {15, 2}};
  for (auto c : cases) {
    CAPTURE(c.rate);
    Rig r;
    r.write(0x0A, static_cast<uint8_t>(0x20 | c.rate));
    r.write(0x0B, 0x42);  // PIE
    const uint64_t start = r.clock.now;
    unsigned count = 0;
    for (;;) {
      uint64_t deadline = r.rtc.nextDeadlineNs();
      REQUIRE(deadline != TimerDevice::kNoDeadline);
      REQUIRE(deadline > r.clock.now);
      if (deadline > start + kSecond) break;
      r.clock.now = deadline;
      r.rtc.advanceTo(deadline);
      REQUIRE(r.irq());
      REQUIRE((r.read(0x0C) & 0xC0) == 0xC0);  // IRQF | PF
      ++count;
    }
    CHECK(count == c.hz);
  }
}

TEST_CASE("rtc: 1024 Hz period is 976.5625 us, rate 0 gives no periodic interrupt") {
  Rig r;
  r.write(0x0B, 0x42);
  uint64_t first = r.rtc.nextDeadlineNs();
  r.clock.now = first;
  r.read(0x0C);
  CHECK(r.rtc.nextDeadlineNs() - first == doctest::Approx(976562.5).epsilon(1e-6));
  r.write(0x0A, 0x20);  // rate 0
  CHECK(r.rtc.nextDeadlineNs() == TimerDevice::kNoDeadline);
  r.advance(kSecond);
  CHECK((r.read(0x0C) & 0x40) == 0);
}

TEST_CASE("rtc: alarm at a given time, and with don't-care bytes") {
  Rig r(kMidnight);  // 00:00:00
  r.write(1, 0x05);
  r.write(3, 0x00);
  r.write(5, 0x00);
  r.write(0x0B, 0x22);  // AIE
  r.advance(4 * kSecond);
  CHECK_FALSE(r.irq());
  r.advance(kSecond);  // 00:00:05
  CHECK(r.irq());
  CHECK((r.read(0x0C) & 0xB0) == 0xB0);  // IRQF | AF | UF
  r.advance(kSecond);
  CHECK_FALSE(r.irq());

  // Seconds 0x00, minutes and hours "don't care": once a minute.
  r.write(1, 0x00);
  r.write(3, 0xC0);
  r.write(5, 0xFF);
  unsigned alarms = 0;
  for (int i = 0; i < 180; ++i) {
    r.advance(kSecond);
    if (r.irq()) ++alarms, r.read(0x0C);
  }
  CHECK(alarms == 3);

  // All three don't care: every second.
  r.write(1, 0xC0);
  r.write(3, 0xC0);
  r.write(5, 0xC0);
  alarms = 0;
  for (int i = 0; i < 10; ++i) {
    r.advance(kSecond);
    if (r.irq()) ++alarms, r.read(0x0C);
  }
  CHECK(alarms == 10);
}

TEST_CASE("rtc: an alarm passed during a long gap is still flagged") {
  Rig r(kMidnight);
  r.write(1, 0x30);
  r.write(3, 0x30);
  r.write(5, 0x05);  // 05:30:30
  r.clock.now += 3 * 86400 * kSecond;
  CHECK((r.read(0x0C) & 0x20) == 0x20);
}

TEST_CASE("rtc: alarm hours in 12-hour mode compare in the chip's format") {
  Rig r(kMidnight + 13 * 3600 - 1);  // 12:59:59 PM
  r.write(0x0B, 0x20);              // AIE, BCD, 12 h
  r.write(1, 0x00);
  r.write(3, 0x00);
  r.write(5, 0x81);  // 1 PM
  r.advance(kSecond);
  CHECK(r.irq());
}

TEST_CASE("rtc: UIP is set for the last 244 us before an update") {
  Rig r;
  r.advance(kSecond - 244'001);
  CHECK((r.read(0x0A) & 0x80) == 0);
  r.advance(1);
  CHECK((r.read(0x0A) & 0x80) == 0x80);
  CHECK(r.read(0) == 0x58);  // the update has not happened yet
  r.advance(244'000 - 1);
  CHECK((r.read(0x0A) & 0x80) == 0x80);
  r.advance(1);
  CHECK((r.read(0x0A) & 0x80) == 0);
  CHECK(r.read(0) == 0x59);
  r.write(0x0A, 0xA6);  // UIP is read-only
  CHECK(r.read(0x0A) == 0x26);
}

TEST_CASE("rtc: divider reset stops the clock, the first update follows 500 ms after release") {
  Rig r;
  r.write(0x0A, 0x70);  // divider chain in reset
  r.advance(10 * kSecond);
  CHECK(r.read(0) == 0x58);
  CHECK((r.read(0x0C) & 0x50) == 0);  // no updates, no periodic ticks
  r.write(0x0A, 0x26);
  r.advance(kSecond / 2 - 1);
  CHECK(r.read(0) == 0x58);
  r.advance(1);
  CHECK(r.read(0) == 0x59);
}

TEST_CASE("rtc: index port keeps the NMI mask bit and is write-only") {
  Rig r;
  r.rtc.ioWrite(0x70, 1, 0x8D);
  CHECK(r.rtc.nmiMasked());
  CHECK(r.rtc.ioRead(0x71, 1) == 0x80);  // register D
  CHECK(r.rtc.ioRead(0x70, 1) == 0xFF);
  r.rtc.ioWrite(0x70, 1, 0x0D);
  CHECK_FALSE(r.rtc.nmiMasked());
}

TEST_CASE("rtc: CMOS RAM bytes keep what is written") {
  Rig r;
  for (int i = 0x0E; i < 0x80; ++i) {
    if (i == 0x32) continue;  // century is part of the clock
    r.write(static_cast<uint8_t>(i), static_cast<uint8_t>(i ^ 0xA5));
  }
  for (int i = 0x0E; i < 0x80; ++i) {
    if (i == 0x32) continue;
    CHECK(r.read(static_cast<uint8_t>(i)) == (i ^ 0xA5));
  }
}

TEST_CASE("cmos: memory size bytes for 64 MiB, 3 GiB and 6 GiB") {
  struct Expect { uint64_t ram; int ext; int ext16; int high; };
  const Expect cases[] = {
      {64 * MiB, 0xFC00, 0x0300, 0},  // 63 MiB above 1 MiB; 48 MiB above 16 MiB
      {3 * GiB, 0xFFFF, 0xBF00, 0},   // capped; (3 GiB - 16 MiB) / 64 KiB
      {6 * GiB, 0xFFFF, 0xBF00, 0x00C000},  // 3 GiB remapped above 4 GiB
  };
  for (auto c : cases) {
    CAPTURE(c.ram);
    Rig r(kMidnight, c.ram);
    CHECK((r.read(0x15) | r.read(0x16) << 8) == 640);
    CHECK((r.read(0x17) | r.read(0x18) << 8) == c.ext);
    CHECK((r.read(0x30) | r.read(0x31) << 8) == c.ext);
    CHECK((r.read(0x34) | r.read(0x35) << 8) == c.ext16);
    CHECK((r.read(0x5B) | r.read(0x5C) << 8 | r.read(0x5D) << 16) == c.high);
  }
}

TEST_CASE("cmos: configuration bytes SeaBIOS reads") {
  FakeClock clock;
  CmosBoardConfig b;
  b.ram_bytes = 128 * MiB;
  b.cpu_count = 4;
  b.floppy_types = 0x40;  // A: 1.44 MB
  b.boot_order = {BootDevice::Cdrom, BootDevice::HardDisk, BootDevice::Network};
  b.check_floppy_signature = false;
  CmosRtc rtc(clock, nullptr, kMidnight, b);
  CHECK(rtc.peek(0x5F) == 3);
  CHECK(rtc.peek(0x10) == 0x40);
  CHECK(rtc.peek(0x14) == 0x07);  // floppy, FPU, PS/2 mouse, VGA
  CHECK(rtc.peek(0x0F) == 0x00);
  CHECK(rtc.peek(0x3D) == 0x23);  // CD first, then hard disk
  CHECK(rtc.peek(0x38) == 0x41);  // network third; floppy signature check off
  CHECK(rtc.peek(0x32) == 0x20);

  // Defaults: QEMU's "cad" order, one CPU, no floppy.
  CmosRtc plain(clock, nullptr, kMidnight, Rig::board(64 * MiB));
  CHECK(plain.peek(0x3D) == 0x12);
  CHECK(plain.peek(0x38) == 0x30);
  CHECK(plain.peek(0x5F) == 0);
  CHECK(plain.peek(0x10) == 0);
  CHECK(plain.peek(0x14) == 0x06);
}

TEST_CASE("rtc: reset clears enables and flags but keeps the time") {
  Rig r;
  r.write(0x0B, 0x72);
  r.advance(kSecond);
  CHECK(r.irq());
  r.rtc.reset();
  CHECK_FALSE(r.irq());
  CHECK(r.read(0x0B) == 0x02);
  CHECK(r.read(0) == 0x59);
}

TEST_CASE("rtc: random guest programming never breaks the device") {
  Rig r;
  std::mt19937 rng(99);
  for (int i = 0; i < 200000; ++i) {
    uint16_t port = static_cast<uint16_t>(0x70 + rng() % 2);
    unsigned size = 1u << (rng() % 3);
    switch (rng() % 4) {
      case 0: r.rtc.ioWrite(port, size, rng()); break;
      case 1: r.rtc.ioRead(port, size); break;
      case 2: r.rtc.nextDeadlineNs(); break;
      default:
        r.clock.now += rng() % (rng() % 2 ? 2'000'000 : 100 * kSecond);
        r.rtc.advanceTo(r.clock.now);
        break;
    }
  }
  uint64_t d = r.rtc.nextDeadlineNs();
  CHECK((d == TimerDevice::kNoDeadline || d > r.clock.now));
}

TEST_CASE("rtc calendar: epoch round trip, leap years, and tolerant normalisation") {
  for (int64_t t = -86400LL * 800; t < 86400LL * 366 * 140; t += 86400LL * 37 + 3607)
    REQUIRE(epochFromCalendar(calendarFromEpoch(t)) == t);
  CalendarTime t = calendarFromEpoch(951782400);  // 2000-02-29 (a leap year: /400)
  CHECK(t.year == 2000);
  CHECK(t.month == 2);
  CHECK(t.day == 29);
  CHECK(t.weekday == 2);  // Tuesday
  CalendarTime feb30{2100, 2, 30, 0, 0, 0, 0};  // 2100 is not a leap year
  CalendarTime norm = calendarFromEpoch(epochFromCalendar(feb30));
  CHECK(norm.month == 3);
  CHECK(norm.day == 2);
  CalendarTime garbage{16665, 165, 165, 165, 165, 165, 0};  // BCD 0xFF everywhere
  (void)calendarFromEpoch(epochFromCalendar(garbage));     // defined, no crash
  RtcFormat bcd12{false, false};
  CHECK(bcd12.decode(0xFF) == 165);
  CHECK(bcd12.decodeHour(0x12) == 0);
  CHECK(bcd12.decodeHour(0x92) == 12);
}

TEST_CASE("rtc: on the I/O bus at 0x70/0x71") {
  Rig r;
  IoBus bus;
  bus.registerPorts(CmosRtc::kIndexPort, CmosRtc::kPortCount, r.rtc, "rtc");
  bus.write(0x70, 1, 0x80 | 0x0B);  // NMI masked while programming, as BIOSes do
  bus.write(0x71, 1, 0x06);
  CHECK(r.rtc.nmiMasked());
  bus.write(0x70, 1, 0x04);
  CHECK(bus.read(0x71, 1) == 23);
}
