#include "devices/pci/pci_bar_space.h"

namespace sv {

PciBarSpace::PciBarSpace(IoBus& io, PhysicalMemory& mem, RangeChanged memory_map_changed)
    : io_(io), mem_(mem), memory_map_changed_(std::move(memory_map_changed)) {}

bool PciBarSpace::mapIo(uint16_t base, uint32_t size, IoDevice& dev, const std::string& name) {
  for (uint32_t p = base; p < base + size; ++p)
    if (io_.deviceAt(static_cast<uint16_t>(p))) return false;
  io_.registerPorts(base, size, dev, name);
  return true;
}

void PciBarSpace::unmapIo(uint16_t base, uint32_t size) { io_.unregisterPorts(base, size); }

void PciBarSpace::mapMemory(uint64_t base, uint64_t size, MmioHandler& handler, const std::string& name) {
  mem_.addMmio(base, size, handler, name);
  if (memory_map_changed_) memory_map_changed_(base, size);
}

void PciBarSpace::unmapMemory(uint64_t base, uint64_t size, const MmioHandler& handler) {
  mem_.removeMmio(base, handler);
  if (memory_map_changed_) memory_map_changed_(base, size);
}

}  // namespace sv
