// The VGA's register file (IBM VGA Technical Reference; FreeVGA register
// descriptions): plain data shared by the port decoder, the legacy memory
// window and the renderer of one adapter.
#pragma once
#include <array>
#include <cstdint>

namespace sv {

namespace vga {
// Sequencer
constexpr unsigned kSeqClockingMode = 0x01;  // bit 0: 8-dot characters, bit 5: screen off
constexpr unsigned kSeqMapMask = 0x02;
constexpr unsigned kSeqCharMapSelect = 0x03;
constexpr unsigned kSeqMemoryMode = 0x04;    // bit 2: !odd/even, bit 3: chain-4
// Graphics controller
constexpr unsigned kGcSetReset = 0x00;
constexpr unsigned kGcEnableSetReset = 0x01;
constexpr unsigned kGcColorCompare = 0x02;
constexpr unsigned kGcDataRotate = 0x03;     // bits 0-2 rotate, 3-4 logical op
constexpr unsigned kGcReadMapSelect = 0x04;
constexpr unsigned kGcMode = 0x05;           // bits 0-1 write mode, 3 read mode, 4 odd/even, 6 256-colour
constexpr unsigned kGcMisc = 0x06;           // bit 0 graphics, bits 2-3 memory map
constexpr unsigned kGcColorDontCare = 0x07;
constexpr unsigned kGcBitMask = 0x08;
// Attribute controller
constexpr unsigned kAttrModeControl = 0x10;  // bit 0 graphics, 2 line graphics, 3 blink, 7 P5/P4 select
constexpr unsigned kAttrColorPlaneEnable = 0x12;
constexpr unsigned kAttrColorSelect = 0x14;
constexpr uint8_t kAttrPaletteAddressSource = 0x20;  // in the index: 0 = display blanked
// CRT controller
constexpr unsigned kCrtcHorizontalDisplayEnd = 0x01;
constexpr unsigned kCrtcOverflow = 0x07;
constexpr unsigned kCrtcMaxScanLine = 0x09;  // bits 0-4 char height - 1, bit 7 double scan
constexpr unsigned kCrtcCursorStart = 0x0A;  // bit 5: cursor off
constexpr unsigned kCrtcCursorEnd = 0x0B;
constexpr unsigned kCrtcStartHigh = 0x0C;
constexpr unsigned kCrtcStartLow = 0x0D;
constexpr unsigned kCrtcCursorHigh = 0x0E;
constexpr unsigned kCrtcCursorLow = 0x0F;
constexpr unsigned kCrtcVerticalRetraceEnd = 0x11;  // bit 7: CR0-CR7 write protect
constexpr unsigned kCrtcVerticalDisplayEnd = 0x12;
constexpr unsigned kCrtcOffset = 0x13;
constexpr unsigned kCrtcUnderline = 0x14;    // bit 6: double-word addressing
constexpr unsigned kCrtcModeControl = 0x17;  // bit 6: byte (1) / word (0) mode
}  // namespace vga

struct VgaRegisters {
  uint8_t misc_output = 0;  // bit 0: CRTC at 0x3Dx (colour) rather than 0x3Bx
  uint8_t feature_control = 0;
  uint8_t seq_index = 0;
  std::array<uint8_t, 8> seq{};
  uint8_t gc_index = 0;
  std::array<uint8_t, 16> gc{};
  uint8_t attr_index = 0;        // with the palette address source bit
  bool attr_expect_data = false; // the 0x3C0 flip-flop
  std::array<uint8_t, 32> attr{};
  uint8_t crtc_index = 0;
  std::array<uint8_t, 32> crtc{};
  // DAC: 256 entries of 6-bit red, green, blue.
  uint8_t dac_pel_mask = 0xFF;
  uint8_t dac_read_index = 0;
  uint8_t dac_write_index = 0;
  uint8_t dac_component = 0;
  uint8_t dac_state = 0;  // 0x3C7 read: 3 after a read index, 0 after a write index
  std::array<uint8_t, 3> dac_latch{};
  std::array<uint8_t, 768> palette{};
  bool dac_8bit = false;  // Bochs VBE 8BIT_DAC: entries keep 8 bits, else 6

  // A DAC entry as 8-bit red, green, blue in 0x00RRGGBB.
  uint32_t dacColour(uint8_t index) const {
    const uint8_t* c = &palette[(index & dac_pel_mask) * 3u];
    if (dac_8bit) return (uint32_t{c[0]} << 16) | (uint32_t{c[1]} << 8) | c[2];
    auto widen = [](uint8_t v) { return uint32_t((v << 2) | (v >> 4)); };  // 6 -> 8 bits
    return (widen(c[0]) << 16) | (widen(c[1]) << 8) | widen(c[2]);
  }

  bool colorCrtc() const { return misc_output & 1; }
  bool graphicsMode() const { return gc[vga::kGcMisc] & 1; }
  bool displayEnabled() const { return attr_index & vga::kAttrPaletteAddressSource; }
  uint32_t startAddress() const { return (uint32_t{crtc[vga::kCrtcStartHigh]} << 8) | crtc[vga::kCrtcStartLow]; }
  uint32_t cursorAddress() const { return (uint32_t{crtc[vga::kCrtcCursorHigh]} << 8) | crtc[vga::kCrtcCursorLow]; }
  // Displayed scan lines: CR12 with overflow bits 8 (CR7 bit 1) and 9 (CR7 bit 6).
  unsigned verticalDisplayLines() const {
    const uint8_t ov = crtc[vga::kCrtcOverflow];
    return (crtc[vga::kCrtcVerticalDisplayEnd] | ((ov & 0x02) << 7) | ((ov & 0x40) << 3)) + 1;
  }
  unsigned characterClocks() const { return crtc[vga::kCrtcHorizontalDisplayEnd] + 1u; }
  unsigned charHeight() const { return (crtc[vga::kCrtcMaxScanLine] & 0x1F) + 1u; }
  // A 4-bit pixel or text colour through the attribute palette to a DAC
  // index (FreeVGA, Attribute Mode Control: P5/P4 and P7/P6 from 0x14).
  uint8_t attributeToDac(uint8_t colour) const {
    uint8_t v = attr[colour & 0x0F] & 0x3F;
    const uint8_t sel = attr[vga::kAttrColorSelect];
    if (attr[vga::kAttrModeControl] & 0x80) v = (v & 0x0F) | ((sel & 0x03) << 4);
    return static_cast<uint8_t>(v | ((sel & 0x0C) << 4));
  }
};

}  // namespace sv
