// Walks a bus-master IDE Physical Region Descriptor table (82371SB/AB
// datasheet, "Bus Master IDE", PRD format): 8-byte entries of a 32-bit
// memory address (bit 0 ignored), a 16-bit byte count (bit 0 ignored,
// 0 = 64 KiB) and the End Of Table flag (bit 31 of the second dword).
#pragma once

#include <cstddef>
#include <cstdint>

#include "devices/dma_memory.h"

namespace sv {

class PrdCursor {
 public:
  PrdCursor(DmaMemory& mem, uint32_t table_address);

  // Moves up to `len` bytes between `buf` and the regions the table
  // describes, in table order; returns the bytes moved (fewer when the
  // table ends first).
  size_t toMemory(const uint8_t* buf, size_t len);
  size_t fromMemory(uint8_t* buf, size_t len);

  // The table's last region has been used up.
  bool exhausted();

 private:
  // Makes the current region non-empty; false past the last entry.
  bool loadRegion();
  template <typename Copy>
  size_t walk(size_t len, Copy copy);

  DmaMemory& mem_;
  uint32_t next_entry_;
  uint32_t region_addr_ = 0;
  uint32_t region_left_ = 0;
  bool last_ = false;   // the current region is the table's last
  bool ended_ = false;  // the last region is used up
  unsigned entries_read_ = 0;
};

}  // namespace sv
