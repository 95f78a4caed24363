#include "devices/vga/vga_text_layout.h"

#include <algorithm>

namespace sv {

using namespace vga;

namespace {
constexpr unsigned kMaxCols = 256, kMaxRows = 256;
}

VgaTextLayout VgaTextLayout::from(const VgaRegisters& regs) {
  VgaTextLayout t;
  t.char_width = (regs.seq[kSeqClockingMode] & 1) ? 8 : 9;
  t.char_height = regs.charHeight();
  t.cols = std::min(regs.characterClocks(), kMaxCols);
  t.rows = std::min(regs.verticalDisplayLines() / t.char_height, kMaxRows);
  t.start = regs.startAddress();
  // CR13 counts words per row in word mode: two cells.
  t.row_stride = regs.crtc[kCrtcOffset] * 2u;
  return t;
}

uint32_t vgaFontBase(const VgaRegisters& regs, bool attribute_bit3) {
  const uint8_t v = regs.seq[kSeqCharMapSelect];
  const unsigned map = attribute_bit3 ? (((v >> 5) & 1) << 2) | ((v >> 2) & 3) : (((v >> 4) & 1) << 2) | (v & 3);
  // Maps 0-3 at 0, 16, 32, 48 KiB; 4-7 at 8, 24, 40, 56 KiB.
  return (map & 3) * 0x4000u + (map >> 2) * 0x2000u;
}

std::string VgaTextScreen::rowText(unsigned row) const {
  std::string s;
  for (unsigned c = 0; c < cols; ++c) {
    const uint8_t ch = character(c, row);
    s += ch >= 0x20 && ch < 0x7F ? static_cast<char>(ch) : ' ';
  }
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

bool VgaTextScreen::contains(const std::string& text) const {
  for (unsigned r = 0; r < rows; ++r)
    if (rowText(r).find(text) != std::string::npos) return true;
  return false;
}

VgaTextScreen captureVgaTextScreen(const VgaRegisters& regs, const VgaVram& vram, bool vbe_enabled) {
  VgaTextScreen s;
  if (vbe_enabled || regs.graphicsMode()) return s;
  const VgaTextLayout t = VgaTextLayout::from(regs);
  s.cols = t.cols, s.rows = t.rows;
  s.cells.resize(size_t{s.cols} * s.rows);
  for (unsigned r = 0; r < t.rows; ++r)
    for (unsigned c = 0; c < t.cols; ++c) {
      const uint32_t b = t.cellByte(c, r);
      s.cells[r * s.cols + c] = static_cast<uint16_t>(vram.read8(b) | vram.read8(b + 1) << 8);
    }
  return s;
}

}  // namespace sv
