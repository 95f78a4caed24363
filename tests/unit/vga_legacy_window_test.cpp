// The VGA memory window (FreeVGA "Graphics Controller" read and write
// modes; IBM VGA Technical Reference): planes, latches, chain-4, odd/even,
// memory map select, and the VBE bank.
#include <doctest/doctest.h>

#include "devices/vga/bochs_dispi.h"
#include "devices/vga/vga_legacy_window.h"

using namespace sv;
using namespace sv::vga;

namespace {
struct Adapter {
  VgaRegisters regs;
  VgaVram vram{1u << 20};
  BochsDispi dispi{vram, regs};
  VgaLegacyWindow window{regs, vram, dispi};
  Adapter() {
    regs.seq[kSeqMapMask] = 0x0F;
    regs.seq[kSeqMemoryMode] = 0x06;  // planar, odd/even off
    regs.gc[kGcMisc] = 0x05;          // graphics, A0000-AFFFF
    regs.gc[kGcBitMask] = 0xFF;
  }
  uint8_t plane(unsigned p, uint32_t offset) const { return vram.read8(offset * 4 + p); }
};
}  // namespace

TEST_CASE("write mode 0: map mask picks planes, set/reset replaces data, bit mask keeps latched bits") {
  Adapter a;
  a.regs.seq[kSeqMapMask] = 0x05;
  a.window.writeByte(0x10, 0xA5);
  CHECK(a.plane(0, 0x10) == 0xA5);
  CHECK(a.plane(1, 0x10) == 0x00);
  CHECK(a.plane(2, 0x10) == 0xA5);
  a.regs.seq[kSeqMapMask] = 0x0F;
  a.regs.gc[kGcEnableSetReset] = 0x03, a.regs.gc[kGcSetReset] = 0x01;
  a.window.writeByte(0x11, 0x3C);
  CHECK(a.plane(0, 0x11) == 0xFF);  // set/reset 1
  CHECK(a.plane(1, 0x11) == 0x00);  // set/reset 0
  CHECK(a.plane(2, 0x11) == 0x3C);  // CPU data
  // Bit mask: a read loads the latches, masked bits come from them.
  a.regs.gc[kGcEnableSetReset] = 0;
  a.window.readByte(0x11);
  a.regs.gc[kGcBitMask] = 0x0F;
  a.window.writeByte(0x11, 0x00);
  CHECK(a.plane(0, 0x11) == 0xF0);
  CHECK(a.plane(2, 0x11) == 0x30);
}

TEST_CASE("write mode 0: rotate and the logical operations act on the latches") {
  Adapter a;
  a.window.writeByte(0, 0x0F);
  a.window.readByte(0);  // latches = 0x0F in every plane
  a.regs.gc[kGcDataRotate] = (1 << 3) | 4;  // AND, rotate right 4
  a.window.writeByte(0, 0xFF);
  CHECK(a.plane(0, 0) == 0x0F);
  a.regs.gc[kGcDataRotate] = (3 << 3) | 4;  // XOR
  a.window.writeByte(0, 0x3C);  // rotated: 0xC3
  CHECK(a.plane(3, 0) == (0x0F ^ 0xC3));
  a.regs.gc[kGcDataRotate] = 2 << 3;  // OR
  a.window.writeByte(0, 0x80);
  CHECK(a.plane(1, 0) == 0x8F);
}

TEST_CASE("write mode 1 copies the latches - mode 2 expands the colour - mode 3 masks with rotated data") {
  Adapter a;
  a.regs.gc[kGcMode] = 2;
  a.window.writeByte(0, 0x05);  // colour 0101b
  CHECK(a.plane(0, 0) == 0xFF);
  CHECK(a.plane(1, 0) == 0x00);
  CHECK(a.plane(2, 0) == 0xFF);
  a.regs.gc[kGcMode] = 0;
  a.window.readByte(0);
  a.regs.gc[kGcMode] = 1;
  a.window.writeByte(7, 0x00);  // the CPU byte does not matter
  for (unsigned p = 0; p < 4; ++p) CHECK(a.plane(p, 7) == a.plane(p, 0));
  a.regs.gc[kGcMode] = 3;
  a.regs.gc[kGcSetReset] = 0x0A;
  a.regs.gc[kGcBitMask] = 0xF0;
  a.window.readByte(8);  // latches 0
  a.window.writeByte(8, 0x3C);  // mask = 0xF0 & 0x3C = 0x30
  CHECK(a.plane(0, 8) == 0x00);
  CHECK(a.plane(1, 8) == 0x30);
  CHECK(a.plane(3, 8) == 0x30);
}

TEST_CASE("read mode 0 reads the selected plane - read mode 1 compares colours") {
  Adapter a;
  a.regs.gc[kGcMode] = 2;
  a.window.writeByte(0, 0x06);
  a.regs.gc[kGcMode] = 0;
  a.regs.gc[kGcReadMapSelect] = 1;
  CHECK(a.window.readByte(0) == 0xFF);
  a.regs.gc[kGcReadMapSelect] = 0;
  CHECK(a.window.readByte(0) == 0x00);
  a.regs.gc[kGcMode] = 0x08;
  a.regs.gc[kGcColorCompare] = 0x06, a.regs.gc[kGcColorDontCare] = 0x0F;
  CHECK(a.window.readByte(0) == 0xFF);
  a.regs.gc[kGcColorCompare] = 0x07;
  CHECK(a.window.readByte(0) == 0x00);
  a.regs.gc[kGcColorDontCare] = 0x0E;  // plane 0 ignored
  CHECK(a.window.readByte(0) == 0xFF);
}

TEST_CASE("chain-4 addresses video memory linearly - odd/even splits bytes over planes 0 and 1") {
  Adapter a;
  a.regs.seq[kSeqMemoryMode] = 0x0E;
  for (uint32_t i = 0; i < 8; ++i) a.window.writeByte(i, static_cast<uint8_t>(0x10 + i));
  CHECK(a.vram.read8(5) == 0x15);
  CHECK(a.window.readByte(6) == 0x16);
  a.regs.seq[kSeqMapMask] = 0x01;  // only plane 0: addresses 0, 4, 8 ...
  a.window.writeByte(9, 0xEE);
  CHECK(a.vram.read8(9) == 0x00);  // plane 1: masked
  a.window.writeByte(8, 0xEE);
  CHECK(a.vram.read8(8) == 0xEE);
  // Odd/even (text modes): character in plane 0, attribute in plane 1.
  Adapter t;
  t.regs.seq[kSeqMemoryMode] = 0x02;
  t.regs.gc[kGcMode] = 0x10;
  t.regs.gc[kGcMisc] = 0x0E;  // B8000-BFFFF
  t.window.writeByte(0x18000 + 2, 'A');
  t.window.writeByte(0x18000 + 3, 0x1F);
  CHECK(t.plane(0, 1) == 'A');
  CHECK(t.plane(1, 1) == 0x1F);
  CHECK(t.window.readByte(0x18000 + 3) == 0x1F);
  // B8000 is outside the A0000-AFFFF map: not decoded.
  t.regs.gc[kGcMisc] = 0x04;
  CHECK(t.window.readByte(0x18000) == 0xFF);
}

TEST_CASE("with a VBE mode enabled the window is the 64 KiB bank of video memory") {
  Adapter a;
  a.dispi.writeRegister(dispi::kXres, 640);
  a.dispi.writeRegister(dispi::kYres, 480);
  a.dispi.writeRegister(dispi::kBpp, 8);
  a.dispi.writeRegister(dispi::kEnable, dispi::kEnabled);
  a.dispi.writeRegister(dispi::kBank, 2);
  a.window.writeByte(0x1234, 0x77);
  CHECK(a.vram.read8(0x21234) == 0x77);
  CHECK(a.window.readByte(0x1234) == 0x77);
}
