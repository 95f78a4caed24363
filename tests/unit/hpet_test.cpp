// The HPET on a fake clock: capabilities, the 100 MHz main counter,
// one-shot and periodic comparators (64- and 32-bit), level status,
// routing and legacy replacement.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "devices/apic/hpet.h"
#include "devices/pic8259.h"

using namespace sv;

namespace {
struct FakeClock : DeviceClock {
  uint64_t ns = 0;
  uint64_t nowNs() override { return ns; }
};
constexpr uint64_t kCap = 0x000, kCfg = 0x010, kSts = 0x020, kCnt = 0x0F0;
constexpr uint64_t tcfg(unsigned n) { return 0x100 + 0x20 * n; }
constexpr uint64_t tcmp(unsigned n) { return 0x108 + 0x20 * n; }
constexpr uint64_t kLevel = 2, kEnb = 4, kPer = 8, kSet = 0x40, k32 = 0x100;

struct Bench {
  FakeClock clock;
  std::vector<std::pair<unsigned, bool>> pins, legacy;
  bool legacy_mode = false;
  Hpet hpet{clock, wiring()};
  Hpet::Wiring wiring() {
    Hpet::Wiring w;
    w.ioapic = [this](unsigned p, bool l) { pins.push_back({p, l}); };
    w.legacy = [this](unsigned irq, bool l) { legacy.push_back({irq, l}); };
    w.legacy_mode = [this](bool on) { legacy_mode = on; };
    return w;
  }
  uint64_t rd(uint64_t o) { return hpet.mmioRead(o, 8); }
  void wr(uint64_t o, uint64_t v) { hpet.mmioWrite(o, 8, v); }
  void at(uint64_t ns) {
    clock.ns = ns;
    hpet.advanceTo(ns);
  }
};
}  // namespace

TEST_CASE("hpet: capabilities and timer capabilities") {
  Bench b;
  const uint64_t cap = b.rd(kCap);
  CHECK((cap >> 32) == 10'000'000u);  // femtoseconds per tick
  CHECK((cap & 0xFF) == 1);           // revision
  CHECK(((cap >> 8) & 0x1F) == 2);    // 3 timers
  CHECK((cap & (1u << 13)));          // 64-bit counter
  CHECK((cap & (1u << 15)));          // legacy replacement capable
  CHECK(((cap >> 16) & 0xFFFF) == 0x8086);
  CHECK(b.hpet.mmioRead(kCap + 4, 4) == 10'000'000u);  // 32-bit halves
  for (unsigned n = 0; n < 3; ++n) {
    const uint64_t c = b.rd(tcfg(n));
    CHECK((c & 0x30) == 0x30);  // periodic and 64-bit capable
    CHECK((c >> 32) == apic_board::kHpetRouteCap);
    CHECK((c & (1u << 15)) == 0);  // no FSB delivery
  }
}

TEST_CASE("hpet: the main counter runs at 100 MHz only while enabled and is writable while halted") {
  Bench b;
  b.at(1000);
  CHECK(b.rd(kCnt) == 0);
  b.wr(kCfg, 1);
  b.at(1000 + 1'000'000'000);
  CHECK(b.rd(kCnt) == 100'000'000);
  b.wr(kCnt, 5);  // ignored while running
  CHECK(b.rd(kCnt) == 100'000'000);
  b.wr(kCfg, 0);
  b.at(5'000'000'000);
  CHECK(b.rd(kCnt) == 100'000'000);
  b.wr(kCnt, 7);
  CHECK(b.rd(kCnt) == 7);
  b.wr(kCfg, 1);
  b.at(5'000'000'000 + 100);
  CHECK(b.rd(kCnt) == 17);
}

TEST_CASE("hpet: one-shot comparator fires once at the match on its route (edge)") {
  Bench b;
  b.wr(tcfg(2), kEnb | (16u << 9));
  b.wr(tcmp(2), 500);
  b.wr(kCfg, 1);
  CHECK(b.hpet.nextDeadlineNs() == 5000);
  b.at(4990);
  CHECK(b.pins.empty());
  b.at(5000);
  REQUIRE(b.pins.size() == 2);  // a pulse
  CHECK(b.pins[0] == std::pair<unsigned, bool>{16, true});
  CHECK(b.pins[1] == std::pair<unsigned, bool>{16, false});
  CHECK(b.rd(kSts) == 0);  // edge mode sets no status
  b.at(100'000);
  CHECK(b.pins.size() == 2);
}

TEST_CASE("hpet: periodic comparator with VAL_SET, level status cleared by writing 1") {
  Bench b;
  b.wr(tcfg(0), kEnb | kPer | kSet | kLevel | (2u << 9));
  b.wr(tcmp(0), 100);  // comparator and period
  b.wr(tcmp(0), 100);  // period (VAL_SET has cleared)
  b.wr(kCfg, 1);
  b.at(1000);
  CHECK(b.rd(kSts) == 1);
  REQUIRE(b.pins.size() == 1);
  CHECK(b.pins[0] == std::pair<unsigned, bool>{2, true});
  CHECK(b.rd(tcmp(0)) == 200);
  b.wr(kSts, 1);
  CHECK(b.rd(kSts) == 0);
  CHECK(b.pins.back() == std::pair<unsigned, bool>{2, false});
  CHECK(b.hpet.nextDeadlineNs() == 2000);
  b.at(3500);  // two periods late: one interrupt, comparator past now
  CHECK(b.rd(kSts) == 1);
  CHECK(b.rd(tcmp(0)) == 400);
}

TEST_CASE("hpet: 32-bit mode compares the low half and wraps") {
  Bench b;
  b.wr(kCnt, 0xFFFFFFF0ull);
  b.wr(tcfg(1), kEnb | k32 | (8u << 9));
  b.wr(tcmp(1), 0x1'0000'0010ull);  // only the low 32 bits stay
  CHECK(b.rd(tcmp(1)) == 0x10);
  b.wr(kCfg, 1);
  CHECK(b.hpet.nextDeadlineNs() == 0x20 * 10);
  b.at(0x20 * 10);
  CHECK(b.pins.size() == 2);
}

TEST_CASE("hpet: legacy replacement routes timer 0 to IRQ0 and timer 1 to IRQ8") {
  Bench b;
  b.wr(tcfg(0), kEnb | (20u << 9));
  b.wr(tcfg(1), kEnb);
  b.wr(tcmp(0), 10);
  b.wr(tcmp(1), 20);
  b.wr(kCfg, 3);
  CHECK(b.legacy_mode);
  b.at(300);
  // Edges on the legacy routes are held (the 8259 needs the input high
  // until INTA): one rising edge each, no fall.
  const std::vector<std::pair<unsigned, bool>> rising{{0, true}, {8, true}};
  CHECK(b.legacy == rising);
  CHECK(b.pins.empty());
  b.wr(kCfg, 1);
  CHECK_FALSE(b.legacy_mode);
}

TEST_CASE("hpet: routes the capability does not list are refused") {
  Bench b;
  b.wr(tcfg(1), kEnb | (3u << 9));  // pin 3 is not in the capability
  CHECK(((b.rd(tcfg(1)) >> 9) & 0x1F) == 0);
  b.wr(tcfg(1), kEnb | (17u << 9));
  CHECK(((b.rd(tcfg(1)) >> 9) & 0x1F) == 17);
}

// Regression: with "noapic nolapic" Linux ticks from HPET timer 0 in legacy
// replacement mode through the 8259, whose edge input must stay high until
// INTA; a zero-width pulse left the guest without timer interrupts.
TEST_CASE("hpet: an edge interrupt on a legacy route stays asserted until the 8259 acknowledges it") {
  FakeClock clock;
  Pic8259 pic;
  Hpet::Wiring w;
  w.legacy = [&](unsigned irq, bool level) { pic.setIrq(irq, level); };
  Hpet hpet(clock, w);
  // ICW1-4: edge-triggered, vectors 0x20-0x27, master with a slave on IR2, 8086 mode; nothing masked.
  for (auto [port, v] : {std::pair{0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01}, {0x21, 0x00}})
    pic.ioWrite(static_cast<uint16_t>(port), 1, static_cast<uint32_t>(v));
  hpet.mmioWrite(tcfg(0), 8, kEnb | kPer | kSet);
  hpet.mmioWrite(tcmp(0), 8, 100);  // every 1 us
  hpet.mmioWrite(kCfg, 8, 3);       // enabled, legacy replacement
  for (unsigned tick = 1; tick <= 3; ++tick) {
    clock.ns = tick * 1000;
    hpet.advanceTo(clock.ns);
    REQUIRE(pic.intr());
    CHECK(pic.acknowledge() == 0x20);  // IRQ0, not the spurious IR7
    pic.ioWrite(0x20, 1, 0x20);        // non-specific EOI
    CHECK_FALSE(pic.intr());           // one interrupt per period
  }
}
