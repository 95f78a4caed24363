// A PIIX IDE function on a PCI bus with its legacy ports and BAR4 decoded,
// flat DMA memory, and temporary image files: the rig of the ATA, ATAPI
// and bus-master tests.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "devices/dma_memory.h"
#include "devices/ide/ata_defs.h"
#include "devices/io_bus.h"
#include "devices/pci/pci_bar_space.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/piix_ide.h"
#include "memory/physical_memory.h"

namespace sv::test {

struct FlatDma : DmaMemory {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(1 << 20, 0xEE);
  void dmaRead(uint64_t paddr, void* dst, size_t len) override { std::memcpy(dst, bytes.data() + paddr, len); }
  void dmaWrite(uint64_t paddr, const void* src, size_t len) override { std::memcpy(bytes.data() + paddr, src, len); }
};

// A temporary file whose byte i of sector s is (s * 7 + i) & 0xFF.
struct TempImage {
  std::string path;
  TempImage(size_t sectors, unsigned sector_size) {
    char tmpl[] = "/tmp/sv_ide_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    std::vector<uint8_t> data(sectors * sector_size);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i / sector_size) * 7 + i % sector_size);
    REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    close(fd);
    path = tmpl;
  }
  ~TempImage() { std::remove(path.c_str()); }
  static uint8_t expected(size_t sector, size_t i) { return static_cast<uint8_t>(sector * 7 + i); }
  std::vector<uint8_t> read(size_t offset, size_t len) const {
    std::vector<uint8_t> v(len);
    FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f);
    std::fseek(f, static_cast<long>(offset), SEEK_SET);
    REQUIRE(std::fread(v.data(), 1, len, f) == len);
    std::fclose(f);
    return v;
  }
};

constexpr uint16_t kBmBase = 0xC000;

struct IdeRig {
  IoBus io;
  PhysicalMemory mem{1 << 20};
  PciBarSpace space{io, mem, [](uint64_t, uint64_t) {}};
  PciBus bus{&space};
  FlatDma dma;
  bool irq[16] = {};
  PiixIde ide{io, dma, [this](unsigned n, bool level) { irq[n] = level; }};

  IdeRig() { bus.attach(1, 1, ide); }
  // Reset with the drives attached, then program the function as firmware
  // does.
  void powerOn() {
    ide.reset();
    cfg(0x20, 4, kBmBase);
    cfg(0x04, 2, 0x0005);  // I/O space + bus master
    cfg(0x40, 2, 0x8000);  // IDE decode enable, both channels
    cfg(0x42, 2, 0x8000);
  }
  void cfg(unsigned reg, unsigned size, uint32_t v) { bus.configWrite(0, 1, 1, reg, size, v); }
  IdeChannel& primary() { return ide.channel(0); }
  IdeChannel& secondary() { return ide.channel(1); }

  // Primary channel task file access.
  uint8_t in(unsigned reg, uint16_t base = 0x1F0) { return static_cast<uint8_t>(io.read(static_cast<uint16_t>(base + reg), 1)); }
  void out(unsigned reg, uint8_t v, uint16_t base = 0x1F0) { io.write(static_cast<uint16_t>(base + reg), 1, v); }
  uint16_t data(uint16_t base = 0x1F0) { return static_cast<uint16_t>(io.read(base, 2)); }
  std::vector<uint8_t> readBlock(size_t bytes, uint16_t base = 0x1F0) {
    std::vector<uint8_t> v;
    for (size_t i = 0; i < bytes; i += 2) {
      const uint16_t w = data(base);
      v.push_back(static_cast<uint8_t>(w)), v.push_back(static_cast<uint8_t>(w >> 8));
    }
    return v;
  }
  // LBA28 command on the primary master.
  void lba28(uint8_t command, uint32_t lba, uint8_t count, uint8_t device_bits = 0) {
    out(2, count);
    out(3, static_cast<uint8_t>(lba)), out(4, static_cast<uint8_t>(lba >> 8)), out(5, static_cast<uint8_t>(lba >> 16));
    out(6, static_cast<uint8_t>(0xE0 | device_bits | ((lba >> 24) & 0x0F)));
    out(7, command);
  }
};

}  // namespace sv::test
