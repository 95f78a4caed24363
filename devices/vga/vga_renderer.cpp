#include "devices/vga/vga_renderer.h"

#include <endian.h>

#include <algorithm>
#include <cstring>

#include "devices/vga/vga_text_layout.h"

namespace sv {

using namespace vga;

namespace {
// The cursor blinks every 16 frames and blinking characters every 32
// (FreeVGA, CRTC cursor / attribute mode control): at 60 Hz about 267 and
// 533 ms per phase.
constexpr uint64_t kCursorPhaseMs = 267;
constexpr uint64_t kCharBlinkPhaseMs = 533;

uint32_t rgb15(uint16_t v) {
  auto w = [](uint32_t c) { return (c << 3) | (c >> 2); };
  return w((v >> 10) & 31) << 16 | w((v >> 5) & 31) << 8 | w(v & 31);
}
uint32_t rgb16(uint16_t v) {
  auto w5 = [](uint32_t c) { return (c << 3) | (c >> 2); };
  auto w6 = [](uint32_t c) { return (c << 2) | (c >> 4); };
  return w5((v >> 11) & 31) << 16 | w6((v >> 5) & 63) << 8 | w5(v & 31);
}
}  // namespace

VgaRenderer::Mode VgaRenderer::currentMode() const {
  Mode m;
  if (dispi_.enabled()) {
    m.kind = Kind::Vbe;
    m.width = dispi_.xres(), m.height = dispi_.yres();
  } else if (!regs_.displayEnabled() || (regs_.seq[kSeqClockingMode] & 0x20)) {
    m.kind = Kind::Blank;  // palette address source clear or screen off
  } else if (!regs_.graphicsMode()) {
    const VgaTextLayout t = VgaTextLayout::from(regs_);
    m.kind = Kind::Text;
    m.width = t.cols * t.char_width, m.height = t.rows * t.char_height;
  } else {
    // Graphics: CR09 bit 7 doubles scan lines, bits 0-4 repeat them.
    const uint8_t cr9 = regs_.crtc[kCrtcMaxScanLine];
    m.line_repeat = ((cr9 & 0x1F) + 1) * ((cr9 & 0x80) ? 2 : 1);
    m.height = regs_.verticalDisplayLines() / m.line_repeat;
    if (regs_.gc[kGcMode] & 0x40) {
      m.kind = Kind::Colour256;  // two dot clocks per pixel
      m.width = regs_.characterClocks() * 4;
    } else {
      m.kind = Kind::Planar16;
      m.width = regs_.characterClocks() * 8;
    }
  }
  if (m.width > kMaxWidth || m.height > kMaxHeight || !m.width || !m.height) m = Mode{};
  if (m.kind == Kind::Blank) m.width = 640, m.height = 480;
  return m;
}

VgaDirtyRows VgaRenderer::render(VgaFrame& frame, uint64_t now_ms) {
  const Mode mode = currentMode();
  bool full = force_full_ || !(mode == last_mode_) || ports_.generation() != last_ports_generation_ ||
              dispi_.generation() != last_dispi_generation_;
  force_full_ = false;
  last_mode_ = mode;
  last_ports_generation_ = ports_.generation();
  last_dispi_generation_ = dispi_.generation();
  if (frame.width != mode.width || frame.height != mode.height) {
    frame.width = mode.width, frame.height = mode.height;
    frame.pixels.assign(size_t{mode.width} * mode.height, 0);
    full = true;
  }
  if (full || mode.kind == Kind::Text || vram_.anyDirty()) loadPalettes();
  VgaDirtyRows rows;
  switch (mode.kind) {
    case Kind::Blank:
      if (full) std::fill(frame.pixels.begin(), frame.pixels.end(), 0), rows = {0, frame.height};
      break;
    case Kind::Text: {
      const unsigned phase = static_cast<unsigned>((now_ms / kCursorPhaseMs) & 1) |
                             static_cast<unsigned>(((now_ms / kCharBlinkPhaseMs) & 1) << 1);
      if (full || phase != last_blink_phase_ || vram_.anyDirty()) {
        last_blink_phase_ = phase;
        renderText(frame, now_ms);
        rows = {0, frame.height};
      }
      break;
    }
    default:
      if (!full && !vram_.anyDirty()) break;
      for (unsigned y = 0; y < mode.height; ++y) {
        uint32_t begin = 0, end = 0;
        graphicsLineSpan(mode, y, begin, end);
        if (!full && !vram_.dirty(begin, end)) continue;
        renderGraphicsLine(frame, mode, y);
        if (rows.empty()) rows.first = y;
        rows.end = y + 1;
      }
      break;
  }
  vram_.clearDirty();
  return rows;
}

void VgaRenderer::loadPalettes() {
  for (unsigned i = 0; i < 256; ++i) dac_rgb_[i] = regs_.dacColour(static_cast<uint8_t>(i));
  for (unsigned c = 0; c < 16; ++c) attribute_rgb_[c] = dac_rgb_[regs_.attributeToDac(static_cast<uint8_t>(c))];
}

void VgaRenderer::graphicsLineSpan(const Mode& mode, unsigned y, uint32_t& begin, uint32_t& end) const {
  if (mode.kind == Kind::Vbe) {
    begin = dispi_.startOffset() + y * dispi_.lineBytes();
    end = begin + mode.width * dispi_.bytesPerPixel();
    return;
  }
  // Start address and CR13 in the interleaved layout (4 bytes per plane
  // offset; CR13 counts 8 of them per unit as in QEMU's stdvga).
  begin = regs_.startAddress() * 4 + y * regs_.crtc[kCrtcOffset] * 8u;
  end = begin + (mode.kind == Kind::Colour256 ? mode.width : mode.width / 8 * 4);
}

void VgaRenderer::renderGraphicsLine(VgaFrame& frame, const Mode& mode, unsigned y) const {
  uint32_t* out = &frame.pixels[size_t{y} * frame.width];
  uint32_t begin = 0, end = 0;
  graphicsLineSpan(mode, y, begin, end);
  if (end > vram_.size() || end < begin) {
    // Panning past the end of video memory: a guest error, shown black.
    std::fill(out, out + mode.width, 0);
    return;
  }
  const uint8_t* src = vram_.data() + begin;
  switch (mode.kind) {
    case Kind::Vbe:
      switch (dispi_.bpp()) {
        case 8:
          for (unsigned x = 0; x < mode.width; ++x) out[x] = dac_rgb_[src[x]];
          break;
        case 15:
          for (unsigned x = 0; x < mode.width; ++x) out[x] = rgb15(static_cast<uint16_t>(src[2 * x] | src[2 * x + 1] << 8));
          break;
        case 16:
          for (unsigned x = 0; x < mode.width; ++x) out[x] = rgb16(static_cast<uint16_t>(src[2 * x] | src[2 * x + 1] << 8));
          break;
        case 24:
          for (unsigned x = 0; x < mode.width; ++x) out[x] = src[3 * x] | src[3 * x + 1] << 8 | src[3 * x + 2] << 16;
          break;
        default:  // 32: B, G, R, unused in memory = 0x00RRGGBB as a little-endian word
          for (unsigned x = 0; x < mode.width; ++x) {
            uint32_t v;
            std::memcpy(&v, src + 4 * x, 4);
            out[x] = le32toh(v) & 0xFFFFFF;
          }
          break;
      }
      break;
    case Kind::Colour256:
      for (unsigned x = 0; x < mode.width; ++x) out[x] = dac_rgb_[src[x]];
      break;
    default: {  // Planar16: bit 7 - x%8 of the four plane bytes of unit x/8
      const uint8_t enable = regs_.attr[kAttrColorPlaneEnable] & 0x0F;
      for (unsigned unit = 0; unit < mode.width / 8; ++unit) {
        const uint8_t* p = src + unit * 4;
        for (unsigned bit = 0; bit < 8; ++bit) {
          const unsigned shift = 7 - bit;
          const unsigned c = ((p[0] >> shift) & 1) | ((p[1] >> shift) & 1) << 1 | ((p[2] >> shift) & 1) << 2 | ((p[3] >> shift) & 1) << 3;
          out[unit * 8 + bit] = attribute_rgb_[c & enable];
        }
      }
      break;
    }
  }
}

void VgaRenderer::renderText(VgaFrame& frame, uint64_t now_ms) {
  const VgaTextLayout t = VgaTextLayout::from(regs_);
  const bool cursor_phase_on = (now_ms / kCursorPhaseMs) % 2 == 0;
  const bool blink_phase_on = (now_ms / kCharBlinkPhaseMs) % 2 == 0;
  const uint8_t mode_control = regs_.attr[kAttrModeControl];
  const bool blink_enabled = mode_control & 0x08;
  const bool line_graphics = mode_control & 0x04;
  const uint32_t font_a = vgaFontBase(regs_, true), font_b = vgaFontBase(regs_, false);
  const uint8_t cur_start = regs_.crtc[kCrtcCursorStart], cur_end = regs_.crtc[kCrtcCursorEnd] & 0x1F;
  const bool cursor_shown = !(cur_start & 0x20) && cursor_phase_on;
  const uint32_t cursor = regs_.cursorAddress();
  for (unsigned row = 0; row < t.rows; ++row)
    for (unsigned col = 0; col < t.cols; ++col) {
      const uint32_t b = t.cellByte(col, row);
      const uint8_t ch = vram_.read8(b), attr = vram_.read8(b + 1);
      uint8_t fg = attr & 0x0F, bg = attr >> 4;
      // Attribute bit 7 is blink (with blink enabled) or bright background.
      if (blink_enabled) {
        bg &= 7;
        if ((attr & 0x80) && !blink_phase_on) fg = bg;
      }
      const uint32_t fg_rgb = attribute_rgb_[fg], bg_rgb = attribute_rgb_[bg];
      const uint32_t font = (attr & 0x08) ? font_a : font_b;
      const bool is_cursor = cursor_shown && b / 4 == cursor;
      for (unsigned line = 0; line < t.char_height; ++line) {
        uint32_t bits = vgaGlyphRow(vram_, font, ch, line);
        // The 9th dot repeats the 8th for the line-drawing characters C0-DF.
        bits = (bits << 1) | ((line_graphics && ch >= 0xC0 && ch <= 0xDF) ? (bits & 1) : 0);
        if (is_cursor && line >= (cur_start & 0x1F) && line <= cur_end) bits = 0x1FF;
        uint32_t* out = &frame.pixels[size_t{row * t.char_height + line} * frame.width + col * t.char_width];
        for (unsigned x = 0; x < t.char_width; ++x) out[x] = (bits >> (8 - x)) & 1 ? fg_rgb : bg_rgb;
      }
    }
}

}  // namespace sv
