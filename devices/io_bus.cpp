#include "devices/io_bus.h"

#include <stdexcept>

namespace sv {

IoBus::IoBus() : ports_(0x10000, nullptr), name_of_(0x10000, 0), names_{"unassigned"} {}

void IoBus::registerPorts(uint16_t first, uint32_t count, IoDevice& dev, std::string name) {
  if (count == 0 || first + count > 0x10000) throw std::invalid_argument("I/O range of '" + name + "' is out of the port space");
  for (uint32_t p = first; p < first + count; ++p)
    if (ports_[p]) throw std::invalid_argument("I/O port " + std::to_string(p) + " of '" + name + "' is already claimed by '" + names_[name_of_[p]] + "'");
  // A name is stored once however often it is registered: PCI BARs come
  // and go as the guest reprograms them.
  size_t index = 0;
  while (index < names_.size() && names_[index] != name) ++index;
  if (index == names_.size()) names_.push_back(std::move(name));
  for (uint32_t p = first; p < first + count; ++p) {
    ports_[p] = &dev;
    name_of_[p] = static_cast<uint16_t>(index);
  }
}

void IoBus::unregisterPorts(uint16_t first, uint32_t count) {
  for (uint32_t p = first; p < first + count && p < 0x10000; ++p) ports_[p] = nullptr, name_of_[p] = 0;
}

uint32_t IoBus::read(uint16_t port, unsigned size) {
  if (IoDevice* d = ports_[port]) return d->ioRead(port, size);
  return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

void IoBus::write(uint16_t port, unsigned size, uint32_t value) {
  if (IoDevice* d = ports_[port]) d->ioWrite(port, size, value);
}

const std::string& IoBus::nameAt(uint16_t port) const { return names_[name_of_[port]]; }

}  // namespace sv
