// The 8259A pair with the PIIX3 ELCR, through its ports and the INTA cycle
// (8259A datasheet: ICWs, OCWs, priority modes, poll; PIIX3 ELCR).
#include <doctest/doctest.h>

#include <vector>

#include "devices/pic8259.h"

using namespace sv;

namespace {
struct Board {
  std::vector<int> intr;  // every change of INTR
  Pic8259 pic{[this](bool level) { intr.push_back(level ? 1 : 0); }};
  void out(uint16_t port, uint8_t v) { pic.ioWrite(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(pic.ioRead(port, 1)); }
  // What PC firmware does: vectors 0x20/0x28, slave on IR2, 8086 mode.
  void init(uint8_t master_icw4 = 0x01, uint8_t slave_icw4 = 0x01) {
    out(0x20, 0x11), out(0x21, 0x20), out(0x21, 0x04), out(0x21, master_icw4);
    out(0xA0, 0x11), out(0xA1, 0x28), out(0xA1, 0x02), out(0xA1, slave_icw4);
    out(0x21, 0x00), out(0xA1, 0x00);
  }
  void pulse(unsigned irq) { pic.setIrq(irq, true), pic.setIrq(irq, false); }
  uint8_t isr(uint16_t base) { return out(base, 0x0B), in(base); }
  uint8_t irr(uint16_t base) { return out(base, 0x0A), in(base); }
  void eoi(uint16_t base) { out(base, 0x20); }
};
}  // namespace

TEST_CASE("pic: before initialisation every input is masked") {
  Board b;
  b.pic.setIrq(1, true);
  CHECK_FALSE(b.pic.intr());
  CHECK(b.in(0x21) == 0xFF);
  CHECK(b.in(0xA1) == 0xFF);
}

TEST_CASE("pic: ICW1 clears IMR and ISR, an edge input needs a new rising edge") {
  Board b;
  b.init();
  b.pic.setIrq(1, true);
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x21);
  CHECK(b.isr(0x20) == 0x02);
  b.init();
  CHECK(b.isr(0x20) == 0x00);
  CHECK(b.in(0x21) == 0x00);
  CHECK_FALSE(b.pic.intr());  // IRQ1 is still high, but no new edge
  b.pulse(1);
  b.pic.setIrq(1, true);
  CHECK(b.pic.intr());
}

TEST_CASE("pic: fixed priority, fully nested mode and non-specific EOI") {
  Board b;
  b.init();
  b.pic.setIrq(3, true);
  b.pic.setIrq(5, true);
  CHECK(b.irr(0x20) == 0x28);
  CHECK(b.pic.acknowledge() == 0x23);
  CHECK(b.isr(0x20) == 0x08);
  CHECK(b.irr(0x20) == 0x20);
  CHECK_FALSE(b.pic.intr());  // IRQ5 is lower than IRQ3 in service
  b.pic.setIrq(1, true);
  CHECK(b.pic.intr());        // IRQ1 is higher: nests
  CHECK(b.pic.acknowledge() == 0x21);
  CHECK(b.isr(0x20) == 0x0A);
  b.eoi(0x20);  // ends IRQ1, the highest in service
  CHECK(b.isr(0x20) == 0x08);
  CHECK_FALSE(b.pic.intr());
  b.eoi(0x20);
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x25);
}

TEST_CASE("pic: specific EOI ends the named level") {
  Board b;
  b.init();
  b.pic.setIrq(4, true);
  b.pic.acknowledge();
  b.pic.setIrq(0, true);
  b.pic.acknowledge();
  CHECK(b.isr(0x20) == 0x11);
  b.out(0x20, 0x64);  // specific EOI, level 4
  CHECK(b.isr(0x20) == 0x01);
}

TEST_CASE("pic: IMR masks a request, unmasking delivers it") {
  Board b;
  b.init();
  b.out(0x21, 0x01);
  b.pic.setIrq(0, true);
  CHECK_FALSE(b.pic.intr());
  CHECK(b.irr(0x20) == 0x01);
  b.out(0x21, 0x00);
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x20);
}

TEST_CASE("pic: automatic EOI leaves ISR clear") {
  Board b;
  b.init(0x03);  // master: 8086, AEOI
  b.pic.setIrq(6, true);
  CHECK(b.pic.acknowledge() == 0x26);
  CHECK(b.isr(0x20) == 0);
  b.pulse(6);
  b.pic.setIrq(6, true);
  CHECK(b.pic.intr());
}

TEST_CASE("pic: rotate on non-specific EOI makes the ended level the lowest") {
  Board b;
  b.init();
  b.pic.setIrq(1, true);
  CHECK(b.pic.acknowledge() == 0x21);
  b.out(0x20, 0xA0);  // rotate on non-specific EOI: IR1 lowest, IR2 highest
  b.pic.setIrq(0, true);
  b.pic.setIrq(3, true);
  CHECK(b.pic.acknowledge() == 0x23);  // IR3 now outranks IR0
  CHECK(b.pic.master().lowest == 1);
}

TEST_CASE("pic: set priority and rotate on specific EOI") {
  Board b;
  b.init();
  b.out(0x20, 0xC5);  // IR5 lowest: IR6 highest
  b.pic.setIrq(4, true);
  b.pic.setIrq(6, true);
  CHECK(b.pic.acknowledge() == 0x26);
  b.out(0x20, 0xE6);  // rotate on specific EOI of 6: IR6 lowest, IR7 highest
  CHECK(b.isr(0x20) == 0);
  CHECK(b.pic.master().lowest == 6);
  b.pic.setIrq(7, true);
  CHECK(b.pic.acknowledge() == 0x27);
}

TEST_CASE("pic: rotate in automatic EOI mode") {
  Board b;
  b.init(0x03);
  b.out(0x20, 0x80);  // set rotate in AEOI
  b.pic.setIrq(0, true);
  CHECK(b.pic.acknowledge() == 0x20);
  CHECK(b.pic.master().lowest == 0);
  b.out(0x20, 0x00);  // clear rotate in AEOI
  b.pic.setIrq(3, true);
  CHECK(b.pic.acknowledge() == 0x23);
  CHECK(b.pic.master().lowest == 0);
}

TEST_CASE("pic: special mask mode lets lower priorities in while one is in service") {
  Board b;
  b.init();
  b.pic.setIrq(3, true);
  CHECK(b.pic.acknowledge() == 0x23);
  b.pic.setIrq(5, true);
  CHECK_FALSE(b.pic.intr());
  b.out(0x21, 0x08);  // mask IR3 (in service)
  b.out(0x20, 0x68);  // OCW3: set special mask mode
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x25);
  CHECK(b.isr(0x20) == 0x28);
  b.eoi(0x20);  // non-specific EOI skips the masked IR3
  CHECK(b.isr(0x20) == 0x08);
  b.out(0x20, 0x48);  // reset special mask mode
  b.out(0x20, 0x63);  // specific EOI 3
  CHECK(b.isr(0x20) == 0);
}

TEST_CASE("pic: poll command acknowledges through a read") {
  Board b;
  b.init();
  b.out(0x20, 0x0C);  // OCW3 poll
  CHECK(b.in(0x20) == 0x00);  // nothing requesting
  b.pic.setIrq(4, true);
  b.out(0x20, 0x0C);
  CHECK(b.in(0x21) == 0x84);  // either address answers a poll
  CHECK(b.isr(0x20) == 0x10);
  CHECK_FALSE(b.pic.intr());
}

TEST_CASE("pic: a request that vanished before INTA gives the spurious IR7 vector") {
  Board b;
  b.init();
  b.pic.setIrq(3, true);
  CHECK(b.pic.intr());
  b.pic.setIrq(3, false);  // edge input dropped before INTA: no request
  CHECK_FALSE(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x27);
  CHECK(b.isr(0x20) == 0);  // a spurious IR7 sets no ISR bit
}

TEST_CASE("pic: cascade: a slave request goes through master IR2") {
  Board b;
  b.init();
  b.pic.setIrq(10, true);
  CHECK(b.pic.intr());
  CHECK(b.irr(0x20) == 0x04);
  CHECK(b.pic.acknowledge() == 0x2A);
  CHECK(b.isr(0x20) == 0x04);
  CHECK(b.isr(0xA0) == 0x04);
  // A lower slave request waits for the slave EOI, a master IRQ1 nests.
  b.pic.setIrq(12, true);
  CHECK_FALSE(b.pic.intr());
  b.pic.setIrq(1, true);
  CHECK(b.pic.acknowledge() == 0x21);
  b.eoi(0x20);  // IRQ1
  b.eoi(0xA0);  // IRQ10 on the slave
  CHECK_FALSE(b.pic.intr());  // master IR2 still in service
  b.eoi(0x20);
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x2C);
  CHECK(b.isr(0xA0) == 0x10);
}

TEST_CASE("pic: slave masked through its own IMR, IRQ2 is the cascade") {
  Board b;
  b.init();
  b.out(0xA1, 0x01);
  b.pic.setIrq(8, true);
  CHECK_FALSE(b.pic.intr());
  b.pic.setIrq(2, true);  // not a device line on the PC
  CHECK_FALSE(b.pic.intr());
  b.out(0xA1, 0x00);
  CHECK(b.pic.acknowledge() == 0x28);
}

TEST_CASE("pic: ELCR level-triggered inputs request while high") {
  Board b;
  b.init();
  b.out(0x4D0, 0xFF);
  b.out(0x4D1, 0xFF);
  CHECK(b.in(0x4D0) == 0xF8);  // IRQ0-2 are edge only
  CHECK(b.in(0x4D1) == 0xDE);  // IRQ8 and IRQ13 are edge only
  b.pic.setIrq(11, true);
  CHECK(b.pic.acknowledge() == 0x2B);
  b.eoi(0xA0);
  b.eoi(0x20);
  CHECK(b.pic.intr());  // still high: requests again
  CHECK(b.pic.acknowledge() == 0x2B);
  b.pic.setIrq(11, false);
  b.eoi(0xA0);
  b.eoi(0x20);
  CHECK_FALSE(b.pic.intr());
  CHECK(b.irr(0xA0) == 0);
  // An edge input held high does not request again after its EOI.
  b.pic.setIrq(1, true);
  CHECK(b.pic.acknowledge() == 0x21);
  b.eoi(0x20);
  CHECK_FALSE(b.pic.intr());
}

TEST_CASE("pic: special fully nested mode lets a higher slave request through") {
  Board b;
  b.init(0x11);  // master SFNM
  b.pic.setIrq(12, true);
  CHECK(b.pic.acknowledge() == 0x2C);
  b.pic.setIrq(9, true);
  CHECK(b.pic.intr());
  CHECK(b.pic.acknowledge() == 0x29);
}

TEST_CASE("pic: any byte sequence on its ports never crashes") {
  Board b;
  uint32_t x = 12345;
  const uint16_t ports[] = {0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1};
  for (int i = 0; i < 20000; ++i) {
    x = x * 1103515245u + 12345u;
    const uint16_t port = ports[(x >> 8) % 6];
    if (x & 0x10000) b.out(port, static_cast<uint8_t>(x >> 20));
    else (void)b.in(port);
    b.pic.setIrq((x >> 24) & 15, x & 0x20000);
    if (b.pic.intr()) (void)b.pic.acknowledge();
  }
}
