// The 8237 pair: programming through the flip-flop, page registers,
// transfers into and out of memory, terminal count with and without
// auto-initialize, decrement, the 64 KiB wrap, 16-bit channels, masks and
// requests served when the channel becomes ready.
#include <doctest/doctest.h>

#include <vector>

#include "devices/dma/isa_dma.h"
#include "ide_test_rig.h"

using namespace sv;
using sv::test::FlatDma;

namespace {
struct DmaRig {
  FlatDma mem;
  IoBus io;
  IsaDma dma{mem};
  DmaRig() { dma.attach(io); }
  void out(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  // Channel 0-3: address, count - 1, mode, page, then unmask.
  void program(unsigned ch, uint32_t phys, uint16_t count_minus_1, uint8_t mode) {
    static const uint8_t page_port[4] = {0x87, 0x83, 0x81, 0x82};
    out(0x0A, static_cast<uint8_t>(4 | ch));  // mask
    out(0x0C, 0);                             // clear flip-flop
    out(static_cast<uint16_t>(ch * 2), static_cast<uint8_t>(phys));
    out(static_cast<uint16_t>(ch * 2), static_cast<uint8_t>(phys >> 8));
    out(static_cast<uint16_t>(ch * 2 + 1), static_cast<uint8_t>(count_minus_1));
    out(static_cast<uint16_t>(ch * 2 + 1), static_cast<uint8_t>(count_minus_1 >> 8));
    out(0x0B, static_cast<uint8_t>(mode | ch));
    out(page_port[ch], static_cast<uint8_t>(phys >> 16));
    out(0x0A, static_cast<uint8_t>(ch));  // unmask
  }
};
constexpr uint8_t kSingleWrite = 0x44, kSingleRead = 0x48, kAutoInit = 0x10, kDecrement = 0x20;
}  // namespace

TEST_CASE("isa dma: registers read back through the flip-flop, port 0x80 stays free") {
  DmaRig r;
  CHECK(r.io.deviceAt(0x80) == nullptr);  // the POST code port is not ours
  CHECK(r.io.deviceAt(0x81) == &r.dma);
  r.out(0x0D, 0);  // master clear: all channels masked
  CHECK(r.in(0x0F) == 0xFF);
  r.program(2, 0x012345, 0x01FF, kSingleWrite);
  r.out(0x0C, 0);
  CHECK(r.in(0x04) == 0x45);
  CHECK(r.in(0x04) == 0x23);
  CHECK(r.in(0x05) == 0xFF);
  CHECK(r.in(0x05) == 0x01);
  CHECK(r.in(0x81) == 0x01);
  CHECK(r.dma.pageRegister(2) == 0x01);
  CHECK(r.in(0x0F) == 0xFB);  // only channel 2 unmasked
  r.out(0x0E, 0);             // clear mask register
  CHECK(r.in(0x0F) == 0xF0);
  r.out(0x0F, 0x05);  // write all mask bits
  CHECK(r.in(0x0F) == 0xF5);
  // The master controller's registers are on even ports from 0xC0.
  r.out(0xD6, 0xC0);  // channel 4 cascade
  r.out(0xD4, 0x00);  // unmask 4
  CHECK((r.in(0xDE) & 1) == 0);
}

TEST_CASE("isa dma: a write transfer fills memory and ends at terminal count, masking the channel") {
  DmaRig r;
  r.program(2, 0x20000, 99, kSingleWrite);
  std::vector<uint8_t> src(300);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i + 1);
  IsaDma::Result res = r.dma.transfer(2, src.data(), 60, true);
  CHECK(res.bytes == 60);
  CHECK_FALSE(res.terminal_count);
  res = r.dma.transfer(2, src.data() + 60, 240, true);
  CHECK(res.bytes == 40);  // 100 bytes in all
  CHECK(res.terminal_count);
  for (size_t i = 0; i < 100; ++i) REQUIRE(r.mem.bytes[0x20000 + i] == src[i]);
  CHECK(r.mem.bytes[0x20000 + 100] == 0xEE);
  CHECK((r.in(0x08) & 0x04) == 0x04);  // TC of channel 2, cleared by the read
  CHECK((r.in(0x08) & 0x04) == 0);
  CHECK_FALSE(r.dma.channelReady(2));  // masked at TC
  CHECK(r.dma.transfer(2, src.data(), 10, true).bytes == 0);
}

TEST_CASE("isa dma: auto-initialize reloads, decrement runs downward, the address wraps inside its 64 KiB") {
  DmaRig r;
  uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  r.program(1, 0x3FFFE, 3, kSingleWrite | kAutoInit);
  IsaDma::Result res = r.dma.transfer(1, buf, 8, true);
  CHECK(res.bytes == 4);
  CHECK(res.terminal_count);
  CHECK(r.mem.bytes[0x3FFFE] == 1);
  CHECK(r.mem.bytes[0x3FFFF] == 2);
  CHECK(r.mem.bytes[0x30000] == 3);  // wrapped to the start of page 3, not into page 4
  CHECK(r.mem.bytes[0x40000] == 0xEE);
  CHECK(r.dma.channelReady(1));  // auto-init: not masked, base reloaded
  r.out(0x0C, 0);
  CHECK(r.in(0x02) == 0xFE);
  CHECK(r.in(0x02) == 0xFF);
  r.program(3, 0x50010, 3, kSingleWrite | kDecrement);
  CHECK(r.dma.transfer(3, buf, 4, true).terminal_count);
  CHECK(r.mem.bytes[0x50010] == 1);
  CHECK(r.mem.bytes[0x5000F] == 2);
  CHECK(r.mem.bytes[0x5000D] == 4);
}

TEST_CASE("isa dma: read transfers come from memory; verify or a mismatched type touches none") {
  DmaRig r;
  for (unsigned i = 0; i < 16; ++i) r.mem.bytes[0x1000 + i] = static_cast<uint8_t>(0xA0 + i);
  r.program(2, 0x1000, 15, kSingleRead);
  uint8_t buf[16] = {};
  CHECK(r.dma.transfer(2, buf, 16, false).terminal_count);
  CHECK(buf[0] == 0xA0);
  CHECK(buf[15] == 0xAF);
  r.program(2, 0x1000, 15, 0x40);  // verify
  uint8_t junk[16] = {9, 9, 9};
  CHECK(r.dma.transfer(2, junk, 16, true).bytes == 16);
  CHECK(r.mem.bytes[0x1000] == 0xA0);  // untouched
  r.program(2, 0x1000, 15, kSingleWrite);  // the device reads, the channel writes
  CHECK(r.dma.transfer(2, junk, 16, false).bytes == 16);
  CHECK(junk[0] == 0xFF);
  CHECK(r.mem.bytes[0x1000] == 0xA0);
}

TEST_CASE("isa dma: 16-bit channels move words at (page & FEh) << 16 | address << 1") {
  DmaRig r;
  r.out(0xD4, 0x05 | 4);  // mask 5
  r.out(0xD8, 0);
  r.out(0xC4, 0x00);  // word address 0x0800 -> byte 0x1000
  r.out(0xC4, 0x08);
  r.out(0xC6, 1);  // two words
  r.out(0xC6, 0);
  r.out(0xD6, kSingleWrite | 1);
  r.out(0x8B, 0x03);  // page 3: bit 0 ignored -> 0x20000
  r.out(0xD4, 0x01);
  uint8_t buf[6] = {1, 2, 3, 4, 5, 6};
  IsaDma::Result res = r.dma.transfer(5, buf, 6, true);
  CHECK(res.bytes == 4);
  CHECK(res.terminal_count);
  CHECK(r.mem.bytes[0x21000] == 1);
  CHECK(r.mem.bytes[0x21003] == 4);
  CHECK(r.mem.bytes[0x21004] == 0xEE);
}

TEST_CASE("isa dma: a request waits for the unmask and is served then, by the connected device") {
  DmaRig r;
  unsigned served = 0;
  r.dma.connect(2, [&] {
    ++served;
    uint8_t b[4] = {7, 7, 7, 7};
    if (r.dma.transfer(2, b, 4, true).terminal_count) r.dma.setRequest(2, false);
  });
  r.out(0x0D, 0);  // master clear: masked
  r.dma.setRequest(2, true);
  CHECK(served == 0);
  CHECK((r.in(0x08) & 0x40) == 0x40);  // request pending in the status
  r.program(2, 0x6000, 7, kSingleWrite);  // the unmask starts it
  CHECK(served == 2);                     // 8 bytes in two services of 4
  CHECK(r.mem.bytes[0x6007] == 7);
  r.out(0x08, 0x04);  // controller disabled
  r.program(2, 0x7000, 3, kSingleWrite);
  r.dma.setRequest(2, true);
  CHECK(served == 2);
  r.out(0x08, 0x00);  // enabled again: served
  CHECK(served == 3);
}
