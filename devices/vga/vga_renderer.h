// Turns the adapter's current mode into a VgaFrame: VBE linear modes,
// 256-colour (mode 13h, mode X), 16-colour planar (mode 12h) and text.
// It redraws only what changed: everything after a register write (ports
// or dispi generation moved), otherwise in graphics modes only the scan
// lines whose video memory pages are dirty, and in text modes the screen
// when video memory changed or the blink phase turned. An idle screen
// costs a scan of the dirty bitmap.
#pragma once
#include <array>
#include <cstdint>

#include "devices/vga/bochs_dispi.h"
#include "devices/vga/vga_frame.h"
#include "devices/vga/vga_ports.h"
#include "devices/vga/vga_registers.h"
#include "devices/vga/vga_vram.h"

namespace sv {

class VgaRenderer {
 public:
  VgaRenderer(const VgaRegisters& regs, VgaVram& vram, const BochsDispi& dispi, const VgaPorts& ports)
      : regs_(regs), vram_(vram), dispi_(dispi), ports_(ports) {}

  // Brings `frame` up to date at host time `now_ms` (cursor and character
  // blinking) and clears the dirty bits it consumed.
  VgaDirtyRows render(VgaFrame& frame, uint64_t now_ms);
  // The next render redraws everything (a new consumer, a resized window).
  void invalidate() { force_full_ = true; }

  static constexpr unsigned kMaxWidth = 2560, kMaxHeight = 1600;

 private:
  enum class Kind : uint8_t { Blank, Text, Planar16, Colour256, Vbe };
  struct Mode {
    Kind kind = Kind::Blank;
    unsigned width = 0, height = 0;
    unsigned line_repeat = 1;  // scan lines per pixel row (graphics)
    bool operator==(const Mode&) const = default;
  };
  Mode currentMode() const;
  void renderText(VgaFrame& frame, uint64_t now_ms);
  void renderGraphicsLine(VgaFrame& frame, const Mode& mode, unsigned y) const;
  // Video memory bytes pixel row `y` reads, for the dirty check.
  void graphicsLineSpan(const Mode& mode, unsigned y, uint32_t& begin, uint32_t& end) const;

  void loadPalettes();

  const VgaRegisters& regs_;
  VgaVram& vram_;
  std::array<uint32_t, 256> dac_rgb_{};       // DAC entries as 0x00RRGGBB, for this render
  std::array<uint32_t, 16> attribute_rgb_{};  // 4-bit colours through the attribute palette
  const BochsDispi& dispi_;
  const VgaPorts& ports_;
  Mode last_mode_;
  uint32_t last_ports_generation_ = 0, last_dispi_generation_ = 0;
  unsigned last_blink_phase_ = ~0u;
  bool force_full_ = true;
};

}  // namespace sv
