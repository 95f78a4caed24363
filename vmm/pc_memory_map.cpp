#include "vmm/pc_memory_map.h"

#include <algorithm>

#include "memory/physical_memory.h"

namespace sv {

uint64_t ramEndBelow4G(uint64_t ram_bytes) {
  return std::min(ram_bytes, PhysicalMemory::kPciHoleStart);
}

std::vector<E820Entry> pcMemoryMap(uint64_t ram_bytes) {
  // 0xA0000-0xF0000 (VGA window, option ROMs) is not listed: not RAM.
  std::vector<E820Entry> map{
      {0, kConventionalMemoryEnd, E820Type::Ram},
      {kConventionalMemoryEnd, 0xA0000 - kConventionalMemoryEnd, E820Type::Reserved},
      {kAcpiTablesStart, kHighMemoryStart - kAcpiTablesStart, E820Type::Reserved},
  };
  const uint64_t low_end = ramEndBelow4G(ram_bytes);
  if (low_end > kHighMemoryStart) map.push_back({kHighMemoryStart, low_end - kHighMemoryStart, E820Type::Ram});
  if (ram_bytes > low_end) map.push_back({PhysicalMemory::kHighRamBase, ram_bytes - low_end, E820Type::Ram});
  return map;
}

}  // namespace sv
