// The VGA's memory window at 0xA0000-0xBFFFF: CPU accesses through the
// sequencer and graphics controller into the four planes (IBM VGA Technical
// Reference, "Graphics Controller"; FreeVGA "VGA Memory Organization"):
// the memory map select, chain-4, odd/even, the latches, read modes 0-1,
// write modes 0-3 with rotate, set/reset, logical operation, bit mask and
// map mask. With a Bochs VBE mode enabled the window is a 64 KiB bank of
// the linear framebuffer.
#pragma once
#include <cstdint>

#include "devices/vga/bochs_dispi.h"
#include "devices/vga/vga_registers.h"
#include "devices/vga/vga_vram.h"
#include "memory/physical_memory.h"

namespace sv {

class VgaLegacyWindow final : public MmioHandler {
 public:
  static constexpr uint64_t kBase = 0xA0000;
  static constexpr uint64_t kSize = 0x20000;

  VgaLegacyWindow(VgaRegisters& regs, VgaVram& vram, const BochsDispi& dispi) : regs_(regs), vram_(vram), dispi_(dispi) {}

  uint64_t mmioRead(uint64_t offset, unsigned size) override;
  void mmioWrite(uint64_t offset, unsigned size, uint64_t value) override;
  uint8_t readByte(uint32_t offset);
  void writeByte(uint32_t offset, uint8_t value);

 private:
  // The window offset relative to the selected memory map, or -1 when the
  // map does not decode it (GC6 bits 2-3).
  int64_t mapOffset(uint32_t offset) const;
  void writePlanar(uint32_t addr, uint8_t value);

  VgaRegisters& regs_;
  VgaVram& vram_;
  const BochsDispi& dispi_;
  uint32_t latch_ = 0;  // one byte per plane, plane p in bits 8p..8p+7
};

}  // namespace sv
