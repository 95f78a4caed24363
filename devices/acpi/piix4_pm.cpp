#include "devices/acpi/piix4_pm.h"

#include <stdexcept>

namespace sv {

using namespace piix4_pm;

Piix4Pm::Piix4Pm(IoBus& io, AcpiPmRegisters& registers)
    : PciFunction(PciId{0x8086, 0x7113, 0x03, 0x06, 0x80, 0x00, 0x00}), io_(io), registers_(registers) {
  define16(pci::kCommand, 0x0000, 0x0001);
  define16(pci::kStatus, 0x0280, 0, 0x7800);  // fast back-to-back, medium DEVSEL
  define8(pci::kInterruptPin, 0x01);
  for (unsigned o = 0x40; o < 0x100; ++o) define8(o, 0, 0xFF);
  define32(kPmba, 0x00000001, 0x0000FFC0);
  define8(kPmRegMisc, 0x00, 0x01);
  define32(0x90, 0x00000001, 0x0000FFF0);  // SMBBA: storage, SMBus not modelled
  // DEVACTB APMC_EN (bit 25) starts set: there is no SMM, and firmware
  // that finds it set takes SMM as set up already (SeaBIOS would otherwise
  // raise an SMI through APMC and wait forever for a handler); QEMU does
  // the same when SMM is off.
  define8(kDevActB + 3, 0x02, 0xFF);
  io_.registerPorts(kApmControlPort, 2, *this, "piix4-apm");
}

Piix4Pm::~Piix4Pm() {
  if (mapped_base_) io_.unregisterPorts(mapped_base_, acpi_pm::kBlockSize);
  io_.unregisterPorts(kApmControlPort, 2);
}

void Piix4Pm::enableAt(uint16_t base) {
  configWrite(kPmba, 4, base | 1u);
  configWrite(kPmRegMisc, 1, 0x01);
}

void Piix4Pm::reset() {
  PciFunction::reset();
  apm_status_ = apm_control_ = 0;
  remap();
}

void Piix4Pm::configChanged(unsigned offset, unsigned size) {
  if ((offset < kPmba + 4 && offset + size > kPmba) || (offset <= kPmRegMisc && offset + size > kPmRegMisc)) remap();
}

void Piix4Pm::remap() {
  const uint16_t base = (byte(kPmRegMisc) & 0x01) ? static_cast<uint16_t>(dword(kPmba) & 0xFFC0) : 0;
  if (base == mapped_base_) return;
  if (mapped_base_) io_.unregisterPorts(mapped_base_, acpi_pm::kBlockSize);
  mapped_base_ = 0;
  if (!base) return;
  try {
    io_.registerPorts(base, acpi_pm::kBlockSize, registers_, "piix4-pm");
    mapped_base_ = base;
    registers_.setBase(base);
  } catch (const std::invalid_argument&) {
    // The guest put the block over another device: the decode loses, as
    // a subtractive-decode conflict would on real hardware.
  }
}

uint32_t Piix4Pm::ioRead(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = static_cast<uint16_t>(port + i);
    const uint8_t b = p == kApmStatusPort ? apm_status_ : p == kApmControlPort ? apm_control_ : 0xFF;
    v |= static_cast<uint32_t>(b) << (8 * i);
  }
  return v;
}

void Piix4Pm::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = static_cast<uint16_t>(port + i);
    const uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    if (p == kApmStatusPort) apm_status_ = b;
    if (p == kApmControlPort) apm_control_ = b;
    if (p == kApmControlPort && b == kAcpiEnable) registers_.setSciEnabled(true);
    else if (p == kApmControlPort && b == kAcpiDisable) registers_.setSciEnabled(false);
  }
}

}  // namespace sv
