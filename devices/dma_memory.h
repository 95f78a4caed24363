// How a bus-mastering device reaches guest physical memory. The board
// implements it over PhysicalMemory and drops translated code that a DMA
// write lands on (a device store is as self-modifying as a CPU store).
#pragma once

#include <cstddef>
#include <cstdint>

namespace sv {

class DmaMemory {
 public:
  virtual void dmaRead(uint64_t paddr, void* dst, size_t len) = 0;
  virtual void dmaWrite(uint64_t paddr, const void* src, size_t len) = 0;

 protected:
  ~DmaMemory() = default;
};

}  // namespace sv
