// PCI bus 0 of the "pc" machine: 32 device slots of 8 functions. Config
// accesses to an absent function read as all ones (the master abort a
// probing BIOS expects: vendor 0xFFFF) and writes to it are dropped.
#pragma once

#include <cstdint>

#include "devices/pci/pci_function.h"

namespace sv {

class PciBus {
 public:
  // `bars` is where the functions' BARs decode (nullptr: nowhere).
  explicit PciBus(PciBarSpace* bars = nullptr) : bars_(bars) {}
  // `fn` is borrowed; its owner (the Machine) outlives the bus.
  void attach(unsigned device, unsigned function, PciFunction& fn);

  uint32_t configRead(unsigned bus, unsigned device, unsigned function, unsigned offset, unsigned size) const;
  void configWrite(unsigned bus, unsigned device, unsigned function, unsigned offset, unsigned size, uint32_t value);

  void reset();  // PCI RST# to every function

 private:
  PciFunction* at(unsigned bus, unsigned device, unsigned function) const;
  PciBarSpace* bars_;
  PciFunction* slots_[32][8] = {};
};

}  // namespace sv
