// QEMU fw_cfg: the selector/data ports, the file directory and DMA.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "devices/fw_cfg.h"
#include "devices/io_bus.h"

using namespace sv;

namespace {
struct FlatMemory : DmaMemory {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x10000, 0xEE);
  void dmaRead(uint64_t paddr, void* dst, size_t len) override { std::memcpy(dst, bytes.data() + paddr, len); }
  void dmaWrite(uint64_t paddr, const void* src, size_t len) override { std::memcpy(bytes.data() + paddr, src, len); }
};

struct Rig {
  FlatMemory mem;
  IoBus io;
  FwCfg cfg{mem, nullptr};
  Rig() { cfg.attach(io); }
  std::string readBytes(uint16_t key, size_t n) {
    io.write(0x510, 2, key);
    std::string s;
    for (size_t i = 0; i < n; ++i) s += static_cast<char>(io.read(0x511, 1));
    return s;
  }
  // Writes a descriptor at `at` and starts it through the big-endian address register.
  void dma(uint32_t at, uint32_t control, uint32_t length, uint64_t address) {
    auto be32 = [&](uint32_t off, uint32_t v) {
      for (int i = 0; i < 4; ++i) mem.bytes[off + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
    };
    be32(at, control);
    be32(at + 4, length);
    be32(at + 8, static_cast<uint32_t>(address >> 32));
    be32(at + 12, static_cast<uint32_t>(address));
    io.write(0x514, 4, 0);
    io.write(0x518, 4, __builtin_bswap32(at));
  }
  uint32_t control(uint32_t at) {
    return uint32_t{mem.bytes[at]} << 24 | mem.bytes[at + 1] << 16 | mem.bytes[at + 2] << 8 | mem.bytes[at + 3];
  }
};
}  // namespace

TEST_CASE("fw_cfg: signature, ID with the DMA bit, zeros past the end and for unknown items") {
  Rig r;
  CHECK(r.readBytes(0x00, 4) == "QEMU");
  CHECK(r.readBytes(0x01, 4) == std::string("\x03\0\0\0", 4));
  CHECK(r.readBytes(0x00, 6) == std::string("QEMU\0\0", 6));
  CHECK(r.readBytes(0x1234, 2) == std::string("\0\0", 2));
  // The DMA register reads back "QEMU CFG" in byte order.
  CHECK(r.io.read(0x514, 4) == 0x554D4551u);
  CHECK(r.io.read(0x518, 4) == 0x47464320u);
  // Re-selecting restarts at offset 0.
  r.io.write(0x510, 2, 0);
  r.io.read(0x511, 1);
  CHECK(r.readBytes(0x00, 1) == "Q");
}

TEST_CASE("fw_cfg: files get selectors from 0x20 and a big-endian directory") {
  Rig r;
  CHECK(r.cfg.addFile("etc/e820", std::vector<uint8_t>(40, 1)) == 0x20);
  CHECK(r.cfg.addFile("bootorder", {}) == 0x21);
  CHECK(r.cfg.addFile("etc/e820", std::vector<uint8_t>(20, 1)) == 0x20);  // replaced
  const std::string dir = r.readBytes(0x19, 4 + 2 * 64);
  CHECK(dir.substr(0, 4) == std::string("\0\0\0\x02", 4));
  CHECK(dir.substr(4, 4) == std::string("\0\0\0\x14", 4));  // size 20
  CHECK(dir.substr(8, 2) == std::string("\0\x20", 2));     // selector
  CHECK(dir.substr(12, 9) == std::string("etc/e820\0", 9));
  CHECK(dir.substr(4 + 64 + 8, 9) == "bootorder");
}

TEST_CASE("fw_cfg: DMA select+read, skip, zero fill past the end, write is an error") {
  Rig r;
  r.cfg.setItem(0x05, {1, 0});
  r.cfg.addFile("f", {'a', 'b', 'c', 'd'});
  r.dma(0x100, 0x0020'0000u | 0x08 | 0x04, 1, 0);  // select file 0x20, skip 1
  CHECK(r.control(0x100) == 0);
  r.dma(0x100, 0x02, 5, 0x200);  // read 5: "bcd" + zero fill
  CHECK(r.control(0x100) == 0);
  CHECK(std::string(reinterpret_cast<char*>(&r.mem.bytes[0x200]), 5) == std::string("bcd\0\0", 5));
  CHECK(r.mem.bytes[0x205] == 0xEE);
  r.dma(0x100, 0x0005'0000u | 0x08 | 0x02, 2, 0x300);
  CHECK(r.mem.bytes[0x300] == 1);
  CHECK(r.mem.bytes[0x301] == 0);
  r.dma(0x100, 0x10, 2, 0x300);
  CHECK(r.control(0x100) == 0x01);
}

TEST_CASE("fw_cfg: descriptors and lengths from a confused guest never crash") {
  struct Clipping : DmaMemory {
    uint64_t written = 0;
    void dmaRead(uint64_t, void* dst, size_t len) override { std::memset(dst, 0, len); }
    void dmaWrite(uint64_t, const void*, size_t len) override { written += len; }
  } clip;
  FwCfg cfg(clip, nullptr);
  cfg.addFile("f", {'a'});
  IoBus io;
  cfg.attach(io);
  io.write(0x510, 2, 0x20);
  // Descriptor of all zeros at address 0: control 0 does nothing but report done.
  io.write(0x514, 4, 0);
  io.write(0x518, 4, 0);
  CHECK(clip.written == 4);
}
