// The 8254 at ports 0x40-0x43 on a fake virtual clock: control words,
// counter latch and read-back commands, IRQ0 edges and deadlines.
#include <doctest/doctest.h>

#include <vector>

#include "devices/pit8254.h"

using namespace sv;

namespace {
struct FakeClock : DeviceClock {
  uint64_t ns = 0;
  uint64_t nowNs() override { return ns; }
};

struct Bench {
  FakeClock clock;
  std::vector<int> irq0;  // every reported level
  int deadline_changes = 0;
  Pit8254 pit{clock, [this](bool level) { irq0.push_back(level ? 1 : 0); }};
  Bench() {
    pit.setDeadlineChangedCallback([this] { ++deadline_changes; });
    irq0.clear();
  }
  void out(uint16_t port, uint8_t v) { pit.ioWrite(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(pit.ioRead(port, 1)); }
  void atTick(int64_t t) { clock.ns = Pit8254::nsOfTick(t); }
};
}  // namespace

TEST_CASE("pit8254: tick and ns conversions round trip") {
  CHECK(Pit8254::tickAt(0) == 0);
  CHECK(Pit8254::tickAt(1'000'000'000) == 1'193'182);
  for (int64_t t : {1ll, 2ll, 1000ll, 1'193'182ll, 123'456'789'012ll}) {
    CHECK(Pit8254::tickAt(Pit8254::nsOfTick(t)) == t);
    CHECK(Pit8254::tickAt(Pit8254::nsOfTick(t) - 1) == t - 1);
  }
}

TEST_CASE("pit8254: counter 0 in mode 2 pulses IRQ0 once per period") {
  Bench b;
  b.out(0x43, 0x34);  // counter 0, LSB then MSB, mode 2
  b.out(0x40, 100);
  b.out(0x40, 0);
  CHECK(b.deadline_changes == 3);
  // Loaded at tick 1; OUT low at tick 100, high again at 101.
  CHECK(b.pit.nextDeadlineNs() == Pit8254::nsOfTick(100));
  b.atTick(100);
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0});
  CHECK(b.pit.nextDeadlineNs() == Pit8254::nsOfTick(101));
  b.atTick(101);
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0, 1});
  // A late look that missed the whole pulse still delivers a rising edge.
  b.irq0.clear();
  b.atTick(250);
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0, 1});
}

TEST_CASE("pit8254: a rise that fell again before the look stays high until the next look") {
  Bench b;
  b.out(0x43, 0x36);  // mode 3, period 10: high 1..5, low 6..10
  b.out(0x40, 10);
  b.out(0x40, 0);
  b.atTick(7);
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0});
  b.atTick(13);  // missed the rise at 11 and is... still high (11..15)
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0, 1});
  b.irq0.clear();
  b.atTick(27);  // missed rise at 21 and fall at 26
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0, 1});
  CHECK(b.pit.nextDeadlineNs() == Pit8254::nsOfTick(28));  // the deferred fall
  b.atTick(28);
  b.pit.advanceTo(b.clock.ns);
  CHECK(b.irq0 == std::vector<int>{0, 1, 0});
}

TEST_CASE("pit8254: nothing armed after reset, no deadline") {
  Bench b;
  CHECK(b.pit.nextDeadlineNs() == TimerDevice::kNoDeadline);
  b.out(0x43, 0x30);  // mode 0: OUT low at once
  CHECK(b.irq0 == std::vector<int>{0});
  CHECK(b.pit.nextDeadlineNs() == TimerDevice::kNoDeadline);  // no count yet
}

TEST_CASE("pit8254: counter latch command through port 0x43") {
  Bench b;
  b.out(0x43, 0x74);  // counter 1, mode 2
  b.out(0x41, 0x00);
  b.out(0x41, 0x10);  // 0x1000
  b.atTick(0x11);     // CE = 0x1000 - 0x10
  b.out(0x43, 0x40);  // latch counter 1
  b.atTick(0x500);
  CHECK(b.in(0x41) == 0xF0);
  CHECK(b.in(0x41) == 0x0F);
  CHECK(b.in(0x43) == 0xFF);  // the control register is write-only
}

TEST_CASE("pit8254: read-back command latches status and count of several counters") {
  Bench b;
  b.out(0x43, 0xB0);  // counter 2, mode 0
  b.out(0x42, 0x20);
  b.out(0x42, 0x00);
  b.out(0x43, 0x34);  // counter 0, mode 2
  b.out(0x40, 0x08);
  b.out(0x40, 0x00);
  b.atTick(3);
  b.out(0x43, 0xC0 | 0x08 | 0x02);  // read-back: count and status of 0 and 2
  b.atTick(30);
  // Counter 2: GATE low (port 0x61 bit 0 is 0 at reset), count loaded but held.
  CHECK(b.in(0x42) == (0x30 | 0x00));  // OUT low, count loaded, LSB/MSB, mode 0
  CHECK(b.in(0x42) == 0x20);
  CHECK(b.in(0x42) == 0x00);
  CHECK(b.in(0x40) == (0x80 | 0x30 | 0x04));  // OUT high, mode 2
  CHECK(b.in(0x40) == 0x06);                  // tick 3: 8, 7, 6
  CHECK(b.in(0x40) == 0x00);
  // Status only (bit 5 set: no count latch).
  b.out(0x43, 0xE2);
  CHECK(b.in(0x40) == (0x80 | 0x30 | 0x04));
  CHECK(b.in(0x40) != (0x80 | 0x30 | 0x04));  // then the live count
}

TEST_CASE("pit8254: counter 2 GATE and OUT (the port 0x61 path)") {
  Bench b;
  b.out(0x43, 0xB0);  // counter 2, mode 0
  b.out(0x42, 5);
  b.out(0x42, 0);
  b.atTick(50);
  CHECK_FALSE(b.pit.out2());
  b.pit.setGate2(true);  // counting resumes with the next CLK: 4 at 51 ... 0 at 55
  b.atTick(54);
  CHECK_FALSE(b.pit.out2());
  b.atTick(55);
  CHECK(b.pit.out2());
  CHECK(b.irq0.empty());  // counter 2 has no interrupt line
}

TEST_CASE("pit8254: word accesses split into bytes, foreign ports ignored") {
  Bench b;
  b.out(0x43, 0x34);
  b.pit.ioWrite(0x40, 2, 0x0000);  // two bytes to 0x40 and 0x41
  CHECK(b.pit.counter(0).periodTicks() == 0);  // only the LSB reached counter 0
  b.out(0x40, 0x10);
  CHECK(b.pit.counter(0).periodTicks() == 0x1000);
  CHECK(b.pit.ioRead(0x43, 2) == 0xFFFFu);
}
