#include <doctest/doctest.h>

#include <vector>

#include "memory/physical_memory.h"

using namespace sv;

namespace {
struct RecordingMmio : MmioHandler {
  uint64_t last_offset = ~0ull, last_value = 0;
  unsigned last_size = 0;
  uint64_t mmioRead(uint64_t offset, unsigned size) override {
    last_offset = offset, last_size = size;
    return 0x1122334455667788ull & (size >= 8 ? ~0ull : (1ull << (size * 8)) - 1);
  }
  void mmioWrite(uint64_t offset, unsigned size, uint64_t value) override {
    last_offset = offset, last_size = size, last_value = value;
  }
};
}  // namespace

TEST_CASE("RAM reads back what was written, little-endian") {
  PhysicalMemory mem(1 << 20);
  mem.write(0x1000, 4, 0xdeadbeef);
  CHECK(mem.read(0x1000, 1) == 0xef);
  CHECK(mem.read(0x1002, 2) == 0xdead);
  CHECK(mem.read(0x1000, 8) == 0xdeadbeef);
  REQUIRE(mem.hostPointer(0x1000, true) == mem.ramHost() + 0x1000);
}

TEST_CASE("unassigned physical addresses read as all ones and ignore writes") {
  PhysicalMemory mem(1 << 20);
  CHECK(mem.find(1 << 20) == nullptr);
  CHECK(mem.read(1 << 20, 1) == 0xff);
  CHECK(mem.read(1 << 20, 4) == 0xffffffffu);
  CHECK(mem.read(1 << 20, 8) == ~0ull);
  mem.write(1 << 20, 4, 0);  // must not crash
  CHECK(mem.hostPointer(1 << 20, false) == nullptr);
}

TEST_CASE("ROM is readable, not writable, and shadows RAM beneath it") {
  PhysicalMemory mem(2 << 20);
  mem.write(0xF0000, 1, 0x42);
  std::vector<uint8_t> image(4096, 0xAB);
  image[0] = 0x12;
  mem.addRom(0xF0000, image, "test-rom");
  CHECK(mem.read(0xF0000, 1) == 0x12);
  mem.write(0xF0000, 1, 0x99);
  CHECK(mem.read(0xF0000, 1) == 0x12);
  CHECK(mem.hostPointer(0xF0000, false) != nullptr);
  CHECK(mem.hostPointer(0xF0000, true) == nullptr);
  // The RAM underneath kept its own contents.
  CHECK(mem.ramHost()[0xF0000] == 0x42);
}

TEST_CASE("a ROM image shorter than a page is padded with 0xFF") {
  PhysicalMemory mem(1 << 20);
  std::vector<uint8_t> image(10, 0);
  mem.addRom(0xFFFF0000, image, "short");
  CHECK(mem.read(0xFFFF0009, 1) == 0);
  CHECK(mem.read(0xFFFF000A, 1) == 0xFF);
  CHECK(mem.read(0xFFFF0FFF, 1) == 0xFF);
  CHECK(mem.find(0xFFFF1000) == nullptr);
}

TEST_CASE("misaligned ROM and MMIO mappings are refused") {
  PhysicalMemory mem(1 << 20);
  std::vector<uint8_t> image(4096);
  RecordingMmio mmio;
  CHECK_THROWS_AS(mem.addRom(0x800, image, "bad"), std::invalid_argument);
  CHECK_THROWS_AS(mem.addRom(0x1000, std::span<const uint8_t>(), "empty"), std::invalid_argument);
  CHECK_THROWS_AS(mem.addMmio(0x1000, 0x800, mmio, "bad"), std::invalid_argument);
  CHECK_THROWS_AS(PhysicalMemory(12345), std::invalid_argument);
}

TEST_CASE("MMIO accesses reach the handler with window-relative offsets") {
  PhysicalMemory mem(1 << 20);
  RecordingMmio mmio;
  mem.addMmio(0xFEC00000, 0x1000, mmio, "ioapic");
  CHECK(mem.read(0xFEC00010, 4) == 0x55667788u);
  CHECK(mmio.last_offset == 0x10);
  CHECK(mmio.last_size == 4);
  mem.write(0xFEC00FFC, 2, 0xBEEF);
  CHECK(mmio.last_offset == 0xFFC);
  CHECK(mmio.last_value == 0xBEEF);
  CHECK(mem.hostPointer(0xFEC00000, false) == nullptr);
  // The window ends exactly at its size.
  CHECK(mem.find(0xFEC01000) == nullptr);
}

TEST_CASE("RAM above the PCI hole is remapped above 4 GiB") {
  PhysicalMemory mem(PhysicalMemory::kPciHoleStart + (1 << 20));
  CHECK(mem.ramBelow4G() == PhysicalMemory::kPciHoleStart);
  CHECK(mem.find(PhysicalMemory::kPciHoleStart) == nullptr);
  const MemoryRegion* high = mem.find(PhysicalMemory::kHighRamBase);
  REQUIRE(high != nullptr);
  CHECK(high->size == (1 << 20));
  mem.write(PhysicalMemory::kHighRamBase + 8, 8, 0x0102030405060708ull);
  CHECK(mem.ramHost()[PhysicalMemory::kPciHoleStart + 8] == 0x08);
  CHECK(mem.find(PhysicalMemory::kHighRamBase + (1 << 20)) == nullptr);
}

TEST_CASE("block copies cross page and region boundaries") {
  PhysicalMemory mem(1 << 20);
  std::vector<uint8_t> rom(4096, 0x77);
  mem.addRom(0x3000, rom, "rom");
  std::vector<uint8_t> data(3 * 4096);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  mem.writeBlock(0x1800, data.data(), data.size());  // 0x1800..0x47FF, ROM at 0x3000 ignores writes
  std::vector<uint8_t> back(data.size());
  mem.readBlock(0x1800, back.data(), back.size());
  for (size_t i = 0; i < data.size(); ++i) {
    uint64_t a = 0x1800 + i;
    uint8_t want = (a >= 0x3000 && a < 0x4000) ? 0x77 : data[i];
    REQUIRE(back[i] == want);
  }
}

TEST_CASE("legacy shadow (PAM): reads and writes of 0xC0000-0xFFFFF go to RAM or the bus independently") {
  PhysicalMemory mem(2 << 20);
  std::vector<uint8_t> image(0x20000, 0xB0);  // BIOS at 0xE0000-0xFFFFF
  mem.addRom(0xE0000, image, "isa-bios");
  mem.ramHost()[0xF0000] = 0x11;
  mem.ramHost()[0xC0000] = 0x22;
  // Never set: plain precedence (ROM over RAM, RAM where no ROM).
  CHECK(mem.read(0xF0000, 1) == 0xB0);
  CHECK(mem.read(0xC0000, 1) == 0x22);

  // Both to the bus (PAM reset state): ROM reads, writes dropped; where no
  // ROM is mapped the bus is open (all ones).
  mem.setLegacyShadow(0xC0000, 0x40000, false, false);
  CHECK(mem.read(0xC0000, 1) == 0xFF);
  mem.write(0xC0000, 1, 0x33);
  CHECK(mem.ramHost()[0xC0000] == 0x22);
  CHECK(mem.hostPointer(0xC0000, false) == nullptr);

  // Read ROM, write RAM (how SeaBIOS copies itself down).
  mem.setLegacyShadow(0xF0000, 0x10000, false, true);
  mem.write(0xF0000, 1, 0x44);
  CHECK(mem.ramHost()[0xF0000] == 0x44);
  CHECK(mem.read(0xF0000, 1) == 0xB0);
  CHECK(mem.hostPointer(0xF0000, true) == mem.ramHost() + 0xF0000);
  CHECK(mem.hostPointer(0xF0000, false) != mem.ramHost() + 0xF0000);
  CHECK(mem.findForWrite(0xF0000)->kind == RegionKind::Ram);
  CHECK(mem.find(0xF0000)->kind == RegionKind::Rom);

  // Read RAM, writes dropped (write-protected shadow).
  mem.setLegacyShadow(0xF0000, 0x10000, true, false);
  CHECK(mem.read(0xF0000, 1) == 0x44);
  mem.write(0xF0000, 1, 0x55);
  CHECK(mem.read(0xF0000, 1) == 0x44);
  CHECK(mem.hostPointer(0xF0000, true) == nullptr);

  // Bulk writes follow the write routing.
  mem.setLegacyShadow(0xF0000, 0x10000, true, true);
  const uint8_t bytes[2] = {1, 2};
  mem.writeBlock(0xF0FFF, bytes, 2);
  CHECK(mem.read(0xF0FFF, 2) == 0x0201);

  CHECK_THROWS(mem.setLegacyShadow(0xB0000, 0x1000, true, true));
  CHECK_THROWS(mem.setLegacyShadow(0xC0800, 0x1000, true, true));
}

TEST_CASE("bulk writes respect per-page shadow routing and skip dropped ranges quickly") {
  PhysicalMemory mem(2 << 20);
  mem.setLegacyShadow(0xC0000, 0x40000, true, true);
  mem.setLegacyShadow(0xF0000, 0x10000, true, false);  // write-protected
  std::vector<uint8_t> data(0x2000, 0x5A);
  mem.writeBlock(0xEF000, data.data(), data.size());
  CHECK(mem.read(0xEFFFF, 1) == 0x5A);
  CHECK(mem.read(0xF0000, 1) == 0x00);
  // A write across 4 GiB of unassigned space ends at once (pages, not bytes).
  static const uint8_t big[4096] = {};
  for (uint64_t a = 0x100000000ull; a < 0x100000000ull + (256ull << 20); a += sizeof big) mem.writeBlock(a, big, sizeof big);
  std::vector<uint8_t> huge(16 << 20, 1);
  mem.writeBlock(0x10000000, huge.data(), huge.size());
  CHECK(mem.read(0x10000000, 1) == 0xFF);
}
