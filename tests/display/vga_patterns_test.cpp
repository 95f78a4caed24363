// Graphics modes end to end: our multiboot guest (vga_patterns.asm) draws
// in mode 13h (programmed register by register) and in a Bochs VBE LFB
// mode; the frame, the PNG screenshot and what the SDL window shows must
// equal the pictures computed here, pixel for pixel.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "frontend/display_controller.h"
#include "png_reader.h"
#include "vmm/machine.h"

using namespace sv;

namespace {

MachineConfig patternGuest(const std::string& cmdline) {
  MachineConfig c;
  c.direct_boot = DirectBootConfig{SV_VGA_PATTERNS_KERNEL, "", cmdline};
  c.com1.reset();
  return c;
}

DisplayOptions sdlWithScreenshots(const std::string& stem) {
  DisplayOptions d;
  d.kind = DisplayOptions::Kind::Sdl;
  d.name = "vga-patterns";
  ScreenshotRequest frame_shot{SV_DISPLAY_TEST_DIR "/" + stem + ".png", 0.0, "", false, false};
  ScreenshotRequest window_shot{SV_DISPLAY_TEST_DIR "/" + stem + "-window.png", 0.0, "", false, true};
  d.screenshots = {frame_shot, window_shot};
  return d;
}

uint32_t widen6(uint32_t v) { return (v << 2) | (v >> 4); }

// The palette the guest programs: entry i = (i & 63, 3i & 63, 63 - (i & 63)).
uint32_t mode13Colour(uint8_t i) {
  return widen6(i & 63) << 16 | widen6((3u * i) & 63) << 8 | widen6(63 - (i & 63));
}

// Runs the guest to its final HLT, then opens the display and refreshes it
// once: the screenshots (at=0) are taken by that refresh.
void runToHalt(Machine& m) {
  CHECK(m.run() == 0);
  CHECK(m.guestHalted());
}

// Pixels of `img` that differ from expected(x, y) over the whole image.
template <typename Expected>
unsigned countWrong(const test::PngImage& img, Expected expected) {
  unsigned wrong = 0;
  for (unsigned y = 0; y < img.height; ++y)
    for (unsigned x = 0; x < img.width; ++x) wrong += img.at(x, y) != expected(x, y);
  return wrong;
}

bool windowExpected() { return std::getenv("SV_DISPLAY_EXPECT_WINDOW") != nullptr; }

}  // namespace

TEST_CASE("mode 13h: 320x200, 256 colours through the DAC, pixel-exact in the screenshot") {
  Machine m(patternGuest("mode13"));
  runToHalt(m);
  DisplayController display(m, sdlWithScreenshots("mode13"));
  if (windowExpected()) REQUIRE(display.hasWindow());
  display.refreshNow();
  const test::PngImage shot = test::readPng(SV_DISPLAY_TEST_DIR "/mode13.png");
  REQUIRE(shot.width == 320);
  REQUIRE(shot.height == 200);
  CHECK(countWrong(shot, [](unsigned x, unsigned y) { return mode13Colour(static_cast<uint8_t>(x + 2 * y)); }) == 0);
  // The window shows it at 4:3 (533x400 at scale 1): sample pixel centres.
  if (display.hasWindow()) {
    const test::PngImage win = test::readPng(SV_DISPLAY_TEST_DIR "/mode13-window.png");
    REQUIRE(win.width >= 533);
    REQUIRE(win.height >= 400);
    const unsigned ox = (win.width - 533) / 2, oy = (win.height - 400) / 2;
    for (unsigned y : {0u, 57u, 199u})
      for (unsigned x : {0u, 100u, 319u})
        CHECK(win.at(ox + x * 533 / 320 + 1, oy + y * 2 + 1) == mode13Colour(static_cast<uint8_t>(x + 2 * y)));
  }
}

TEST_CASE("Bochs VBE 640x480x32 through the dispi ports and the PCI LFB, pixel-exact in frame and window") {
  Machine m(patternGuest("vbe"));
  runToHalt(m);
  DisplayController display(m, sdlWithScreenshots("vbe"));
  if (windowExpected()) REQUIRE(display.hasWindow());
  display.refreshNow();
  REQUIRE(m.vga()->dispi().enabled());
  auto expected = [](unsigned x, unsigned y) { return (x & 0xFF) << 16 | (y & 0xFF) << 8 | ((x ^ y) & 0xFF); };
  const test::PngImage shot = test::readPng(SV_DISPLAY_TEST_DIR "/vbe.png");
  REQUIRE(shot.width == 640);
  REQUIRE(shot.height == 480);
  CHECK(countWrong(shot, expected) == 0);
  // Square pixels at integer scale 1: the window is the frame.
  if (display.hasWindow()) {
    const test::PngImage win = test::readPng(SV_DISPLAY_TEST_DIR "/vbe-window.png");
    REQUIRE(win.width == 640);
    REQUIRE(win.height == 480);
    CHECK(countWrong(win, expected) == 0);
  }
}

TEST_CASE("an idle screen is not redrawn: a second render changes no rows") {
  Machine m(patternGuest("vbe"));
  CHECK(m.run() == 0);
  VgaFrame frame;
  CHECK_FALSE(m.vga()->render(frame, 0).empty());
  CHECK(m.vga()->render(frame, 16).empty());
  // One guest write to the LFB dirties its page: only the rows on it redraw.
  m.memory().write(0xE0000000 + 640 * 4 * 100, 4, 0x123456);
  const VgaDirtyRows rows = m.vga()->render(frame, 32);
  CHECK(rows.first <= 100);
  CHECK(rows.end > 100);
  CHECK(rows.end - rows.first <= 3);  // a 4 KiB page holds 1.6 rows of 2560 bytes
  CHECK(frame.at(0, 100) == 0x123456);
}
