// The adapter's video memory with one dirty bit per 4 KiB page, set by
// every guest write (legacy window, linear framebuffer, MMIO bar) and
// cleared by the renderer, so an idle screen is not redrawn.
//
// Layout as QEMU's stdvga: the four planes are interleaved byte by byte
// (plane p of plane offset a is byte 4a + p), so chain-4 (mode 13h) and the
// VBE linear framebuffer address the same bytes linearly.
//
// The 16 MiB are an anonymous mapping: pages the guest never draws on cost
// no host memory, and clearing the whole memory (a VBE mode set) gives the
// pages back instead of writing zeros over them.
#pragma once
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "devices/vga/byte_lanes.h"

namespace sv {

class VgaVram {
 public:
  static constexpr uint32_t kPageShift = 12;
  explicit VgaVram(uint32_t bytes) : size_(bytes), dirty_((bytes >> kPageShift) / 64 + 1, 0) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    bytes_ = static_cast<uint8_t*>(p);
  }
  ~VgaVram() { munmap(bytes_, size_); }
  VgaVram(const VgaVram&) = delete;
  VgaVram& operator=(const VgaVram&) = delete;

  uint32_t size() const { return size_; }
  const uint8_t* data() const { return bytes_; }

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
    // Zero: drop the pages (an anonymous private mapping reads zeros again).
    if (v != 0 || madvise(bytes_, size_, MADV_DONTNEED) != 0) std::memset(bytes_, v, size_);
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
  uint32_t size_;
  uint8_t* bytes_ = nullptr;
  std::vector<uint64_t> dirty_;
};

}  // namespace sv
