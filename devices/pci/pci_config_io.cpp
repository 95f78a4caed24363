#include "devices/pci/pci_config_io.h"

namespace sv {

namespace {
constexpr uint16_t kConfAdd = 0xCF8;
constexpr uint16_t kConfData = 0xCFC;
constexpr uint32_t kEnable = 0x80000000u;
// Bits 30:24 are reserved and bits 1:0 read as 0 (i440FX 3.1.1).
constexpr uint32_t kAddressMask = 0x80FFFFFCu;
}  // namespace

void PciConfigIo::attach(IoBus& io) {
  io.registerPorts(kConfAdd, 1, *this, "pci-conf-addr");
  io.registerPorts(kConfData, 4, *this, "pci-conf-data");
}

uint32_t PciConfigIo::ioRead(uint16_t port, unsigned size) {
  const uint32_t ones = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
  if (port == kConfAdd) return size == 4 ? address_ : ones;
  if (!(address_ & kEnable)) return ones;
  const unsigned offset = (address_ & 0xFC) + (port - kConfData);
  return bus_.configRead((address_ >> 16) & 0xFF, (address_ >> 11) & 0x1F, (address_ >> 8) & 7, offset, size);
}

void PciConfigIo::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  if (port == kConfAdd) {
    if (size == 4) address_ = value & kAddressMask;
    return;
  }
  if (!(address_ & kEnable)) return;
  const unsigned offset = (address_ & 0xFC) + (port - kConfData);
  bus_.configWrite((address_ >> 16) & 0xFF, (address_ >> 11) & 0x1F, (address_ >> 8) & 7, offset, size, value);
}

}  // namespace sv
