// The MP spec 1.4 tables for direct boot: signatures, checksums, lengths,
// entry order and the interrupt assignments Linux reads.
#include <doctest/doctest.h>

#include <cstring>

#include "devices/apic/apic_board.h"
#include "vmm/mp_table.h"

using namespace sv;

namespace {
uint8_t sum(const std::vector<uint8_t>& b, size_t from, size_t n) {
  uint8_t s = 0;
  for (size_t i = from; i < from + n; ++i) s = static_cast<uint8_t>(s + b[i]);
  return s;
}
uint16_t u16(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>(b[at] | (b[at + 1] << 8)); }
uint32_t u32(const std::vector<uint8_t>& b, size_t at) { return u16(b, at) | (static_cast<uint32_t>(u16(b, at + 2)) << 16); }

MpBoardDescription board() {
  MpBoardDescription d;
  d.cpu_apic_id = 0;
  d.local_apic_address = 0xFEE00000;
  d.io_apic_id = 1;
  d.io_apic_version = 0x20;
  d.io_apic_address = 0xFEC00000;
  d.pci_interrupts = {{3, 1}};
  return d;
}
}  // namespace

TEST_CASE("mp table: floating pointer and configuration table are well formed") {
  MemoryWrite w = buildMpTable(board());
  const auto& b = w.bytes;
  CHECK(w.addr == kMpTableAddress);
  REQUIRE(b.size() >= 16 + 44);
  CHECK(std::memcmp(b.data(), "_MP_", 4) == 0);
  CHECK(u32(b, 4) == kMpTableAddress + 16);
  CHECK(b[8] == 1);
  CHECK(b[9] == 4);
  CHECK(sum(b, 0, 16) == 0);
  CHECK(std::memcmp(b.data() + 16, "PCMP", 4) == 0);
  const uint16_t length = u16(b, 16 + 4);
  CHECK(16 + length == b.size());
  CHECK(sum(b, 16, length) == 0);
  CHECK(u32(b, 16 + 36) == 0xFEE00000u);
  // processor + 2 buses + I/O APIC + 15 ISA + 1 PCI + 2 local = 22 entries.
  CHECK(u16(b, 16 + 34) == 22);
}

TEST_CASE("mp table: entries in spec order with the board's routing") {
  const auto b = buildMpTable(board()).bytes;
  size_t at = 16 + 44;
  CHECK(b[at] == 0);      // processor
  CHECK(b[at + 3] == 3);  // enabled, BSP
  at += 20;
  CHECK(b[at] == 1);
  CHECK(std::memcmp(b.data() + at + 2, "PCI   ", 6) == 0);
  at += 8;
  CHECK(std::memcmp(b.data() + at + 2, "ISA   ", 6) == 0);
  at += 8;
  CHECK(b[at] == 2);
  CHECK(b[at + 1] == 1);
  CHECK(u32(b, at + 4) == 0xFEC00000u);
  at += 8;
  // ISA IRQ0 goes to pin 2; IRQ 2 (cascade) has no entry.
  CHECK(b[at] == 3);
  CHECK(b[at + 5] == 0);
  CHECK(b[at + 7] == 2);
  at += 8;
  CHECK(b[at + 5] == 1);
  CHECK(b[at + 7] == 1);
  at += 8;
  CHECK(b[at + 5] == 3);
  at += 8 * 13;
  // PCI device 3 INTA#: bus IRQ 3 << 2, PIRQ (3 + 0) % 4 = D, pin 19.
  CHECK(b[at] == 3);
  CHECK(b[at + 4] == 0);
  CHECK(b[at + 5] == 12);
  CHECK(b[at + 7] == apic_board::kPirqIoApicPinBase + 3);
  at += 8;
  CHECK(b[at] == 4);
  CHECK(b[at + 1] == 3);  // ExtINT
  CHECK(b[at + 7] == 0);  // LINT0
  at += 8;
  CHECK(b[at + 1] == 1);  // NMI
  CHECK(b[at + 7] == 1);  // LINT1
  CHECK(at + 8 == b.size());
}
