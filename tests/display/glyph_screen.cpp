#include "glyph_screen.h"

#include <map>
#include <unordered_map>

namespace sv::test {

namespace {
using Cell = std::array<uint8_t, 16>;

struct CellHash {
  size_t operator()(const Cell& c) const {
    size_t h = 0;
    for (uint8_t b : c) h = h * 131 + b;
    return h;
  }
};

// Printable ASCII first, so ' ' beats NUL and 'A' beats a look-alike.
bool preferred(unsigned a, unsigned b) {
  const bool pa = a >= 0x20 && a < 0x7F, pb = b >= 0x20 && b < 0x7F;
  return pa != pb ? pa : a < b;
}
}  // namespace

bool GlyphScreen::contains(const std::string& text) const {
  for (const std::string& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

GlyphScreen readGlyphScreen(const PngImage& image, const VgaFont8x16& font) {
  std::unordered_map<Cell, unsigned, CellHash> by_bits;
  for (unsigned c = 0; c < 256; ++c) {
    auto [it, fresh] = by_bits.emplace(font[c], c);
    if (!fresh && preferred(c, it->second)) it->second = c;
  }
  std::map<uint32_t, size_t> counts;
  for (uint32_t p : image.pixels) ++counts[p];
  uint32_t background = 0;
  size_t most = 0;
  for (auto [colour, n] : counts)
    if (n > most) most = n, background = colour;

  GlyphScreen s;
  s.cols = image.width / 8, s.rows = image.height / 16;
  for (unsigned row = 0; row < s.rows; ++row) {
    std::string line;
    for (unsigned col = 0; col < s.cols; ++col) {
      Cell cell{};
      for (unsigned y = 0; y < 16; ++y)
        for (unsigned x = 0; x < 8; ++x)
          if (image.at(col * 8 + x, row * 16 + y) != background) cell[y] |= uint8_t(0x80 >> x);
      const auto it = by_bits.find(cell);
      if (it == by_bits.end()) {
        line += '?';
        ++s.unknown;
        continue;
      }
      const unsigned c = it->second;
      const bool blank = cell == Cell{};
      s.glyphs += !blank;
      line += blank ? ' ' : (c >= 0x20 && c < 0x7F ? char(c) : '.');
    }
    s.lines.push_back(std::move(line));
  }
  return s;
}

}  // namespace sv::test
