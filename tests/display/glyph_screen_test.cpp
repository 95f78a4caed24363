// The screenshot text reader the framebuffer-console test relies on: text
// drawn here with the VGA font reads back, and a cell that is no glyph is
// counted, not guessed.
#include <doctest/doctest.h>

#include <stdexcept>

#include "glyph_screen.h"

using namespace sv::test;

namespace {
constexpr const char* kVgaBios = "/usr/share/seabios/vgabios-stdvga.bin";

void draw(PngImage& image, const VgaFont8x16& font, unsigned col, unsigned row, const std::string& text, uint32_t fg) {
  for (size_t i = 0; i < text.size(); ++i)
    for (unsigned y = 0; y < 16; ++y)
      for (unsigned x = 0; x < 8; ++x)
        if (font[static_cast<uint8_t>(text[i])][y] & (0x80 >> x))
          image.pixels[(row * 16 + y) * image.width + (col + i) * 8 + x] = fg;
}
}  // namespace

TEST_CASE("Text drawn with the VGA 8x16 font reads back from the pixels") {
  const VgaFont8x16 font = loadVgaFont8x16(kVgaBios);
  PngImage image;
  image.width = 160, image.height = 48;
  image.pixels.assign(image.width * image.height, 0x000000);
  draw(image, font, 0, 0, "Linux version 6.1", 0xAAAAAA);
  draw(image, font, 3, 2, "typed-42", 0xFFFFFF);
  const GlyphScreen s = readGlyphScreen(image, font);
  CHECK(s.cols == 20);
  CHECK(s.rows == 3);
  CHECK(s.lines[0] == "Linux version 6.1   ");
  CHECK(s.lines[2] == "   typed-42         ");
  CHECK(s.unknown == 0);
  CHECK(s.glyphs == 15 + 8);
  CHECK(s.contains("typed-42"));
  CHECK_FALSE(s.contains("typed-43"));

  // One stray pixel turns 'L' into no glyph at all.
  image.pixels[5 * image.width + 7] = 0xAAAAAA;
  const GlyphScreen broken = readGlyphScreen(image, font);
  CHECK(broken.unknown == 1);
  CHECK(broken.lines[0][0] == '?');
  CHECK_FALSE(broken.contains("Linux"));
}

TEST_CASE("A file without the VGA font is refused by name") {
  CHECK_THROWS_WITH_AS(loadVgaFont8x16("/nonexistent/vgabios.bin"), doctest::Contains("/nonexistent/vgabios.bin"),
                       std::runtime_error);
}
