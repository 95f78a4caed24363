// Where a text mode's characters are and how big they are, from the CRTC
// and sequencer (FreeVGA: CRTC registers 01h, 09h, 0Ch/0Dh, 12h, 13h;
// sequencer 01h bit 0 for 8- or 9-dot characters, 03h for the fonts).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "devices/vga/vga_registers.h"
#include "devices/vga/vga_vram.h"

namespace sv {

struct VgaTextLayout {
  unsigned cols = 0, rows = 0;
  unsigned char_width = 9, char_height = 16;
  uint32_t start = 0;       // cell index of the top-left character
  uint32_t row_stride = 0;  // cells from one row to the next

  // Video memory byte of the character at (col, row); the attribute is the
  // next byte (planes 0 and 1, interleaved as in VgaVram).
  uint32_t cellByte(unsigned col, unsigned row) const { return (start + row * row_stride + col) * 4; }
  static VgaTextLayout from(const VgaRegisters& regs);
};

// Plane-2 offset of a font (character map select, FreeVGA sequencer 03h):
// map A is used when attribute bit 3 is set, map B when it is clear.
uint32_t vgaFontBase(const VgaRegisters& regs, bool attribute_bit3);
// One scan line of a glyph from plane 2 (32 bytes per character).
inline uint8_t vgaGlyphRow(const VgaVram& vram, uint32_t font_base, uint8_t ch, unsigned line) {
  return vram.read8((font_base + ch * 32u + line) * 4 + 2);
}

// The characters and attributes on a text screen, for tests and tools.
struct VgaTextScreen {
  unsigned cols = 0, rows = 0;
  std::vector<uint16_t> cells;  // character | attribute << 8, row-major
  uint8_t character(unsigned col, unsigned row) const { return static_cast<uint8_t>(cells[row * cols + col]); }
  uint8_t attribute(unsigned col, unsigned row) const { return static_cast<uint8_t>(cells[row * cols + col] >> 8); }
  std::string rowText(unsigned row) const;  // trailing blanks removed
  bool contains(const std::string& text) const;
};

// Empty (0x0) when the adapter is not in a text mode.
VgaTextScreen captureVgaTextScreen(const VgaRegisters& regs, const VgaVram& vram, bool vbe_enabled);

}  // namespace sv
