// PCI BAR decoding: windows follow BAR writes and the command register's
// I/O and memory space enables (PCI 3.0 6.2.2, 6.2.5.1).
#include <doctest/doctest.h>

#include <vector>

#include "devices/io_bus.h"
#include "devices/pci/pci_bar_space.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/pci_function.h"
#include "memory/physical_memory.h"

using namespace sv;

namespace {
struct Window : IoDevice, MmioHandler {
  uint32_t ioRead(uint16_t port, unsigned) override { return 0xA000u + port; }
  void ioWrite(uint16_t, unsigned, uint32_t) override {}
  uint64_t mmioRead(uint64_t offset, unsigned) override { return 0xB000u + offset; }
  void mmioWrite(uint64_t, unsigned, uint64_t) override {}
};

struct BarFunction : PciFunction {
  Window window;
  BarFunction() : PciFunction(PciId{0x1234, 0x5678, 0x01, 0x02, 0x00, 0x00, 0x00}) {
    defineBar(0, 0x2000, false);
    defineBar(4, 0x10, true);
    attachMemoryBar(0, window, "test-mmio");
    attachIoBar(4, window, "test-io");
  }
};

struct Rig {
  IoBus io;
  PhysicalMemory mem{16 << 20};
  std::vector<std::pair<uint64_t, uint64_t>> changes;
  PciBarSpace space{io, mem, [this](uint64_t base, uint64_t size) { changes.emplace_back(base, size); }};
  PciBus bus{&space};
  BarFunction fn;
  Rig() { bus.attach(2, 0, fn); }
  void cfg(unsigned reg, unsigned size, uint32_t v) { bus.configWrite(0, 2, 0, reg, size, v); }
};
}  // namespace

TEST_CASE("a BAR decodes only while its space is enabled and it holds an address") {
  Rig r;
  CHECK(r.fn.barAddress(0) == -1);
  r.cfg(0x10, 4, 0xFEB00000);
  r.cfg(0x20, 4, 0xC000);
  CHECK(r.fn.barAddress(0) == -1);  // command register still 0
  CHECK(r.io.read(0xC004, 1) == 0xFF);
  r.cfg(0x04, 2, 0x0001);  // I/O space only
  CHECK(r.fn.barAddress(4) == 0xC000);
  CHECK(r.io.read(0xC004, 1) == 0xA000u + 0xC004);
  CHECK(r.mem.read(0xFEB00010, 4) == 0xFFFFFFFFu);
  r.cfg(0x04, 2, 0x0003);
  CHECK(r.fn.barAddress(0) == 0xFEB00000);
  CHECK(r.mem.read(0xFEB01010, 4) == 0xB000u + 0x1010);
  REQUIRE(r.changes.size() == 1);
  CHECK(r.changes[0] == std::pair<uint64_t, uint64_t>{0xFEB00000, 0x2000});
}

TEST_CASE("moving a BAR moves its window, and a sizing probe unmaps it") {
  Rig r;
  r.cfg(0x10, 4, 0xFEB00000);
  r.cfg(0x20, 4, 0xC000);
  r.cfg(0x04, 2, 0x0003);
  r.cfg(0x10, 4, 0xFEA00000);
  CHECK(r.mem.read(0xFEB00000, 4) == 0xFFFFFFFFu);
  CHECK(r.mem.read(0xFEA00000, 4) == 0xB000u);
  r.cfg(0x10, 4, 0xFFFFFFFF);  // sizing: reads back ~(size-1), decodes nowhere
  CHECK(r.bus.configRead(0, 2, 0, 0x10, 4) == 0xFFFFE000u);
  CHECK(r.fn.barAddress(0) == -1);
  CHECK(r.mem.read(0xFEA00000, 4) == 0xFFFFFFFFu);
  CHECK(r.mem.read(0xFFFFE000, 4) == 0xFFFFFFFFu);
  r.cfg(0x20, 4, 0xFFFFFFFF);
  CHECK(r.fn.barAddress(4) == -1);
  CHECK(r.io.read(0xC000, 1) == 0xFF);
  r.cfg(0x20, 4, 0xD000);
  CHECK(r.io.read(0xD00F, 1) == 0xA000u + 0xD00F);
}

TEST_CASE("an I/O BAR over ports another device owns stays undecoded") {
  Rig r;
  Window other;
  r.io.registerPorts(0x1F0, 8, other, "ide");
  r.cfg(0x20, 4, 0x1F0);
  r.cfg(0x04, 2, 0x0001);
  CHECK(r.fn.barAddress(4) == -1);
  CHECK(r.io.nameAt(0x1F0) == "ide");
  r.cfg(0x20, 4, 0xC100);  // a free range: decodes again
  CHECK(r.fn.barAddress(4) == 0xC100);
}

TEST_CASE("reset takes every window away") {
  Rig r;
  r.cfg(0x10, 4, 0xFEB00000);
  r.cfg(0x20, 4, 0xC000);
  r.cfg(0x04, 2, 0x0003);
  r.bus.reset();
  CHECK(r.fn.barAddress(0) == -1);
  CHECK(r.fn.barAddress(4) == -1);
  CHECK(r.io.read(0xC000, 1) == 0xFF);
  CHECK(r.mem.read(0xFEB00000, 4) == 0xFFFFFFFFu);
}
