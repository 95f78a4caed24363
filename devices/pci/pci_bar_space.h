// The address spaces PCI BARs decode into: one Machine's I/O port space and
// physical memory. PciFunction maps and unmaps its BAR windows here as the
// guest programs BARs and the command register's I/O / memory enables.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "devices/io_bus.h"
#include "memory/physical_memory.h"

namespace sv {

class PciBarSpace {
 public:
  // `memory_map_changed(base, size)` runs after a memory window appears or
  // goes, so the owner can drop cached translations of that range (a guest
  // may place a BAR over RAM).
  using RangeChanged = std::function<void(uint64_t base, uint64_t size)>;
  PciBarSpace(IoBus& io, PhysicalMemory& mem, RangeChanged memory_map_changed);

  // False when another device already answers one of the ports: overlapping
  // decode is undefined on real PCI, and we keep the earlier claimant.
  bool mapIo(uint16_t base, uint32_t size, IoDevice& dev, const std::string& name);
  void unmapIo(uint16_t base, uint32_t size);
  void mapMemory(uint64_t base, uint64_t size, MmioHandler& handler, const std::string& name);
  void unmapMemory(uint64_t base, uint64_t size, const MmioHandler& handler);

 private:
  IoBus& io_;
  PhysicalMemory& mem_;
  RangeChanged memory_map_changed_;
};

}  // namespace sv
