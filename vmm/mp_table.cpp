#include "vmm/mp_table.h"

#include <cstring>
#include <stdexcept>

#include "devices/apic/apic_board.h"

namespace sv {

namespace {

// Entry types and interrupt types (MP spec 1.4, 4.3, Table 4-3 and 4-9).
constexpr uint8_t kEntryProcessor = 0, kEntryBus = 1, kEntryIoApic = 2, kEntryIoInterrupt = 3, kEntryLocalInterrupt = 4;
constexpr uint8_t kIntInt = 0, kIntNmi = 1, kIntExtInt = 3;
// Interrupt flags: polarity bits 1:0, trigger bits 3:2 (00 = conforms to
// the bus: ISA edge/active high, PCI level/active low).
constexpr uint16_t kFlagsConforming = 0;
constexpr uint8_t kPciBusId = 0, kIsaBusId = 1;
constexpr uint8_t kAllLocalApics = 0xFF;

class Writer {
 public:
  void u8(uint8_t v) { bytes.push_back(v); }
  void u16(uint16_t v) { u8(static_cast<uint8_t>(v)), u8(static_cast<uint8_t>(v >> 8)); }
  void u32(uint32_t v) { u16(static_cast<uint16_t>(v)), u16(static_cast<uint16_t>(v >> 16)); }
  void text(const char* s, size_t n) {  // space-padded, no terminator
    for (size_t i = 0; i < n; ++i) u8(i < std::strlen(s) ? static_cast<uint8_t>(s[i]) : ' ');
  }
  void zeros(size_t n) { bytes.insert(bytes.end(), n, 0); }
  std::vector<uint8_t> bytes;
};

// Checksums make the bytes of a structure sum to 0 (mod 256).
void setChecksum(std::vector<uint8_t>& b, size_t begin, size_t end, size_t at) {
  uint8_t sum = 0;
  for (size_t i = begin; i < end; ++i) sum = static_cast<uint8_t>(sum + b[i]);
  b[at] = static_cast<uint8_t>(b[at] - sum);
}

void ioInterrupt(Writer& w, uint8_t type, uint16_t flags, uint8_t bus, uint8_t bus_irq, uint8_t apic, uint8_t pin) {
  w.u8(kEntryIoInterrupt), w.u8(type), w.u16(flags), w.u8(bus), w.u8(bus_irq), w.u8(apic), w.u8(pin);
}

}  // namespace

MemoryWrite buildMpTable(const MpBoardDescription& board) {
  constexpr size_t kFloatingSize = 16;
  const uint32_t table_address = static_cast<uint32_t>(kMpTableAddress + kFloatingSize);

  // Configuration table entries (4.3), in the order the spec requires:
  // processors, buses, I/O APICs, I/O interrupts, local interrupts.
  Writer e;
  uint16_t count = 0;
  // Processor: enabled (bit 0), bootstrap processor (bit 1).
  e.u8(kEntryProcessor), e.u8(board.cpu_apic_id), e.u8(board.cpu_apic_version), e.u8(0x3);
  e.u32(board.cpu_signature), e.u32(board.cpu_features), e.zeros(8);
  ++count;
  e.u8(kEntryBus), e.u8(kPciBusId), e.text("PCI", 6);
  e.u8(kEntryBus), e.u8(kIsaBusId), e.text("ISA", 6);
  count += 2;
  e.u8(kEntryIoApic), e.u8(board.io_apic_id), e.u8(board.io_apic_version), e.u8(1), e.u32(board.io_apic_address);
  ++count;
  // ISA IRQs 0-15 except the cascade (IRQ 2, no pin); IRQ0 goes to pin 2.
  for (uint8_t irq = 0; irq < 16; ++irq) {
    if (irq == 2) continue;
    ioInterrupt(e, kIntInt, kFlagsConforming, kIsaBusId, irq, board.io_apic_id,
                static_cast<uint8_t>(apic_board::isaIrqToIoApicPin(irq)));
    ++count;
  }
  // PCI: source bus IRQ = device << 2 | (pin - 1) (4.3.4); the PIIX3 swizzle
  // sends device d's INTx to PIRQ (d + x) mod 4 (as QEMU wires slots),
  // which is I/O APIC pin 16 + PIRQ.
  for (const auto& p : board.pci_interrupts) {
    if (p.pin < 1 || p.pin > 4 || p.device > 31) throw std::invalid_argument("MP table: bad PCI interrupt pin");
    const unsigned pirq = (p.device + p.pin - 1u) & 3u;
    ioInterrupt(e, kIntInt, kFlagsConforming, kPciBusId, static_cast<uint8_t>((p.device << 2) | (p.pin - 1u)),
                board.io_apic_id, static_cast<uint8_t>(apic_board::kPirqIoApicPinBase + pirq));
    ++count;
  }
  // Local interrupts: the 8259 on LINT0 (ExtINT), NMI on LINT1, to every
  // local APIC (virtual-wire mode, 3.6.2.2).
  e.u8(kEntryLocalInterrupt), e.u8(kIntExtInt), e.u16(kFlagsConforming), e.u8(kIsaBusId), e.u8(0), e.u8(kAllLocalApics), e.u8(0);
  e.u8(kEntryLocalInterrupt), e.u8(kIntNmi), e.u16(kFlagsConforming), e.u8(kIsaBusId), e.u8(0), e.u8(kAllLocalApics), e.u8(1);
  count += 2;

  Writer w;
  // MP floating pointer structure (4.1): "_MP_", table address, length in
  // 16-byte units, revision 1.4, checksum, feature bytes (all 0: a table
  // is present; IMCR absent, i.e. virtual-wire mode).
  w.text("_MP_", 4), w.u32(table_address), w.u8(1), w.u8(4), w.u8(0), w.zeros(5);
  setChecksum(w.bytes, 0, kFloatingSize, 10);
  // Configuration table header (4.2).
  const size_t header = w.bytes.size();
  const size_t length = 44 + e.bytes.size();
  w.text("PCMP", 4), w.u16(static_cast<uint16_t>(length)), w.u8(4), w.u8(0);
  w.text("SOFTVSR", 8), w.text("PC", 12);
  w.u32(0), w.u16(0), w.u16(count), w.u32(board.local_apic_address), w.u16(0), w.u8(0), w.u8(0);
  w.bytes.insert(w.bytes.end(), e.bytes.begin(), e.bytes.end());
  setChecksum(w.bytes, header, header + length, header + 7);
  if (w.bytes.size() > kMpTableSpace) throw std::invalid_argument("MP table does not fit in the last KiB of base memory");

  MemoryWrite out;
  out.addr = kMpTableAddress;
  out.bytes = std::move(w.bytes);
  out.what = "MP table";
  return out;
}

}  // namespace sv
