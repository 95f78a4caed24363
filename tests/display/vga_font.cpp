#include "vga_font.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace sv::test {

namespace {
// 'A' (0x41) of the IBM VGA 8x16 font, in Linux's copy and SeaVGABIOS's.
constexpr std::array<uint8_t, 16> kGlyphA{0x00, 0x00, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE,
                                          0xC6, 0xC6, 0xC6, 0xC6, 0x00, 0x00, 0x00, 0x00};
}  // namespace

VgaFont8x16 loadVgaFont8x16(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open the font file");
  const std::vector<uint8_t> image{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (auto it = image.begin(); (it = std::search(it, image.end(), kGlyphA.begin(), kGlyphA.end())) != image.end(); ++it) {
    const size_t at = static_cast<size_t>(it - image.begin());
    if (at < 0x41 * 16 || at - 0x41 * 16 + 4096 > image.size()) continue;
    const uint8_t* table = image.data() + at - 0x41 * 16;
    const bool blank0 = std::all_of(table, table + 16, [](uint8_t b) { return b == 0; });
    const bool block = std::all_of(table + 0xDB * 16, table + 0xDC * 16, [](uint8_t b) { return b == 0xFF; });
    if (!blank0 || !block) continue;
    VgaFont8x16 font;
    for (unsigned c = 0; c < 256; ++c) std::copy(table + c * 16, table + c * 16 + 16, font[c].begin());
    return font;
  }
  throw std::runtime_error(path + ": no IBM VGA 8x16 font table found in it");
}

}  // namespace sv::test
