// The local APIC on a fake clock: priorities (TPR/PPR/APR), acceptance and
// EOI, ISR nesting, the spurious vector, ExtINT through LINT0 and the
// globally disabled pass-through, self IPIs, ESR, and the timer's periods
// and divide configuration.
#include <doctest/doctest.h>

#include <vector>

#include "devices/apic/local_apic.h"

using namespace sv;

namespace {
struct FakeClock : DeviceClock {
  uint64_t ns = 0;
  uint64_t nowNs() override { return ns; }
};

struct FakePic : InterruptAcknowledge {
  int acks = 0;
  uint8_t acknowledgeInterrupt() override { return ++acks, 0x08; }
};

namespace r {
constexpr uint32_t ID = 0x20, VER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xA0, EOI = 0xB0, LDR = 0xD0, DFR = 0xE0,
                   SVR = 0xF0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR = 0x300, ICR2 = 0x310,
                   TIMER = 0x320, LINT0 = 0x350, LINT1 = 0x360, ERROR = 0x370, INIT = 0x380, CUR = 0x390, DIV = 0x3E0;
}

struct Bench {
  FakeClock clock;
  FakePic pic;
  bool intr = false;
  int nmis = 0, deadline_changes = 0;
  std::vector<uint8_t> eois;
  LocalApic apic{clock, 0, wiring()};
  LocalApic::Wiring wiring() {
    LocalApic::Wiring w;
    w.intr = [this](bool l) { intr = l; };
    w.nmi = [this] { ++nmis; };
    w.eoi = [this](uint8_t v) { eois.push_back(v); };
    w.deadline_changed = [this] { ++deadline_changes; };
    w.ext_int = &pic;
    return w;
  }
  uint32_t rd(uint32_t o) { return apic.readRegister(o); }
  void wr(uint32_t o, uint32_t v) { apic.writeRegister(o, v); }
  void enable() { wr(r::SVR, 0x1FF); }
  void fixed(uint8_t v, bool level = false) { apic.deliverMessage(ApicDeliveryMode::Fixed, v, level, false, 0); }
  bool irrBit(uint8_t v) { return rd(r::IRR + (v >> 5) * 0x10) & (1u << (v & 31)); }
  bool isrBit(uint8_t v) { return rd(r::ISR + (v >> 5) * 0x10) & (1u << (v & 31)); }
};
}  // namespace

TEST_CASE("local apic: reset state, version and the virtual wire") {
  Bench b;
  CHECK(b.rd(r::ID) == 0);
  CHECK(b.rd(r::VER) == 0x50014);  // max LVT 5, integrated APIC
  CHECK(b.rd(r::SVR) == 0xFF);      // software disabled
  CHECK(b.rd(r::DFR) == 0xFFFFFFFF);
  CHECK(b.rd(r::TIMER) == 0x10000);
  CHECK(b.rd(r::LINT0) == 0x700);  // ExtINT, as the firmware leaves it
  CHECK(b.rd(r::LINT1) == 0x400);  // NMI
  CHECK(b.apic.baseMsr() == (0xFEE00000ull | LocalApic::kBaseMsrBsp | LocalApic::kBaseMsrEnable));
}

TEST_CASE("local apic: a software-disabled APIC takes no fixed interrupts and keeps LVTs masked") {
  Bench b;
  b.fixed(0x40);
  CHECK_FALSE(b.irrBit(0x40));
  b.wr(r::TIMER, 0x30);
  CHECK(b.rd(r::TIMER) == 0x10030);
  b.enable();
  b.wr(r::TIMER, 0x30);
  CHECK(b.rd(r::TIMER) == 0x30);
  b.wr(r::SVR, 0xFF);
  CHECK(b.rd(r::TIMER) == 0x10030);
}

TEST_CASE("local apic: the highest request above PPR is taken, ISR nesting and EOI order") {
  Bench b;
  b.enable();
  b.fixed(0x41);
  CHECK(b.intr);
  b.fixed(0x52);
  CHECK(b.apic.acknowledgeInterrupt() == 0x52);
  CHECK(b.isrBit(0x52));
  CHECK(b.rd(r::PPR) == 0x50);
  // 0x41 is below the in-service class: INTR drops until the EOI.
  CHECK_FALSE(b.intr);
  b.fixed(0x63);  // a higher class nests
  CHECK(b.intr);
  CHECK(b.apic.acknowledgeInterrupt() == 0x63);
  CHECK(b.rd(r::PPR) == 0x60);
  b.wr(r::EOI, 0);  // ends 0x63, the highest in service
  CHECK_FALSE(b.isrBit(0x63));
  CHECK(b.isrBit(0x52));
  CHECK_FALSE(b.intr);
  b.wr(r::EOI, 0);
  CHECK(b.intr);
  CHECK(b.apic.acknowledgeInterrupt() == 0x41);
  CHECK(b.eois.empty());  // all edge-triggered: nothing broadcast
}

TEST_CASE("local apic: TPR masks classes, PPR and APR follow SDM 11.8.3.1") {
  Bench b;
  b.enable();
  b.wr(r::TPR, 0x45);
  CHECK(b.rd(r::PPR) == 0x45);
  b.fixed(0x44);
  CHECK_FALSE(b.intr);  // class 4 is not above TPR class 4
  CHECK(b.rd(r::APR) == 0x45);
  b.fixed(0x51);
  CHECK(b.intr);
  CHECK(b.rd(r::APR) == 0x50);
  CHECK(b.apic.acknowledgeInterrupt() == 0x51);
  CHECK(b.rd(r::PPR) == 0x50);
  b.wr(r::EOI, 0);
  b.wr(r::TPR, 0x30);
  CHECK(b.intr);
  // CR8 is TPR[7:4].
  b.apic.setCr8(0xF);
  CHECK(b.rd(r::TPR) == 0xF0);
  CHECK_FALSE(b.intr);
  CHECK(b.apic.cr8() == 0xF);
}

TEST_CASE("local apic: priority raised between INTR and INTA gives the spurious vector") {
  Bench b;
  b.wr(r::SVR, 0x1EF);
  b.fixed(0x40);
  CHECK(b.intr);
  b.wr(r::TPR, 0x80);
  CHECK(b.apic.acknowledgeInterrupt() == 0xEF);
  CHECK_FALSE(b.isrBit(0xEF));
  CHECK(b.irrBit(0x40));
}

TEST_CASE("local apic: level-triggered vectors set TMR and broadcast their EOI") {
  Bench b;
  b.enable();
  b.fixed(0x70, true);
  CHECK((b.rd(r::TMR + 0x30) & (1u << (0x70 - 0x60))) != 0);
  CHECK(b.apic.acknowledgeInterrupt() == 0x70);
  b.wr(r::EOI, 0);
  REQUIRE(b.eois.size() == 1);
  CHECK(b.eois[0] == 0x70);
}

TEST_CASE("local apic: ExtINT on LINT0 forwards INTA to the 8259, disabled APIC passes INT through") {
  Bench b;
  b.apic.setLint(0, true);
  CHECK(b.intr);
  CHECK(b.apic.acknowledgeInterrupt() == 0x08);
  CHECK(b.pic.acks == 1);
  b.apic.setLint(0, false);
  CHECK_FALSE(b.intr);
  // Masking LINT0 cuts the 8259 off.
  b.enable();
  b.wr(r::LINT0, 0x10700);
  b.apic.setLint(0, true);
  CHECK_FALSE(b.intr);
  // Globally disabled: the 8259's INT is the CPU's INTR.
  CHECK(b.apic.setBaseMsr(0xFEE00000ull | LocalApic::kBaseMsrBsp));
  CHECK(b.intr);
  CHECK(b.apic.acknowledgeInterrupt() == 0x08);
  CHECK_FALSE(b.apic.globallyEnabled());
  CHECK(b.rd(r::SVR) == 0xFF);  // back to the power-up state
}

TEST_CASE("local apic: base MSR rejects reserved bits and keeps BSP") {
  Bench b;
  CHECK_FALSE(b.apic.setBaseMsr(0xFEE00000ull | (1u << 10)));  // x2APIC enable
  CHECK_FALSE(b.apic.setBaseMsr(0xFEE00001ull));
  std::vector<uint64_t> moves;
  LocalApic::Wiring w = b.wiring();
  w.moved = [&](uint64_t base) { moves.push_back(base); };
  LocalApic a{b.clock, 3, w};
  CHECK(a.readRegister(r::ID) == 0x03000000u);
  CHECK(a.setBaseMsr(0xFED00000ull | LocalApic::kBaseMsrEnable));
  CHECK(a.baseMsr() == (0xFED00000ull | LocalApic::kBaseMsrEnable | LocalApic::kBaseMsrBsp));
  REQUIRE(moves.size() == 2);
  CHECK(moves[0] == 0xFEE00000ull);
  CHECK(moves[1] == 0xFED00000ull);
}

TEST_CASE("local apic: LINT1 NMI and NMI IPIs") {
  Bench b;
  b.apic.setLint(1, true);
  CHECK(b.nmis == 1);
  b.apic.setLint(1, true);  // still high: no new edge
  CHECK(b.nmis == 1);
  b.enable();
  b.wr(r::ICR, 0x40400);  // NMI, shorthand self
  CHECK(b.nmis == 2);
}

TEST_CASE("local apic: self IPIs, destinations and illegal vectors in ESR") {
  Bench b;
  b.enable();
  b.wr(r::ICR, 0x40000 | 0x55);  // shorthand self, fixed
  CHECK(b.irrBit(0x55));
  b.wr(r::ICR, 0xC0000 | 0x56);  // all excluding self: nobody
  CHECK_FALSE(b.irrBit(0x56));
  b.wr(r::ICR2, 0x00000000);
  b.wr(r::ICR, 0x57);  // physical destination 0 = us
  CHECK(b.irrBit(0x57));
  b.wr(r::ICR2, 0x05000000);
  b.wr(r::ICR, 0x58);  // physical 5: nobody
  CHECK_FALSE(b.irrBit(0x58));
  // Logical flat: LDR bit 1 matches destination mask 0x02.
  b.wr(r::LDR, 0x02000000);
  b.wr(r::ICR2, 0x02000000);
  b.wr(r::ICR, 0x800 | 0x59);
  CHECK(b.irrBit(0x59));
  // Cluster model: cluster 0, member bit 1.
  b.wr(r::DFR, 0x0FFFFFFF);
  b.wr(r::ICR2, 0x12000000);
  b.wr(r::ICR, 0x800 | 0x5A);
  CHECK_FALSE(b.irrBit(0x5A));
  // An illegal vector: send and receive errors, visible after an ESR write.
  b.wr(r::ERROR, 0xFE);
  b.wr(r::ICR, 0x40000 | 0x05);
  CHECK(b.rd(r::ESR) == 0);
  b.wr(r::ESR, 0);
  CHECK(b.rd(r::ESR) == 0x60);
  CHECK(b.irrBit(0xFE));  // the error LVT fired
  b.wr(r::ESR, 0);
  CHECK(b.rd(r::ESR) == 0);
}

TEST_CASE("local apic: one-shot timer counts the divided clock and fires once") {
  Bench b;
  b.enable();
  b.wr(r::DIV, 0x3);  // divide by 16
  b.wr(r::TIMER, 0x31);
  b.clock.ns = 1000;
  b.wr(r::INIT, 100);
  CHECK(b.rd(r::CUR) == 100);
  CHECK(b.apic.nextDeadlineNs() == 1000 + 1600);
  b.clock.ns = 1000 + 16 * 40;
  CHECK(b.rd(r::CUR) == 60);
  b.apic.advanceTo(b.clock.ns);
  CHECK_FALSE(b.irrBit(0x31));
  b.clock.ns = 2600;
  b.apic.advanceTo(b.clock.ns);
  CHECK(b.irrBit(0x31));
  CHECK(b.rd(r::CUR) == 0);
  CHECK(b.apic.nextDeadlineNs() == TimerDevice::kNoDeadline);
}

TEST_CASE("local apic: periodic timer reloads, every divide code") {
  Bench b;
  b.enable();
  const std::pair<uint32_t, unsigned> codes[] = {{0x0, 2},  {0x1, 4},  {0x2, 8},   {0x3, 16},
                                                 {0x8, 32}, {0x9, 64}, {0xA, 128}, {0xB, 1}};
  for (auto [code, div] : codes) {
    b.clock.ns = 0;
    b.wr(r::DIV, code);
    b.wr(r::TIMER, 0x20031);  // periodic
    b.wr(r::INIT, 10);
    CHECK(b.apic.nextDeadlineNs() == 10ull * div);
    b.clock.ns = 25ull * div;  // two and a half periods
    CHECK(b.rd(r::CUR) == 5);
    b.apic.advanceTo(b.clock.ns);
    CHECK(b.apic.nextDeadlineNs() == 30ull * div);
    CHECK(b.apic.acknowledgeInterrupt() == 0x31);
    b.wr(r::EOI, 0);
  }
  b.wr(r::INIT, 0);  // a zero count stops the timer
  CHECK(b.apic.nextDeadlineNs() == TimerDevice::kNoDeadline);
}

TEST_CASE("local apic: a masked timer reports no deadline and a divide change keeps the count") {
  Bench b;
  b.enable();
  b.wr(r::DIV, 0xB);  // divide by 1
  b.wr(r::TIMER, 0x10031);
  b.wr(r::INIT, 1000);
  CHECK(b.apic.nextDeadlineNs() == TimerDevice::kNoDeadline);
  b.clock.ns = 400;
  b.wr(r::DIV, 0x0);  // divide by 2 from now: 600 left take 1200 ns
  CHECK(b.rd(r::CUR) == 600);
  b.wr(r::TIMER, 0x31);
  CHECK(b.apic.nextDeadlineNs() == 1600);
  CHECK(b.deadline_changes >= 3);
}
