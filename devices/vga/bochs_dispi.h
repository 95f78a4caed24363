// The Bochs VBE "dispi" interface (Bochs/QEMU vbe.h; ports 0x1CE index,
// 0x1CF data, 16-bit): linear-framebuffer modes at 8/15/16/24/32 bits per
// pixel, a virtual screen with panning, and a 64 KiB bank for the legacy
// window. SeaBIOS's vgabios-stdvga and Linux's bochs-drm program it.
#pragma once
#include <array>
#include <cstdint>

#include "devices/io_bus.h"
#include "devices/vga/vga_registers.h"
#include "devices/vga/vga_vram.h"

namespace sv {

namespace dispi {
constexpr uint16_t kIndexPort = 0x1CE;
constexpr uint16_t kDataPort = 0x1CF;
constexpr unsigned kId = 0, kXres = 1, kYres = 2, kBpp = 3, kEnable = 4, kBank = 5, kVirtWidth = 6, kVirtHeight = 7,
                   kXOffset = 8, kYOffset = 9, kVideoMemory64k = 10, kRegisterCount = 11;
constexpr uint16_t kId0 = 0xB0C0, kId5 = 0xB0C5;
constexpr uint16_t kEnabled = 0x01, kGetCaps = 0x02, kDac8Bit = 0x20, kLfbEnabled = 0x40, kNoClearMem = 0x80;
constexpr uint16_t kMaxXres = 2560, kMaxYres = 1600, kMaxBpp = 32;
}  // namespace dispi

class BochsDispi final : public IoDevice {
 public:
  // `regs` learns the DAC width (VBE_DISPI_8BIT_DAC).
  BochsDispi(VgaVram& vram, VgaRegisters& regs) : vram_(vram), regs_vga_(regs) { reset(); }
  void reset();

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;
  // The registers by number (also the MMIO bar's view at 0x500).
  uint16_t readRegister(unsigned index) const;
  void writeRegister(unsigned index, uint16_t value);

  bool enabled() const { return regs_[dispi::kEnable] & dispi::kEnabled; }
  bool dac8Bit() const { return regs_[dispi::kEnable] & dispi::kDac8Bit; }
  unsigned xres() const { return regs_[dispi::kXres]; }
  unsigned yres() const { return regs_[dispi::kYres]; }
  unsigned bpp() const { return regs_[dispi::kBpp]; }
  unsigned bytesPerPixel() const { return (bpp() + 7) / 8; }
  unsigned lineBytes() const { return regs_[dispi::kVirtWidth] * bytesPerPixel(); }
  // Byte offset of the visible screen's top-left pixel (the panning offsets).
  uint32_t startOffset() const {
    return regs_[dispi::kYOffset] * lineBytes() + regs_[dispi::kXOffset] * bytesPerPixel();
  }
  uint32_t bankOffset() const { return uint32_t{regs_[dispi::kBank]} << 16; }
  // Bumped by every register write, so the renderer knows to redraw.
  uint32_t generation() const { return generation_; }

 private:
  void enable(uint16_t value);
  void fitVirtualHeight();

  VgaVram& vram_;
  VgaRegisters& regs_vga_;
  std::array<uint16_t, dispi::kRegisterCount> regs_{};
  uint16_t index_ = 0;
  uint32_t generation_ = 0;
};

}  // namespace sv
