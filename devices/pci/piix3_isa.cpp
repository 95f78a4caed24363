#include "devices/pci/piix3_isa.h"

namespace sv {

Piix3Isa::Piix3Isa(std::function<void(unsigned, bool)> set_irq)
    : PciFunction(PciId{0x8086, 0x7000, 0x00, 0x06, 0x01, 0x00, pci::kHeaderTypeMultiFunction}),
      set_irq_(std::move(set_irq)) {
  // Power-on values from the 82371SB register table (2.2).
  define16(pci::kCommand, 0x0007, 0x0008);  // I/O, memory, bus master always on; special cycles
  define16(pci::kStatus, 0x0200, 0, 0x7800);
  for (unsigned o = 0x40; o < 0x100; ++o) define8(o, 0, 0xFF);
  define8(0x4C, 0x4D, 0xFF);  // IORT
  define16(0x4E, 0x0003, 0xFFFF);  // XBCS
  for (unsigned i = 0; i < 4; ++i) define8(kPirqRc + i, 0x80, 0x8F);
  define8(0x69, 0x02, 0xFF);  // TOM
  define8(0x70, 0x80, 0xFF);  // MBIRQ0
  define8(0x71, 0x80, 0xFF);  // MBIRQ1
  define8(0x76, 0x0C, 0xFF);  // MBDMA0
  define8(0x77, 0x0C, 0xFF);  // MBDMA1
  define16(0x78, 0x0002, 0xFFFF);  // PCSC
  define8(0xA0, 0x08, 0xFF);  // SMICNTL
  define8(0xA8, 0x0F, 0xFF);  // FTMR
}

int Piix3Isa::routeOf(unsigned pirq) const {
  if (pirq >= 4) return -1;
  const uint8_t v = byte(kPirqRc + pirq);
  if (v & 0x80) return -1;
  const unsigned irq = v & 0x0F;
  // IRQ 0, 1, 2, 8 and 13 are reserved: such a route drives nothing.
  if (irq <= 2 || irq == 8 || irq == 13) return -1;
  return static_cast<int>(irq);
}

void Piix3Isa::setPirq(unsigned pirq, bool level) {
  if (pirq >= 4 || pirq_level_[pirq] == level) return;
  pirq_level_[pirq] = level;
  updateIrqs();
}

void Piix3Isa::reset() {
  PciFunction::reset();
  pirq_level_ = {};
  updateIrqs();
}

void Piix3Isa::configChanged(unsigned offset, unsigned size) {
  if (offset < kPirqRc + 4 && offset + size > kPirqRc) updateIrqs();
}

// Several PIRQs may share an IRQ (wired OR of level-triggered lines).
void Piix3Isa::updateIrqs() {
  std::array<bool, 16> want{};
  for (unsigned p = 0; p < 4; ++p)
    if (int irq = routeOf(p); irq >= 0 && pirq_level_[p]) want[irq] = true;
  for (unsigned irq = 0; irq < 16; ++irq) {
    if (want[irq] == driven_[irq]) continue;
    driven_[irq] = want[irq];
    if (set_irq_) set_irq_(irq, want[irq]);
  }
}

}  // namespace sv
