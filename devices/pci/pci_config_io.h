// PCI configuration mechanism #1 (PCI Local Bus Spec 3.0, 3.2.2.3.2; i440FX
// datasheet 3.1.1/3.1.2): CONFADD at 0xCF8 (dword accesses only), CONFDATA
// at 0xCFC-0xCFF (byte, word or dword at any of the four ports).
//
// CONFADD: bit 31 enable, 23:16 bus, 15:11 device, 10:8 function, 7:2
// register. Non-dword accesses to 0xCF8 are not CONFADD (they pass to the
// ISA bus; 0xCF9 is the PIIX3 reset control register, a device of its own).
#pragma once

#include <cstdint>

#include "devices/io_bus.h"
#include "devices/pci/pci_bus.h"

namespace sv {

class PciConfigIo final : public IoDevice {
 public:
  explicit PciConfigIo(PciBus& bus) : bus_(bus) {}
  void attach(IoBus& io);  // 0xCF8 and 0xCFC-0xCFF
  void reset() { address_ = 0; }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  PciBus& bus_;
  uint32_t address_ = 0;  // CONFADD
};

}  // namespace sv
