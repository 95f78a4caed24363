// One 8254 counter as a function of time: OUT waveforms and count
// sequences of every mode (82C54 datasheet, "Mode definitions"), GATE,
// reloads, latches and the status byte. A count written at tick 0 is
// loaded by the CLK edge of tick 1.
#include <doctest/doctest.h>

#include <vector>

#include "devices/pit_counter.h"

using namespace sv;

namespace {
// Control word for counter 0: RW bits 5-4, mode bits 3-1, BCD bit 0.
constexpr uint8_t cw(unsigned rw, unsigned mode, bool bcd = false) {
  return static_cast<uint8_t>(rw << 4 | mode << 1 | (bcd ? 1 : 0));
}

PitCounter programmed(unsigned mode, uint16_t count, bool gate = true, bool bcd = false) {
  PitCounter c;
  c.reset(0, gate);
  c.writeControl(cw(3, mode, bcd), 0);
  c.writeCount(static_cast<uint8_t>(count), 0);
  c.writeCount(static_cast<uint8_t>(count >> 8), 0);
  return c;
}

std::vector<uint16_t> counts(const PitCounter& c, int64_t from, int64_t to) {
  std::vector<uint16_t> v;
  for (int64_t t = from; t <= to; ++t) v.push_back(c.countRegister(t));
  return v;
}

std::vector<int> outs(const PitCounter& c, int64_t from, int64_t to) {
  std::vector<int> v;
  for (int64_t t = from; t <= to; ++t) v.push_back(c.out(t) ? 1 : 0);
  return v;
}

// Every OUT change found by nextOutChange agrees with out() tick by tick.
void checkChangesAgree(const PitCounter& c, int64_t to) {
  int64_t t = 0;
  for (;;) {
    const int64_t next = c.nextOutChange(t);
    const int64_t stop = next == PitCounter::kNever || next > to ? to : next;
    for (int64_t k = t + 1; k < stop; ++k) REQUIRE(c.out(k) == c.out(t));
    if (stop != next) break;
    REQUIRE(c.out(next) != c.out(next - 1));
    t = next;
  }
}
}  // namespace

TEST_CASE("pit: nothing counts before a count is written, OUT high after reset") {
  PitCounter c;
  c.reset(0, true);
  CHECK(c.out(0));
  CHECK(c.nextOutChange(0) == PitCounter::kNever);
  CHECK((c.status(5) & 0x40) != 0);  // null count
}

TEST_CASE("pit mode 0: OUT low, rises N+1 clocks after the write, counter wraps") {
  PitCounter c = programmed(0, 3);
  CHECK(outs(c, 0, 6) == std::vector<int>{0, 0, 0, 0, 1, 1, 1});
  CHECK(counts(c, 1, 5) == std::vector<uint16_t>{3, 2, 1, 0, 0xFFFF});
  CHECK(c.nextOutChange(0) == 4);
  CHECK(c.nextOutChange(4) == PitCounter::kNever);
  checkChangesAgree(c, 100);
}

TEST_CASE("pit mode 0: the first byte of a new count sets OUT low, the second reloads") {
  PitCounter c = programmed(0, 2);
  CHECK(c.out(5));
  c.writeCount(4, 5);
  CHECK_FALSE(c.out(5));
  CHECK_FALSE(c.out(20));  // counting disabled until the second byte
  c.writeCount(0, 20);
  CHECK(c.countRegister(21) == 4);
  CHECK(c.nextOutChange(20) == 25);
}

TEST_CASE("pit mode 0: GATE low suspends counting without touching OUT") {
  PitCounter c = programmed(0, 10);
  c.setGate(false, 3);  // counted ticks 1..3: CE 10, 9, 8
  CHECK(c.countRegister(3) == 8);
  CHECK(c.countRegister(50) == 8);
  CHECK_FALSE(c.out(50));
  c.setGate(true, 50);
  CHECK(c.countRegister(51) == 7);
  CHECK(c.nextOutChange(50) == 58);
  checkChangesAgree(c, 100);
}

TEST_CASE("pit mode 1: one-shot triggered by a GATE rising edge, retriggerable") {
  PitCounter c;
  c.reset(0, false);
  c.writeControl(cw(1, 1), 0);
  c.writeCount(3, 0);
  CHECK(c.out(10));
  CHECK(c.nextOutChange(0) == PitCounter::kNever);  // waits for a trigger
  c.setGate(true, 5);
  CHECK(outs(c, 5, 10) == std::vector<int>{1, 0, 0, 0, 1, 1});
  CHECK(counts(c, 6, 9) == std::vector<uint16_t>{3, 2, 1, 0});
  c.setGate(false, 20);
  c.setGate(true, 21);  // retrigger: another full one-shot
  CHECK(outs(c, 21, 26) == std::vector<int>{1, 0, 0, 0, 1, 1});
  // A retrigger during the one-shot restarts the count.
  c.setGate(false, 23);
  c.setGate(true, 23);
  CHECK(c.nextOutChange(23) == 27);
}

TEST_CASE("pit mode 2: OUT low for one clock when the count reaches 1, period N") {
  PitCounter c = programmed(2, 3);
  CHECK(outs(c, 0, 7) == std::vector<int>{1, 1, 1, 0, 1, 1, 0, 1});
  CHECK(counts(c, 1, 7) == std::vector<uint16_t>{3, 2, 1, 3, 2, 1, 3});
  CHECK(c.nextOutChange(0) == 3);
  CHECK(c.nextOutChange(3) == 4);
  CHECK(c.periodTicks() == 3);
  checkChangesAgree(c, 200);
}

TEST_CASE("pit mode 2: a new count takes effect at the end of the current period") {
  PitCounter c = programmed(2, 4);  // loads at 1, 5, 9 ...
  c.writeCount(2, 2);
  c.writeCount(0, 2);
  CHECK(counts(c, 1, 8) == std::vector<uint16_t>{4, 3, 2, 1, 2, 1, 2, 1});
  CHECK(outs(c, 1, 8) == std::vector<int>{1, 1, 1, 0, 1, 0, 1, 0});
  CHECK((c.status(3) & 0x40) != 0);  // null count until the new count is loaded
  CHECK((c.status(5) & 0x40) == 0);
  checkChangesAgree(c, 100);
}

TEST_CASE("pit mode 2: GATE low forces OUT high, a rising GATE reloads") {
  PitCounter c = programmed(2, 5);
  CHECK_FALSE(c.out(5));  // count 1
  c.setGate(false, 5);
  CHECK(c.out(5));
  CHECK(c.nextOutChange(5) == PitCounter::kNever);
  c.setGate(true, 10);
  CHECK(counts(c, 11, 16) == std::vector<uint16_t>{5, 4, 3, 2, 1, 5});
  checkChangesAgree(c, 100);
}

TEST_CASE("pit mode 3: even count, N/2 clocks high and N/2 low, decrements by two") {
  PitCounter c = programmed(3, 4);
  CHECK(outs(c, 1, 9) == std::vector<int>{1, 1, 0, 0, 1, 1, 0, 0, 1});
  CHECK(counts(c, 1, 5) == std::vector<uint16_t>{4, 2, 4, 2, 4});
  checkChangesAgree(c, 200);
}

TEST_CASE("pit mode 3: odd count, (N+1)/2 high and (N-1)/2 low, N-1 loaded") {
  PitCounter c = programmed(3, 5);
  CHECK(outs(c, 1, 11) == std::vector<int>{1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1});
  CHECK(counts(c, 1, 6) == std::vector<uint16_t>{4, 2, 0, 4, 2, 4});
  PitCounter d = programmed(3, 7);
  CHECK(outs(d, 1, 8) == std::vector<int>{1, 1, 1, 1, 0, 0, 0, 1});
  checkChangesAgree(c, 200);
  checkChangesAgree(d, 200);
}

TEST_CASE("pit mode 3: a new count waits for the end of the half-cycle") {
  PitCounter c = programmed(3, 8);  // high 1..4, low 5..8
  c.writeCount(4, 2);
  c.writeCount(0, 2);
  // The high half of 8 completes; the new count starts in the low half.
  CHECK(outs(c, 1, 11) == std::vector<int>{1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1});
  checkChangesAgree(c, 200);
}

TEST_CASE("pit mode 4: one-clock strobe N+1 clocks after the write, then high") {
  PitCounter c = programmed(4, 2);
  CHECK(outs(c, 0, 6) == std::vector<int>{1, 1, 1, 0, 1, 1, 1});
  CHECK(counts(c, 1, 4) == std::vector<uint16_t>{2, 1, 0, 0xFFFF});
  CHECK(c.nextOutChange(4) == PitCounter::kNever);  // no strobe after the wrap
  checkChangesAgree(c, 70000 * 2);
}

TEST_CASE("pit mode 5: strobe after a GATE trigger") {
  PitCounter c;
  c.reset(0, false);
  c.writeControl(cw(1, 5), 0);
  c.writeCount(2, 0);
  CHECK(c.nextOutChange(0) == PitCounter::kNever);
  c.setGate(true, 5);
  CHECK(outs(c, 5, 10) == std::vector<int>{1, 1, 1, 0, 1, 1});
}

TEST_CASE("pit: modes 6 and 7 act as 2 and 3, the status byte keeps M2-M0") {
  PitCounter c = programmed(6, 3);
  CHECK(outs(c, 1, 4) == std::vector<int>{1, 1, 0, 1});
  CHECK((c.status(10) & 0x0E) == (6 << 1));
}

TEST_CASE("pit: BCD counting, 0 means 10000") {
  PitCounter c = programmed(2, 0x0010, true, true);
  CHECK(counts(c, 1, 3) == std::vector<uint16_t>{0x10, 0x09, 0x08});
  CHECK(c.periodTicks() == 10);
  PitCounter z = programmed(2, 0, true, true);
  CHECK(z.periodTicks() == 10000);
  CHECK(z.countRegister(2) == 0x9999);
  PitCounter b = programmed(2, 0);
  CHECK(b.periodTicks() == 65536);
}

TEST_CASE("pit: the counter latch holds the count while counting goes on") {
  PitCounter c = programmed(2, 0x1234);
  c.latchCount(3);  // CE = 0x1232
  c.latchCount(9);  // ignored: the first latch is not read yet
  CHECK(c.read(100) == 0x32);
  CHECK(c.read(200) == 0x12);
  // Unlatched reads follow the counter.
  CHECK(c.read(5) == 0x30);
}

TEST_CASE("pit: LSB-only and MSB-only access") {
  PitCounter c;
  c.reset(0, true);
  c.writeControl(cw(2, 2), 0);  // MSB only
  c.writeCount(0x12, 0);
  CHECK(c.periodTicks() == 0x1200);
  CHECK(c.read(1) == 0x12);
  c.writeControl(cw(1, 2), 10);  // LSB only
  c.writeCount(0x34, 10);
  CHECK(c.periodTicks() == 0x34);
  CHECK(c.read(11) == 0x34);
}

TEST_CASE("pit: status byte: OUT, null count, RW, mode, BCD, status read before count") {
  PitCounter c;
  c.reset(0, true);
  c.writeControl(cw(3, 0), 0);
  CHECK(c.status(0) == (0x40 | 0x30 | 0x00));  // OUT low, null count
  c.writeCount(5, 0);
  c.writeCount(0, 0);
  CHECK((c.status(0) & 0x40) != 0);  // not loaded yet
  CHECK(c.status(1) == 0x30);
  c.latchStatus(10);
  c.latchCount(10);
  CHECK(c.read(20) == 0x80 + 0x30);  // OUT high (terminal count at 6)
  CHECK(c.read(20) == 0xFC);         // latched at 10: 5 - 9 = 0xFFFC, LSB
  CHECK(c.read(20) == 0xFF);
}

TEST_CASE("pit: a bad programming sequence never crashes") {
  PitCounter c;
  c.reset(0, true);
  for (unsigned mode = 0; mode < 8; ++mode) {
    for (unsigned count : {0u, 1u, 2u, 0xFFFFu}) {
      c.writeControl(cw(3, mode, mode & 1), 0);
      c.writeCount(static_cast<uint8_t>(count), 1);
      c.writeCount(static_cast<uint8_t>(count >> 8), 1);
      for (int64_t t = 0; t < 40; t += 3) {
        (void)c.nextOutChange(t);
        (void)c.out(t);
        (void)c.read(t);
        c.setGate(t & 4, t);
      }
    }
  }
}

TEST_CASE("pit: nextOutChange agrees with out() under random reprogramming") {
  uint32_t x = 2024;
  auto rnd = [&x](uint32_t n) {
    x = x * 1664525u + 1013904223u;
    return (x >> 8) % n;
  };
  for (int round = 0; round < 300; ++round) {
    PitCounter c;
    c.reset(0, rnd(2));
    int64_t t = 0;
    for (int op = 0; op < 12; ++op) {
      switch (rnd(5)) {
        case 0: c.writeControl(cw(3, rnd(6), false), t); break;
        case 1:
        case 2: {
          const uint16_t n = static_cast<uint16_t>(2 + rnd(12));
          c.writeCount(static_cast<uint8_t>(n), t);
          c.writeCount(static_cast<uint8_t>(n >> 8), t);
          break;
        }
        case 3: c.setGate(!c.gate(), t); break;
        default: c.latchCount(t), (void)c.read(t), (void)c.read(t); break;
      }
      const int64_t until = t + 1 + rnd(40);
      // Every change predicted from t is real, and none is missed.
      int64_t k = t;
      while (k < until) {
        const int64_t next = c.nextOutChange(k);
        const int64_t stop = next == PitCounter::kNever || next > until ? until : next;
        for (int64_t j = k + 1; j < stop; ++j) REQUIRE(c.out(j) == c.out(k));
        if (stop != next) break;
        REQUIRE(c.out(next) != c.out(next - 1));
        k = next;
      }
      t = until;
    }
  }
}
