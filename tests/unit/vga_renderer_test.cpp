// The renderer: text (font from plane 2, 9th column, blink, cursor),
// planar 16-colour, mode X, and dirty tracking.
#include <doctest/doctest.h>

#include "devices/vga/vga_renderer.h"
#include "devices/vga/vga_text_layout.h"

using namespace sv;
using namespace sv::vga;

namespace {
struct FixedClock final : DeviceClock {
  uint64_t nowNs() override { return 0; }
};
struct Adapter {
  VgaRegisters regs;
  VgaVram vram{1u << 20};
  BochsDispi dispi{vram, regs};
  FixedClock clock;
  VgaPorts ports{regs, clock};
  VgaRenderer renderer{regs, vram, dispi, ports};
  VgaFrame frame;
  Adapter() {
    regs.attr_index = kAttrPaletteAddressSource;
    for (unsigned i = 0; i < 16; ++i) regs.attr[i] = static_cast<uint8_t>(i);
    for (unsigned i = 0; i < 256; ++i)  // DAC entry i = (i & 63, 0, 63 - (i & 63))
      regs.palette[i * 3] = i & 63, regs.palette[i * 3 + 2] = 63 - (i & 63);
  }
  uint32_t dac(unsigned i) const { return regs.dacColour(static_cast<uint8_t>(i)); }
  // 80x25 text, 9x16 characters
  void textMode() {
    regs.crtc[kCrtcHorizontalDisplayEnd] = 79;
    regs.crtc[kCrtcVerticalDisplayEnd] = 0x8F, regs.crtc[kCrtcOverflow] = 0x02;  // 400 lines
    regs.crtc[kCrtcMaxScanLine] = 15;
    regs.crtc[kCrtcOffset] = 40;
    regs.crtc[kCrtcCursorStart] = 0x20;  // cursor off
  }
  // 256 colours, 80 character clocks (320 pixels), CR13 = 40.
  void colour256Mode(uint8_t vertical_display_end, uint8_t overflow, uint8_t max_scan_line) {
    regs.gc[kGcMisc] = 0x05;
    regs.gc[kGcMode] = 0x40;
    regs.crtc[kCrtcHorizontalDisplayEnd] = 79;
    regs.crtc[kCrtcVerticalDisplayEnd] = vertical_display_end, regs.crtc[kCrtcOverflow] = overflow;
    regs.crtc[kCrtcMaxScanLine] = max_scan_line;
    regs.crtc[kCrtcOffset] = 40;  // 80 plane bytes per row
  }
  void cell(unsigned index, uint8_t ch, uint8_t attr) { vram.write8(index * 4, ch), vram.write8(index * 4 + 1, attr); }
  void glyphRow(uint8_t ch, unsigned line, uint8_t bits) { vram.write8((ch * 32u + line) * 4 + 2, bits); }
};
}  // namespace

TEST_CASE("text: glyph rows from plane 2, foreground/background from the attribute, 9th column") {
  Adapter a;
  a.textMode();
  a.glyphRow('A', 3, 0x81);
  a.glyphRow(0xC4, 5, 0x01);  // a line-drawing character
  a.cell(0, 'A', 0x1E);
  a.cell(1, 0xC4, 0x07);
  a.regs.attr[kAttrModeControl] = 0x04;  // line graphics, no blink
  a.renderer.render(a.frame, 0);
  REQUIRE(a.frame.width == 720);
  REQUIRE(a.frame.height == 400);
  CHECK(a.frame.at(0, 3) == a.dac(0x0E));
  CHECK(a.frame.at(1, 3) == a.dac(0x01));
  CHECK(a.frame.at(7, 3) == a.dac(0x0E));
  CHECK(a.frame.at(8, 3) == a.dac(0x01));  // 9th column of an ordinary character: background
  CHECK(a.frame.at(9 + 7, 5) == a.dac(0x07));
  CHECK(a.frame.at(9 + 8, 5) == a.dac(0x07));  // C0-DF repeat the 8th dot
  const VgaTextScreen s = captureVgaTextScreen(a.regs, a.vram, false);
  CHECK(s.cols == 80);
  CHECK(s.rows == 25);
  CHECK(s.character(0, 0) == 'A');
  CHECK(s.attribute(0, 0) == 0x1E);
}

TEST_CASE("text: attribute bit 7 blinks the character with blink enabled, else is a bright background") {
  Adapter a;
  a.textMode();
  a.glyphRow('B', 0, 0x80);
  a.cell(0, 'B', 0x9F);
  a.regs.attr[kAttrModeControl] = 0x08;
  a.renderer.render(a.frame, 0);
  CHECK(a.frame.at(0, 0) == a.dac(0x0F));
  CHECK(a.frame.at(1, 0) == a.dac(0x01));  // background bit 3 dropped
  CHECK_FALSE(a.renderer.render(a.frame, 600).empty());  // the blink phase turned: redrawn
  CHECK(a.frame.at(0, 0) == a.dac(0x01));  // blinked off
  a.regs.attr[kAttrModeControl] = 0x00;
  a.renderer.invalidate();
  a.renderer.render(a.frame, 600);
  CHECK(a.frame.at(1, 0) == a.dac(0x09));  // bright background
}

TEST_CASE("text: the cursor covers its scan lines in the foreground colour while its phase is on") {
  Adapter a;
  a.textMode();
  a.cell(81, ' ', 0x0A);
  a.regs.crtc[kCrtcCursorStart] = 14, a.regs.crtc[kCrtcCursorEnd] = 15;
  a.regs.crtc[kCrtcCursorLow] = 81;
  a.renderer.render(a.frame, 0);
  CHECK(a.frame.at(9 + 4, 16 + 14) == a.dac(0x0A));
  CHECK(a.frame.at(9 + 4, 16 + 13) == a.dac(0x00));
  a.renderer.render(a.frame, 300);  // cursor phase off
  CHECK(a.frame.at(9 + 4, 16 + 14) == a.dac(0x00));
}

TEST_CASE("planar 16 colours (mode 12h): a pixel's bits from the four planes, through the attribute palette") {
  Adapter a;
  a.regs.gc[kGcMisc] = 0x05;
  a.regs.crtc[kCrtcHorizontalDisplayEnd] = 79;
  a.regs.crtc[kCrtcVerticalDisplayEnd] = 0xDF, a.regs.crtc[kCrtcOverflow] = 0x02;  // 480 lines
  a.regs.crtc[kCrtcOffset] = 40;
  a.regs.attr[kAttrColorPlaneEnable] = 0x0F;
  a.regs.attr[5] = 0x3A;
  // pixel (9, 2): unit 80*2 + 1, bit 6; colour 5 = planes 0 and 2
  const uint32_t unit = (80 * 2 + 1) * 4;
  a.vram.write8(unit + 0, 0x40);
  a.vram.write8(unit + 2, 0x40);
  a.renderer.render(a.frame, 0);
  REQUIRE(a.frame.width == 640);
  REQUIRE(a.frame.height == 480);
  CHECK(a.frame.at(9, 2) == a.dac(0x3A));
  CHECK(a.frame.at(8, 2) == a.dac(0));
  a.regs.attr[kAttrColorPlaneEnable] = 0x01;  // plane 2 masked off: colour 1
  a.renderer.invalidate();
  a.renderer.render(a.frame, 0);
  CHECK(a.frame.at(9, 2) == a.dac(1));
}

TEST_CASE("mode X: unchained 256 colours, pixel x in plane x & 3, with page flipping by start address") {
  Adapter a;
  a.colour256Mode(0xDF, 0x02, 0x01);  // 480 lines, each row twice: 240 rows
  a.vram.write8((80 * 3 + 2) * 4 + 1, 0x42);  // row 3, x = 2*4 + 1
  a.renderer.render(a.frame, 0);
  REQUIRE(a.frame.width == 320);
  REQUIRE(a.frame.height == 240);
  CHECK(a.frame.at(9, 3) == a.dac(0x42));
  a.regs.crtc[kCrtcStartLow] = 80;  // one row down
  a.renderer.invalidate();
  a.renderer.render(a.frame, 0);
  CHECK(a.frame.at(9, 2) == a.dac(0x42));
}

TEST_CASE("dirty tracking: idle renders change nothing - a write redraws the rows on its page only") {
  Adapter a;
  a.colour256Mode(0x8F, 0x1F, 0x41);  // mode 13h: 400 lines, 200 rows
  CHECK(a.renderer.render(a.frame, 0).end == 200);
  CHECK(a.renderer.render(a.frame, 16).empty());
  a.vram.write8(320 * 150 + 7, 9);
  const VgaDirtyRows rows = a.renderer.render(a.frame, 32);
  CHECK(rows.first >= 150 - 13);
  CHECK(rows.end <= 150 + 14);
  CHECK(a.frame.at(7, 150) == a.dac(9));
  a.ports.writeByte(0x3C8, 9);  // a palette write redraws everything
  for (int i = 0; i < 3; ++i) a.ports.writeByte(0x3C9, 0);
  CHECK(a.renderer.render(a.frame, 48).end == 200);
  CHECK(a.frame.at(7, 150) == 0);
}

TEST_CASE("text 80x50: 8-line characters give 50 rows of the same 400 scan lines") {
  Adapter a;
  a.textMode();
  a.regs.crtc[kCrtcMaxScanLine] = 7;
  a.glyphRow('x', 7, 0xFF);
  a.cell(49 * 80 + 79, 'x', 0x0C);  // bottom-right character
  a.renderer.render(a.frame, 0);
  REQUIRE(a.frame.width == 720);
  REQUIRE(a.frame.height == 400);
  CHECK(a.frame.at(79 * 9, 49 * 8 + 7) == a.dac(0x0C));
  CHECK(a.frame.at(79 * 9, 49 * 8 + 6) == a.dac(0x00));
  const VgaTextScreen s = captureVgaTextScreen(a.regs, a.vram, false);
  CHECK(s.rows == 50);
  CHECK(s.character(79, 49) == 'x');
}
