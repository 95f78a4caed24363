// The Bochs VBE dispi registers (Bochs/QEMU vbe.h semantics).
#include <doctest/doctest.h>

#include "devices/vga/bochs_dispi.h"

using namespace sv;
using namespace sv::dispi;

namespace {
struct Dispi {
  VgaRegisters regs;
  VgaVram vram{16u << 20};
  BochsDispi d{vram, regs};
};
}  // namespace

TEST_CASE("ID takes the versions B0C0-B0C5 only - VIDEO_MEMORY_64K reports the size") {
  Dispi t;
  CHECK(t.d.readRegister(kId) == kId5);
  t.d.ioWrite(kIndexPort, 2, kId);
  t.d.ioWrite(kDataPort, 2, 0xB0C2);
  CHECK(t.d.ioRead(kDataPort, 2) == 0xB0C2);
  t.d.ioWrite(kDataPort, 2, 0x1234);
  CHECK(t.d.ioRead(kDataPort, 2) == 0xB0C2);
  CHECK(t.d.readRegister(kVideoMemory64k) == 256);
}

TEST_CASE("GETCAPS makes XRES/YRES/BPP read their maxima") {
  Dispi t;
  t.d.writeRegister(kXres, 800);
  t.d.writeRegister(kEnable, kGetCaps);
  CHECK(t.d.readRegister(kXres) == kMaxXres);
  CHECK(t.d.readRegister(kYres) == kMaxYres);
  CHECK(t.d.readRegister(kBpp) == 32);
  t.d.writeRegister(kEnable, 0);
  CHECK(t.d.readRegister(kXres) == 800);
}

TEST_CASE("enabling a mode clears memory unless NOCLEARMEM and sizes the virtual screen") {
  Dispi t;
  t.vram.write8(100, 0x55);
  t.d.writeRegister(kXres, 1920);
  t.d.writeRegister(kYres, 1080);
  t.d.writeRegister(kBpp, 32);
  t.d.writeRegister(kEnable, kEnabled | kLfbEnabled | kNoClearMem);
  CHECK(t.d.enabled());
  CHECK(t.vram.read8(100) == 0x55);
  CHECK(t.d.readRegister(kVirtWidth) == 1920);
  CHECK(t.d.readRegister(kVirtHeight) == (16u << 20) / (1920 * 4));
  t.d.writeRegister(kEnable, 0);
  t.d.writeRegister(kEnable, kEnabled);
  CHECK(t.vram.read8(100) == 0);
}

TEST_CASE("bad values are ignored - a mode too big for video memory is refused") {
  Dispi t;
  t.d.writeRegister(kXres, 641);  // not a multiple of 8
  CHECK(t.d.xres() == 0);
  t.d.writeRegister(kBpp, 12);
  CHECK(t.d.bpp() == 0);
  t.d.writeRegister(kXres, 2560);
  t.d.writeRegister(kYres, 1600);
  t.d.writeRegister(kBpp, 32);  // 16 000 KiB: fits
  t.d.writeRegister(kEnable, kEnabled | kNoClearMem);
  CHECK(t.d.enabled());
  t.d.writeRegister(kEnable, 0);
  t.d.writeRegister(kVirtWidth, 4000);  // 4000 * 4 * 1600 > 16 MiB
  CHECK(t.d.readRegister(kVirtWidth) != 4000);
}

TEST_CASE("panning: the visible start follows X/Y_OFFSET and VIRT_WIDTH") {
  Dispi t;
  t.d.writeRegister(kXres, 640);
  t.d.writeRegister(kYres, 480);
  t.d.writeRegister(kBpp, 16);
  t.d.writeRegister(kEnable, kEnabled | kNoClearMem);
  t.d.writeRegister(kVirtWidth, 1024);
  t.d.writeRegister(kXOffset, 8);
  t.d.writeRegister(kYOffset, 3);
  CHECK(t.d.lineBytes() == 2048);
  CHECK(t.d.startOffset() == 3 * 2048 + 16);
  CHECK(t.d.readRegister(kVirtHeight) == (16u << 20) / 2048);
}
