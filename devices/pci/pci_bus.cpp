#include "devices/pci/pci_bus.h"

#include <stdexcept>

namespace sv {

void PciBus::attach(unsigned device, unsigned function, PciFunction& fn) {
  if (device >= 32 || function >= 8) throw std::invalid_argument("PCI address out of range");
  if (slots_[device][function]) throw std::invalid_argument("PCI slot already in use");
  slots_[device][function] = &fn;
  fn.connectBars(bars_);
}

PciFunction* PciBus::at(unsigned bus, unsigned device, unsigned function) const {
  // Only bus 0 exists (no PCI-to-PCI bridges yet).
  if (bus != 0 || device >= 32 || function >= 8) return nullptr;
  return slots_[device][function];
}

uint32_t PciBus::configRead(unsigned bus, unsigned device, unsigned function, unsigned offset, unsigned size) const {
  if (PciFunction* f = at(bus, device, function)) return f->configRead(offset, size);
  return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

void PciBus::configWrite(unsigned bus, unsigned device, unsigned function, unsigned offset, unsigned size, uint32_t value) {
  if (PciFunction* f = at(bus, device, function)) f->configWrite(offset, size, value);
}

void PciBus::reset() {
  for (auto& slot : slots_)
    for (PciFunction* f : slot)
      if (f) f->reset();
}

}  // namespace sv
