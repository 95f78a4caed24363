// The PIIX3 IDE interface (82371SB function 1) at 00:01.1: 8086:7010,
// mass storage class 01/01 with programming interface 80h (both channels
// in compatibility mode, bus-master capable).
//
// Compatibility mode (82371SB 2.2, 2.7): the primary channel answers
// 0x1F0-0x1F7 and 0x3F6 on IRQ14, the secondary 0x170-0x177 and 0x376 on
// IRQ15, each while its IDETIM register (0x40 / 0x42) has IDE Decode
// Enable (bit 15) set and the command register enables I/O space. The
// bus-master IDE registers are 16 I/O bytes at BAR4 (0x20): eight per
// channel. The DMA engine masters the bus only while the command
// register's bus master enable (bit 2) is set.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>

#include "devices/dma_memory.h"
#include "devices/ide/ide_channel.h"
#include "devices/io_bus.h"
#include "devices/pci/pci_function.h"

namespace sv {

class PiixIde final : public PciFunction {
 public:
  static constexpr unsigned kIdetimPrimary = 0x40, kIdetimSecondary = 0x42, kSidetim = 0x44;
  static constexpr unsigned kBusMasterBar = 4;

  // `set_irq(irq, level)` drives ISA IRQ 14 or 15 of the PIC pair.
  PiixIde(IoBus& io, DmaMemory& dma, std::function<void(unsigned irq, bool level)> set_irq);
  ~PiixIde() override;

  IdeChannel& channel(unsigned index) { return *channels_[index]; }
  void reset() override;

 private:
  // BAR4: both channels' bus-master registers.
  class BusMasterPorts final : public IoDevice {
   public:
    explicit BusMasterPorts(PiixIde& ide) : ide_(ide) {}
    uint32_t ioRead(uint16_t port, unsigned size) override;
    void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

   private:
    PiixIde& ide_;
  };

  void configChanged(unsigned offset, unsigned size) override;
  void updateLegacyDecode();

  IoBus& io_;
  std::array<std::unique_ptr<IdeChannel>, 2> channels_;
  BusMasterPorts bus_master_{*this};
  std::array<bool, 2> decoded_{};
};

}  // namespace sv
