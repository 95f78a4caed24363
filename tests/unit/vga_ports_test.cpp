// The VGA's port decoding (FreeVGA): flip-flop, DAC, CRTC protection and
// colour/mono addressing.
#include <doctest/doctest.h>

#include "devices/vga/vga_ports.h"

using namespace sv;

namespace {
struct FixedClock final : DeviceClock {
  uint64_t ns = 0;
  uint64_t nowNs() override { return ns; }
};
struct Ports {
  VgaRegisters regs;
  FixedClock clock;
  VgaPorts p{regs, clock};
};
}  // namespace

TEST_CASE("attribute controller: 0x3C0 alternates index and data - reading 0x3DA resets it to index") {
  Ports t;
  t.p.writeByte(0x3C2, 0x01);  // colour addressing
  t.p.writeByte(0x3C0, 0x21);
  t.p.writeByte(0x3C0, 0x3F);
  CHECK(t.regs.attr[1] == 0x3F);
  CHECK(t.regs.displayEnabled());
  t.p.writeByte(0x3C0, 0x02);  // index again
  t.p.readByte(0x3DA);         // back to index
  t.p.writeByte(0x3C0, 0x05);
  t.p.writeByte(0x3C0, 0x11);
  CHECK(t.regs.attr[5] == 0x11);
  CHECK(t.regs.attr[2] == 0x00);
  CHECK(t.p.readByte(0x3C1) == 0x11);
}

TEST_CASE("DAC: three writes per entry, auto-increment, 6-bit values, read back through the read index") {
  Ports t;
  t.p.writeByte(0x3C8, 10);
  for (uint8_t v : {0x3F, 0x20, 0xC1, 1, 2, 3}) t.p.writeByte(0x3C9, v);
  CHECK(t.regs.palette[30] == 0x3F);
  CHECK(t.regs.palette[32] == 0x01);  // 0xC1 & 0x3F
  CHECK(t.regs.palette[33] == 1);
  CHECK(t.p.readByte(0x3C8) == 12);
  t.p.writeByte(0x3C7, 10);
  CHECK(t.p.readByte(0x3C7) == 3);  // DAC state: read mode
  CHECK(t.p.readByte(0x3C9) == 0x3F);
  CHECK(t.p.readByte(0x3C9) == 0x20);
  CHECK(t.p.readByte(0x3C9) == 0x01);
  CHECK(t.p.readByte(0x3C9) == 1);  // entry 11
  CHECK(t.regs.dacColour(10) == 0xFF8204);
}

TEST_CASE("CRTC: answers at 0x3Dx or 0x3Bx per misc output bit 0 - CR11 bit 7 protects CR0-CR7") {
  Ports t;
  t.p.writeByte(0x3C2, 0x01);
  t.p.ioWrite(0x3D4, 2, 0x2801);  // 16-bit OUT: index 1, data 0x28
  CHECK(t.regs.crtc[1] == 0x28);
  t.p.writeByte(0x3B4, 0x02);
  CHECK(t.regs.crtc_index == 0x01);  // mono port not decoded in colour mode
  CHECK(t.p.readByte(0x3BA) == 0xFF);
  t.p.ioWrite(0x3D4, 2, 0x8011);  // protect
  t.p.ioWrite(0x3D4, 2, 0x5001);
  CHECK(t.regs.crtc[1] == 0x28);
  t.p.ioWrite(0x3D4, 2, 0xFF07);  // only the line compare bit 4 gets through
  CHECK(t.regs.crtc[7] == 0x10);
}

TEST_CASE("input status 1: vertical retrace once per 60 Hz frame") {
  Ports t;
  t.p.writeByte(0x3C2, 0x01);
  t.clock.ns = 100'000;
  CHECK((t.p.readByte(0x3DA) & 0x09) == 0x09);
  t.clock.ns = 8'000'000 + 10'000;
  CHECK((t.p.readByte(0x3DA) & 0x08) == 0);
}
