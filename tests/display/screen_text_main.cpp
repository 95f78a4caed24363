// screen_text: prints the text an 8x16-font console drew in a screenshot
// and checks it (the framebuffer-console test, tests/display/fbcon_shell.sh).
// FONT: a file holding the 8x16 table (see vga_font.h).
//   screen_text PNG FONT [--size WxH] [--max-unknown N] [--want TEXT]...
// Exit status 0 when the size matches, at most N cells (default 0) are no
// glyph, and every TEXT is on the screen; 1 otherwise; 2 for bad usage.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "glyph_screen.h"

int main(int argc, char** argv) {
  using namespace sv::test;
  if (argc < 3) {
    std::fprintf(stderr, "usage: screen_text PNG FONT [--size WxH] [--max-unknown N] [--want TEXT]...\n");
    return 2;
  }
  std::string size;
  unsigned max_unknown = 0;
  std::vector<std::string> wanted;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return std::fprintf(stderr, "screen_text: %s needs a value\n", a.c_str()), 2;
    if (a == "--size") size = argv[++i];
    else if (a == "--max-unknown") max_unknown = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--want") wanted.push_back(argv[++i]);
    else return std::fprintf(stderr, "screen_text: unknown option %s\n", a.c_str()), 2;
  }
  try {
    const PngImage image = readPng(argv[1]);
    if (!image.width) return std::fprintf(stderr, "FAIL: %s is missing or not an 8-bit RGB PNG\n", argv[1]), 1;
    const GlyphScreen s = readGlyphScreen(image, loadVgaFont8x16(argv[2]));
    for (const std::string& l : s.lines) std::printf("|%s|\n", l.c_str());
    int fail = 0;
    const std::string got = std::to_string(image.width) + "x" + std::to_string(image.height);
    if (!size.empty() && got != size) std::printf("FAIL: the screen is %s, not %s\n", got.c_str(), size.c_str()), fail = 1;
    if (s.unknown > max_unknown)
      std::printf("FAIL: %u cells are no glyph of the VGA font (at most %u allowed)\n", s.unknown, max_unknown), fail = 1;
    for (const std::string& w : wanted)
      if (!s.contains(w)) std::printf("FAIL: '%s' is not on the screen\n", w.c_str()), fail = 1;
    std::printf("%s: %ux%u cells, %u glyphs, %u unknown\n", argv[1], s.cols, s.rows, s.glyphs, s.unknown);
    return fail;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: %s\n", e.what());
    return 1;
  }
}
