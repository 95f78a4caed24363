// The PIIX4 power-management function (82371AB function 3, "PIIX4 ACPI")
// at 00:01.3, 8086:7113 rev 3, as on QEMU's "pc" machine (which pairs it
// with the PIIX3 ISA bridge).
//
// Config space (82371AB datasheet 7.1): PMBA (0x40, I/O base of the 64-byte
// PM register block, bits 15:6, bit 0 hardwired 1) and PMREGMISC (0x80,
// bit 0 PMIOSE) map the ACPI register block (AcpiPmRegisters) on the I/O
// bus while PMIOSE is set; everything else in 0x40-0xFF is plain storage
// (SMBus, device activity and resume registers are not modelled; DEVACTB
// starts with APMC_EN set because there is no SMM, see the constructor).
// The SCI is hardwired to IRQ 9.
//
// APM control (7.3: APMC 0xB2, APMS 0xB3): on the real board a write to
// APMC raises an SMI whose handler performs the ACPI enable handshake; we
// have no SMM, so, as QEMU does, writing the FADT's ACPI_ENABLE /
// ACPI_DISABLE values sets or clears SCI_EN directly. Both ports read back
// what was written.
#pragma once

#include <cstdint>

#include "devices/acpi/acpi_pm_registers.h"
#include "devices/io_bus.h"
#include "devices/pci/pci_function.h"

namespace sv {

namespace piix4_pm {
constexpr unsigned kPmba = 0x40;
constexpr unsigned kPmRegMisc = 0x80;
constexpr unsigned kDevActB = 0x58;  // device activity B (dword)
constexpr uint16_t kApmControlPort = 0xB2;  // SMI_CMD in the FADT
constexpr uint16_t kApmStatusPort = 0xB3;
constexpr uint8_t kAcpiEnable = 0xF1;   // the values QEMU's FADT declares
constexpr uint8_t kAcpiDisable = 0xF0;
constexpr uint16_t kDefaultPmBase = 0x600;  // where SeaBIOS puts the block on QEMU
constexpr unsigned kSciIrq = 9;
}  // namespace piix4_pm

class Piix4Pm final : public PciFunction, public IoDevice {
 public:
  Piix4Pm(IoBus& io, AcpiPmRegisters& registers);
  ~Piix4Pm() override;

  // Programs PMBA and PMIOSE as a firmware would (direct boot has none).
  void enableAt(uint16_t base);
  // The block's base while it is decoded, else 0.
  uint16_t mappedBase() const { return mapped_base_; }
  void reset() override;

  // APMC/APMS.
  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  void configChanged(unsigned offset, unsigned size) override;
  void remap();

  IoBus& io_;
  AcpiPmRegisters& registers_;
  uint16_t mapped_base_ = 0;
  uint8_t apm_control_ = 0;
  uint8_t apm_status_ = 0;
};

}  // namespace sv
