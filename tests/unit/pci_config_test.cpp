// PCI configuration space, bus 0 and configuration mechanism #1.
#include <doctest/doctest.h>

#include "devices/io_bus.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/pci_config_io.h"
#include "devices/pci/pci_function.h"

using namespace sv;

namespace {
struct TestFunction : PciFunction {
  TestFunction() : PciFunction(PciId{0x1234, 0x5678, 0x01, 0x02, 0x00, 0x00, 0x00}) {
    defineBar(0, 0x1000, false);
    defineBar(1, 0x20, true);
  }
};

struct Rig {
  IoBus io;
  PciBus bus;
  PciConfigIo cfg{bus};
  TestFunction fn;
  Rig() {
    bus.attach(3, 0, fn);
    cfg.attach(io);
  }
  void address(unsigned dev, unsigned func, unsigned reg) { io.write(0xCF8, 4, 0x80000000u | dev << 11 | func << 8 | reg); }
};
}  // namespace

TEST_CASE("pci: mechanism #1 reads ids with byte, word and dword accesses") {
  Rig r;
  r.address(3, 0, 0);
  CHECK(r.io.read(0xCFC, 4) == 0x56781234u);
  CHECK(r.io.read(0xCFE, 2) == 0x5678);
  CHECK(r.io.read(0xCFD, 1) == 0x12);
  CHECK(r.io.read(0xCF8, 4) == (0x80000000u | 3 << 11));
  r.address(3, 0, 8);
  CHECK(r.io.read(0xCFC, 4) == 0x02000001u);  // class 02, revision 01
}

TEST_CASE("pci: absent functions, other buses and a disabled CONFADD read as all ones") {
  Rig r;
  r.address(4, 0, 0);
  CHECK(r.io.read(0xCFC, 2) == 0xFFFF);
  r.address(3, 1, 0);
  CHECK(r.io.read(0xCFC, 4) == 0xFFFFFFFFu);
  r.io.write(0xCF8, 4, 0x80010000u | 3 << 11);  // bus 1
  CHECK(r.io.read(0xCFC, 4) == 0xFFFFFFFFu);
  r.io.write(0xCF8, 4, 3u << 11);  // enable bit clear
  CHECK(r.io.read(0xCFC, 4) == 0xFFFFFFFFu);
  r.io.write(0xCFC, 4, 0);  // dropped
  // Byte/word accesses to 0xCF8 are not CONFADD.
  r.io.write(0xCF8, 1, 0x00);
  CHECK(r.io.read(0xCF8, 4) == 3u << 11);
}

TEST_CASE("pci: read-only ids, writable command, write-1-to-clear status") {
  Rig r;
  r.address(3, 0, 0);
  r.io.write(0xCFC, 4, 0);
  CHECK(r.io.read(0xCFC, 4) == 0x56781234u);
  r.address(3, 0, 4);
  r.io.write(0xCFC, 2, 0xFFFF);
  CHECK(r.io.read(0xCFC, 2) == 0x0547);
  r.address(3, 0, 0x3C);
  r.io.write(0xCFC, 1, 11);
  CHECK(r.io.read(0xCFC, 1) == 11);
  r.fn.reset();
  CHECK(r.io.read(0xCFC, 1) == 0);
}

TEST_CASE("pci: BAR sizing reads back the size mask and the type bits") {
  Rig r;
  r.address(3, 0, 0x10);
  r.io.write(0xCFC, 4, 0xFFFFFFFFu);
  CHECK(r.io.read(0xCFC, 4) == 0xFFFFF000u);  // 4 KiB memory BAR
  r.io.write(0xCFC, 4, 0xFEB00000u);
  CHECK(r.io.read(0xCFC, 4) == 0xFEB00000u);
  r.address(3, 0, 0x14);
  r.io.write(0xCFC, 4, 0xFFFFFFFFu);
  CHECK(r.io.read(0xCFC, 4) == 0xFFFFFFE1u);  // 32-byte I/O BAR
  r.address(3, 0, 0x18);
  r.io.write(0xCFC, 4, 0xFFFFFFFFu);
  CHECK(r.io.read(0xCFC, 4) == 0);  // unimplemented BAR
}
