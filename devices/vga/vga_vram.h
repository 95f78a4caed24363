// The adapter's video memory with one dirty bit per 4 KiB page, set by
// every guest write (legacy window, linear framebuffer, MMIO bar) and
// cleared by the renderer, so an idle screen is not redrawn.
//
// Layout as QEMU's stdvga: the four planes are interleaved byte by byte
// (plane p of plane offset a is byte 4a + p), so chain-4 (mode 13h) and the
// VBE linear framebuffer address the same bytes linearly.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "devices/vga/byte_lanes.h"

namespace sv {

class VgaVram {
 public:
  static constexpr uint32_t kPageShift = 12;
  explicit VgaVram(uint32_t bytes) : bytes_(bytes, 0), dirty_((bytes >> kPageShift) / 64 + 1, 0) {}

  uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }
  const uint8_t* data() const { return bytes_.data(); }

  uint8_t read8(uint32_t offset) const { return offset < size() ? bytes_[offset] : 0xFF; }
  void write8(uint32_t offset, uint8_t v) {
    if (offset >= size()) return;
    bytes_[offset] = v;
    markDirty(offset);
  }
  // Little-endian accesses of 1..8 bytes; bytes beyond the end read as ones.
  uint64_t readLe(uint32_t offset, unsigned n) const {
    return readByteLanes(offset, n, [this](uint64_t o) { return read8(static_cast<uint32_t>(o)); });
  }
  void writeLe(uint32_t offset, unsigned n, uint64_t v) {
    writeByteLanes(offset, n, v, [this](uint64_t o, uint8_t b) { write8(static_cast<uint32_t>(o), b); });
  }
  void fill(uint8_t v) {
    std::memset(bytes_.data(), v, bytes_.size());
    markAllDirty();
  }

  void markDirty(uint32_t offset) {
    const uint32_t page = offset >> kPageShift;
    dirty_[page / 64] |= 1ull << (page % 64);
  }
  void markAllDirty() { std::memset(dirty_.data(), 0xFF, dirty_.size() * sizeof(uint64_t)); }
  // Whether any page overlapping [begin, end) was written since the last clear.
  bool dirty(uint32_t begin, uint32_t end) const {
    if (begin >= end) return false;
    for (uint32_t p = begin >> kPageShift, last = (end - 1) >> kPageShift; p <= last; ++p) {
      if (p / 64 >= dirty_.size()) break;
      if (dirty_[p / 64] & (1ull << (p % 64))) return true;
    }
    return false;
  }
  bool anyDirty() const {
    for (uint64_t w : dirty_)
      if (w) return true;
    return false;
  }
  void clearDirty() { std::memset(dirty_.data(), 0, dirty_.size() * sizeof(uint64_t)); }

 private:
  std::vector<uint8_t> bytes_;
  std::vector<uint64_t> dirty_;
};

}  // namespace sv
