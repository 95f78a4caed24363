#include "devices/pic8259.h"

namespace sv {

namespace {
constexpr uint8_t bit(unsigned n) { return static_cast<uint8_t>(1u << (n & 7)); }
}  // namespace

// ---------------------------------------------------------------- one chip

void Pic8259Chip::reset() {
  // Power-on state; the pin levels belong to the devices and survive.
  const uint8_t keep_lines = lines, keep_mask = elcr_mask;
  const bool keep_master = is_master;
  *this = Pic8259Chip{};
  lines = keep_lines, elcr_mask = keep_mask, is_master = keep_master;
}

int Pic8259Chip::highestPriority(uint8_t mask) const {
  // The level after `lowest` has the highest priority (8259A "Rotation").
  for (unsigned i = 1; i <= 8; ++i) {
    const unsigned level = (lowest + i) & 7;
    if (mask & bit(level)) return static_cast<int>(level);
  }
  return -1;
}

void Pic8259Chip::setLine(unsigned n, bool level) {
  const uint8_t b = bit(n);
  const bool was = lines & b;
  lines = level ? (lines | b) : (lines & ~b);
  if (elcr & b) {
    // Level-triggered (ELCR): the request is the line itself.
    irr = level ? (irr | b) : (irr & ~b);
  } else if (level && !was) {
    irr |= b;  // edge-triggered: latched by the rising edge
  } else if (!level) {
    // 8259A datasheet, "Edge triggered mode": the IR input must stay high
    // until the first INTA; a request that goes away is no request (and an
    // INTA that finds nothing yields the spurious IR7 vector).
    irr &= ~b;
  }
}

int Pic8259Chip::pending() const {
  const uint8_t req = irr & ~imr;
  if (!req) return -1;
  if (special_mask) {
    // Special mask mode: every unmasked level that is not itself in
    // service may interrupt, lower priorities included (datasheet, OCW3).
    return highestPriority(req & ~isr);
  }
  uint8_t in_service = isr;
  // Special fully nested mode: the master lets a higher-priority request of
  // the slave through while the slave's IR2 is in service (ICW4 SFNM).
  if (sfnm && is_master) in_service &= ~bit(2);
  const int r = highestPriority(req);
  const int s = highestPriority(in_service);
  if (s < 0) return r;
  // Fully nested: only a strictly higher priority than the one in service.
  const unsigned rank_r = (static_cast<unsigned>(r) - lowest - 1) & 7;
  const unsigned rank_s = (static_cast<unsigned>(s) - lowest - 1) & 7;
  return rank_r < rank_s ? r : -1;
}

void Pic8259Chip::acknowledge(unsigned n) {
  const uint8_t b = bit(n);
  // An edge request is consumed by the INTA; a level request stays in IRR
  // while the line is high (the ISR bit holds it off until EOI).
  if (!(elcr & b)) irr &= ~b;
  if (!auto_eoi) {
    isr |= b;
  } else if (rotate_on_aeoi) {
    lowest = static_cast<uint8_t>(n & 7);  // rotate in AEOI mode
  }
}

void Pic8259Chip::endOfInterrupt(int level, bool rotate) {
  if (level < 0) return;
  isr &= ~bit(static_cast<unsigned>(level));
  if (rotate) lowest = static_cast<uint8_t>(level);
}

void Pic8259Chip::writeCommand(uint8_t value) {
  if (value & 0x10) {
    // ICW1 (datasheet "Initialization Command Words"): the edge sense
    // circuit is reset (an edge input needs a new low-to-high transition),
    // IMR cleared, IR7 lowest priority, special mask mode cleared, status
    // read set to IRR, and without IC4 every ICW4 function is zero. ISR and
    // IRR are cleared as Bochs and QEMU do. LTIM (bit 3) is ignored: the
    // PIIX3 replaces it by the ELCR (PIIX3 datasheet, ICW1 bit 3).
    irr = lines & elcr;
    isr = 0;
    imr = 0;
    lowest = 7;
    special_mask = false;
    read_isr = false;
    poll = false;
    single = value & 0x02;
    expect_icw4 = value & 0x01;
    if (!expect_icw4) auto_eoi = false, sfnm = false;
    rotate_on_aeoi = false;
    init_step = 2;
    return;
  }
  if (value & 0x08) {
    // OCW3: poll, read register select, special mask mode.
    if (value & 0x04) poll = true;
    if (value & 0x02) read_isr = value & 0x01;
    if (value & 0x40) special_mask = value & 0x20;
    return;
  }
  // OCW2: R, SL, EOI in bits 7-5, level in bits 2-0.
  const unsigned level = value & 7;
  switch (value >> 5) {
    case 0: rotate_on_aeoi = false; break;                       // clear rotate in AEOI
    case 4: rotate_on_aeoi = true; break;                        // set rotate in AEOI
    case 1:                                                      // non-specific EOI
    case 5: {                                                    // rotate on non-specific EOI
      // The highest-priority level in service is the one being ended; in
      // special mask mode, masked ISR bits are not touched (datasheet).
      const int l = highestPriority(special_mask ? (isr & ~imr) : isr);
      endOfInterrupt(l, value & 0x80);
      break;
    }
    case 3: endOfInterrupt(static_cast<int>(level), false); break;  // specific EOI
    case 7: endOfInterrupt(static_cast<int>(level), true); break;   // rotate on specific EOI
    case 6: lowest = static_cast<uint8_t>(level); break;            // set priority
    default: break;                                                  // 2: no operation
  }
}

void Pic8259Chip::writeData(uint8_t value) {
  switch (init_step) {
    case 2:
      vector_base = value & 0xF8;  // x86 mode: T7-T3, the IR level fills bits 2-0
      init_step = single ? (expect_icw4 ? 4 : 0) : 3;
      return;
    case 3:
      // The PC wiring is fixed (slave on master IR2), so ICW3 is recorded
      // but does not reroute the cascade.
      icw3 = value;
      init_step = expect_icw4 ? 4 : 0;
      return;
    case 4:
      // uPM (bit 0, 8086 mode) is assumed; buffered mode (bits 3-2) has no
      // effect on a board with one bus.
      auto_eoi = value & 0x02;
      sfnm = value & 0x10;
      init_step = 0;
      return;
    default:
      imr = value;  // OCW1
  }
}

uint8_t Pic8259Chip::readCommand() {
  if (poll) {
    // Poll mode: this read is the interrupt acknowledge; the answer is
    // I (bit 7) and W2-W0, the highest-priority level requesting.
    poll = false;
    const int n = pending();
    if (n < 0) return 0;
    acknowledge(static_cast<unsigned>(n));
    return static_cast<uint8_t>(0x80 | n);
  }
  return read_isr ? isr : irr;
}

void Pic8259Chip::writeElcr(uint8_t value) {
  value &= elcr_mask;
  const uint8_t now_level = value & ~elcr;
  elcr = value;
  // An input that becomes level-triggered requests as long as it is high.
  irr = (irr & ~now_level) | (lines & now_level);
}

// ---------------------------------------------------------------- the pair

Pic8259::Pic8259(std::function<void(bool)> on_intr) : on_intr_(std::move(on_intr)) {
  chips_[0].is_master = true;
  // PIIX3 ELCR1/ELCR2: IRQ 0, 1, 2, 8 and 13 are edge only (reserved bits).
  chips_[0].elcr_mask = 0xF8;
  chips_[1].elcr_mask = 0xDE;
}

void Pic8259::setIntrCallback(std::function<void(bool)> on_intr) { on_intr_ = std::move(on_intr); }

void Pic8259::attach(IoBus& bus) {
  bus.registerPorts(0x20, 2, *this, "pic-master");
  bus.registerPorts(0xA0, 2, *this, "pic-slave");
  bus.registerPorts(0x4D0, 2, *this, "piix3-elcr");
}

void Pic8259::reset() {
  chips_[0].reset();
  chips_[1].reset();
  update();
}

void Pic8259::setIrq(unsigned irq, bool level) {
  if (irq >= 16 || irq == 2) return;
  chips_[irq >> 3].setLine(irq & 7, level);
  update();
}

void Pic8259::update() {
  // The slave's INT output drives master IR2 (edge-triggered: ELCR1 bit 2
  // is reserved), then the master's INT output is the CPU's INTR.
  chips_[0].setLine(2, chips_[1].pending() >= 0);
  const bool level = chips_[0].pending() >= 0;
  if (level != intr_) {
    intr_ = level;
    if (on_intr_) on_intr_(level);
  }
}

uint8_t Pic8259::acknowledge() {
  Pic8259Chip& m = chips_[0];
  Pic8259Chip& s = chips_[1];
  uint8_t vector;
  const int n = m.pending();
  if (n < 0) {
    // The request went away before INTA: the 8259A answers with IR7's
    // vector and sets no ISR bit (datasheet, "Edge triggered mode").
    vector = static_cast<uint8_t>(m.vector_base + 7);
  } else if (n == 2) {
    m.acknowledge(2);
    // The cascaded slave supplies the vector on the second INTA; if its
    // request vanished it answers IR7 (IRQ 15) and the master's ISR2 stays
    // set, which Linux's spurious IRQ15 handler ends with a master EOI.
    const int sn = s.pending();
    if (sn < 0) {
      vector = static_cast<uint8_t>(s.vector_base + 7);
    } else {
      s.acknowledge(static_cast<unsigned>(sn));
      vector = static_cast<uint8_t>(s.vector_base + sn);
    }
    // The slave's INT drops during its INTA cycle; if it still has a
    // request afterwards (AEOI), its INT rises again: a new edge on IR2.
    m.setLine(2, false);
  } else {
    m.acknowledge(static_cast<unsigned>(n));
    vector = static_cast<uint8_t>(m.vector_base + n);
  }
  update();
  return vector;
}

uint8_t Pic8259::readByte(uint16_t port) {
  switch (port) {
    case 0x20: case 0xA0: case 0x21: case 0xA1: {
      Pic8259Chip& c = chips_[port >= 0xA0];
      if (c.poll) {  // a poll is answered by the next read, at either address
        const uint8_t v = c.readCommand();
        update();
        return v;
      }
      return (port & 1) ? c.imr : c.readCommand();
    }
    case 0x4D0: return chips_[0].elcr;
    case 0x4D1: return chips_[1].elcr;
    default: return 0xFF;
  }
}

void Pic8259::writeByte(uint16_t port, uint8_t value) {
  switch (port) {
    case 0x20: case 0xA0: chips_[port >= 0xA0].writeCommand(value); break;
    case 0x21: case 0xA1: chips_[port >= 0xA0].writeData(value); break;
    case 0x4D0: chips_[0].writeElcr(value); break;
    case 0x4D1: chips_[1].writeElcr(value); break;
    default: return;
  }
  update();
}

// Wider accesses are split into byte accesses to consecutive ports, as the
// ISA bus does for an 8-bit device.
uint32_t Pic8259::ioRead(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint32_t>(readByte(static_cast<uint16_t>(port + i))) << (8 * i);
  return v;
}

void Pic8259::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) writeByte(static_cast<uint16_t>(port + i), static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace sv
