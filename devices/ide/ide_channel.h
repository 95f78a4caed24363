// One IDE channel: the command block (8 ports) and control block (1 port)
// registers, a master and a slave drive, the device control register
// (nIEN, SRST, HOB), the INTRQ line and the channel's bus-master IDE
// registers (82371SB/AB datasheet, Bus Master IDE: command, status, PRD
// table pointer).
//
// ATA-6 7.1: both devices see every register write; the selected one
// (device register bit 4) answers reads and commands. With device 1
// absent, device 0 answers for it with status 00h; an empty channel reads
// 00h everywhere, as QEMU's does (firmware and Linux probe it that way).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>

#include "devices/dma_memory.h"
#include "devices/ide/ide_drive.h"
#include "devices/io_bus.h"
#include "devices/irq_output.h"

namespace sv {

class IdeChannel final : public IoDevice {
 public:
  static constexpr uint16_t kPrimaryCommand = 0x1F0, kPrimaryControl = 0x3F6;
  static constexpr uint16_t kSecondaryCommand = 0x170, kSecondaryControl = 0x376;
  static constexpr unsigned kPrimaryIrq = 14, kSecondaryIrq = 15;

  // `bus_master_enabled` says whether the PCI function may master the bus
  // (command register bit 2); without it DMA waits.
  IdeChannel(uint16_t command_base, uint16_t control_port, DmaMemory& dma, IrqOutput::Sink irq,
             std::function<bool()> bus_master_enabled);

  // Drive slots 0 (master) and 1 (slave).
  void attachDisk(unsigned slot, std::unique_ptr<DiskImage> image, DriveStrings strings);
  void attachCdrom(unsigned slot, std::unique_ptr<AtapiCdrom> cdrom, DriveStrings strings);
  IdeDrive* drive(unsigned slot) { return drives_[slot].get(); }

  uint16_t commandBase() const { return command_base_; }
  uint16_t controlPort() const { return control_port_; }

  // Command block and control block ports.
  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  // Bus-master registers, by offset 0-7 within the channel's 8 bytes.
  uint8_t busMasterRead(unsigned offset) const;
  void busMasterWrite(unsigned offset, uint8_t value);

  void reset();  // hardware reset of the channel and its drives
  bool irqLevel() const { return irq_.level(); }

 private:
  IdeDrive* selected() { return drives_[(device_register_ & 0x10) ? 1 : 0].get(); }
  bool empty() const { return !drives_[0] && !drives_[1]; }
  uint8_t readStatus(bool acknowledge);
  uint8_t readRegister(unsigned reg);
  void writeRegister(unsigned reg, uint8_t value);
  void writeControl(uint8_t value);
  void writeCommand(uint8_t code);
  void driveInterrupt();
  void updateIrq();
  void tryDma();

  uint16_t command_base_, control_port_;
  DmaMemory& dma_;
  IrqOutput irq_;
  std::function<bool()> bus_master_enabled_;
  std::array<std::unique_ptr<IdeDrive>, 2> drives_;
  uint8_t device_register_ = 0;
  uint8_t control_ = 0;
  // Bus master IDE: command (start bit 0, read/write bit 3), status
  // (active 0, error 1, interrupt 2, drive DMA capable 5/6), PRD pointer.
  uint8_t bm_command_ = 0;
  uint8_t bm_status_ = 0;
  uint32_t bm_prd_ = 0;
};

}  // namespace sv
