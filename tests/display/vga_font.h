// An IBM-VGA-style 8x16 font, read from a file that holds its table: the
// kernel's own font_vga_8x16 (what fbcon draws with), which
// scripts/fetch-guests.sh cuts out of the Debian kernel, or the font in
// Debian's vgabios-stdvga.bin. The two differ in a few glyphs (0, m, w, T
// ...), so a test must read the font its guest draws with. No copy of
// either lives in the tree.
#pragma once
#include <array>
#include <cstdint>
#include <string>

namespace sv::test {

// 256 glyphs of 16 rows, bit 7 = leftmost pixel.
using VgaFont8x16 = std::array<std::array<uint8_t, 16>, 256>;

// Finds the 8x16 table in `path` by its 'A' (the same in both fonts), and
// checks glyph 0 is empty and 0xDB a full block. Throws std::runtime_error
// naming the file when it is missing or has no such table.
VgaFont8x16 loadVgaFont8x16(const std::string& path);

}  // namespace sv::test
