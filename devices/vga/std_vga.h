// QEMU's "stdvga" (-device VGA): a VGA with the Bochs VBE extensions
// behind PCI function 1234:1111, class 03/00. BAR0 is the 16 MiB
// prefetchable linear framebuffer (all of video memory), BAR2 a 4 KiB MMIO
// bar that mirrors the VGA ports (0x400 + port - 0x3C0) and the dispi
// registers (0x500 + 2 * index), as bochs-drm uses it. The legacy ports
// and the 0xA0000 window are decoded always, as on a PC's primary adapter.
#pragma once
#include <cstdint>

#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/pci/pci_function.h"
#include "devices/vga/bochs_dispi.h"
#include "devices/vga/vga_legacy_window.h"
#include "devices/vga/vga_ports.h"
#include "devices/vga/vga_registers.h"
#include "devices/vga/vga_renderer.h"
#include "devices/vga/vga_text_layout.h"
#include "devices/vga/vga_vram.h"
#include "memory/physical_memory.h"

namespace sv {

class StdVga final : public PciFunction {
 public:
  static constexpr uint32_t kVramBytes = 16u << 20;
  static constexpr uint32_t kMmioBarBytes = 4096;

  explicit StdVga(DeviceClock& clock);
  // Claims the legacy ports (0x3B0-0x3DF, 0x1CE/0x1CF) and 0xA0000-0xBFFFF.
  void attachLegacy(IoBus& io, PhysicalMemory& mem);
  void reset() override;
  // For direct boot, what a VBE BIOS does when a boot loader sets a mode:
  // BAR0 at `lfb_base` with memory decoding on, and the dispi registers
  // set to the mode with the linear framebuffer enabled (video memory
  // cleared). Returns false when the dispi refuses the mode.
  bool setLinearMode(uint32_t lfb_base, unsigned width, unsigned height, unsigned bpp);

  VgaDirtyRows render(VgaFrame& frame, uint64_t now_ms) { return renderer_.render(frame, now_ms); }
  void invalidateFrame() { renderer_.invalidate(); }
  VgaTextScreen textScreen() const { return captureVgaTextScreen(regs_, vram_, dispi_.enabled()); }
  const VgaRegisters& registers() const { return regs_; }
  const VgaVram& vram() const { return vram_; }
  const BochsDispi& dispi() const { return dispi_; }

 private:
  // BAR0: video memory, byte for byte.
  class LinearFramebuffer final : public MmioHandler {
   public:
    explicit LinearFramebuffer(VgaVram& vram) : vram_(vram) {}
    uint64_t mmioRead(uint64_t offset, unsigned size) override { return vram_.readLe(static_cast<uint32_t>(offset), size); }
    void mmioWrite(uint64_t offset, unsigned size, uint64_t v) override { vram_.writeLe(static_cast<uint32_t>(offset), size, v); }
   private:
    VgaVram& vram_;
  };
  // BAR2: the port and dispi mirrors.
  class MmioBar final : public MmioHandler {
   public:
    MmioBar(VgaPorts& ports, BochsDispi& dispi) : ports_(ports), dispi_(dispi) {}
    uint64_t mmioRead(uint64_t offset, unsigned size) override;
    void mmioWrite(uint64_t offset, unsigned size, uint64_t v) override;
   private:
    VgaPorts& ports_;
    BochsDispi& dispi_;
  };

  VgaRegisters regs_;
  VgaVram vram_{kVramBytes};
  BochsDispi dispi_{vram_, regs_};
  VgaPorts ports_;
  VgaLegacyWindow legacy_{regs_, vram_, dispi_};
  VgaRenderer renderer_{regs_, vram_, dispi_, ports_};
  LinearFramebuffer lfb_{vram_};
  MmioBar mmio_bar_{ports_, dispi_};
};

}  // namespace sv
