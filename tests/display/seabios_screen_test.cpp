// Firmware boot on screen: Debian's SeaBIOS with its SeaVGABIOS
// (vgabios-stdvga.bin) as the stdvga's option ROM prints its banner and
// "No bootable device" in text mode 3. The text buffer must hold both, and
// every pixel of the screenshot must equal the text drawn here from the
// font the guest loaded into plane 2 and the colours it put in the DAC.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "frontend/display_controller.h"
#include "png_reader.h"
#include "vmm/machine.h"

using namespace sv;

namespace {
constexpr const char* kBios = "/usr/share/seabios/bios.bin";

uint32_t dacRgb(const VgaRegisters& r, unsigned index) {
  auto w = [](uint32_t v) { return (v << 2) | (v >> 4); };
  return w(r.palette[index * 3]) << 16 | w(r.palette[index * 3 + 1]) << 8 | w(r.palette[index * 3 + 2]);
}
}  // namespace

TEST_CASE("SeaBIOS's boot text is on the screen, drawn with the guest's font") {
  MachineConfig c;
  c.bios_path = kBios;  // a missing image fails here, naming it (scripts/deps.sh installs seabios)
  c.no_reboot = true;
  c.boot_fail_wait_ms = 60000;
  c.accel = Accel::Jit;
  c.max_instructions = 4'000'000'000ull;
  c.com1.reset();
  Machine m(c);
  DisplayOptions d;
  d.kind = DisplayOptions::Kind::Sdl;
  d.name = "seabios-screen";
  const std::string png = SV_DISPLAY_TEST_DIR "/seabios.png";
  d.screenshots.push_back({png, std::nullopt, "No bootable device", true, false});
  DisplayController display(m, d);
  if (std::getenv("SV_DISPLAY_EXPECT_WINDOW")) REQUIRE(display.hasWindow());
  CHECK(m.run() == 0);
  CHECK(m.stopMessage().empty());  // stopped by the screenshot's exit, not by a limit

  const VgaTextScreen text = m.vga()->textScreen();
  REQUIRE(text.cols == 80);
  REQUIRE(text.rows == 25);
  CHECK(text.rowText(0).rfind("SeaBIOS (version ", 0) == 0);
  CHECK(text.contains("No bootable device"));

  const VgaRegisters& regs = m.vga()->registers();
  REQUIRE((regs.seq[1] & 1) == 0);  // 9-dot characters
  REQUIRE(regs.seq[3] == 0);        // font 0 at the start of plane 2
  const unsigned cw = 9, ch = regs.charHeight();
  REQUIRE(ch == 16);
  const test::PngImage shot = test::readPng(png);
  REQUIRE(shot.width == 80 * cw);
  REQUIRE(shot.height == 25 * ch);
  const uint32_t cursor = regs.cursorAddress() - regs.startAddress();
  const uint8_t* vram = m.vga()->vram().data();
  unsigned wrong = 0, lit = 0;
  for (unsigned row = 0; row < 25; ++row)
    for (unsigned col = 0; col < 80; ++col) {
      if (row * 80 + col == cursor) continue;  // blinks
      const uint8_t code = text.character(col, row), attr = text.attribute(col, row);
      const uint32_t fg = dacRgb(regs, regs.attr[attr & 0x0F] & 0x3F), bg = dacRgb(regs, regs.attr[(attr >> 4) & 7] & 0x3F);
      for (unsigned line = 0; line < ch; ++line) {
        const uint8_t bits = vram[(code * 32u + line) * 4 + 2];  // plane 2, interleaved layout
        for (unsigned x = 0; x < cw; ++x) {
          const bool on = x < 8 && ((bits >> (7 - x)) & 1);
          lit += on;
          wrong += shot.at(col * cw + x, row * ch + line) != (on ? fg : bg);
        }
      }
    }
  CHECK(lit > 1000);  // the text is really there
  CHECK(wrong == 0);
}
