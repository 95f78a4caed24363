#include "devices/ide/prd_cursor.h"

#include <algorithm>

namespace sv {

namespace {
// A table without an EOT entry would run on through memory; the datasheet
// keeps a table inside one 64 KiB page, so no valid table has more entries.
constexpr unsigned kMaxEntries = 65536 / 8;
}  // namespace

PrdCursor::PrdCursor(DmaMemory& mem, uint32_t table_address) : mem_(mem), next_entry_(table_address & ~3u) {}

bool PrdCursor::loadRegion() {
  while (region_left_ == 0) {
    if (last_ || ended_ || entries_read_ == kMaxEntries) {
      ended_ = true;
      return false;
    }
    uint8_t e[8];
    mem_.dmaRead(next_entry_, e, sizeof e);
    // The table wraps inside its 64 KiB page (the pointer's upper bits are fixed).
    next_entry_ = (next_entry_ & 0xFFFF0000u) | ((next_entry_ + 8) & 0xFFFFu);
    ++entries_read_;
    region_addr_ = (uint32_t{e[0]} | uint32_t{e[1]} << 8 | uint32_t{e[2]} << 16 | uint32_t{e[3]} << 24) & ~1u;
    const uint32_t count = (uint32_t{e[4]} | uint32_t{e[5]} << 8) & ~1u;
    region_left_ = count ? count : 0x10000;
    last_ = e[7] & 0x80;
  }
  return true;
}

template <typename Copy>
size_t PrdCursor::walk(size_t len, Copy copy) {
  size_t done = 0;
  while (done < len && loadRegion()) {
    const size_t n = std::min<size_t>(len - done, region_left_);
    copy(region_addr_, done, n);
    region_addr_ += static_cast<uint32_t>(n);
    region_left_ -= static_cast<uint32_t>(n);
    done += n;
  }
  return done;
}

size_t PrdCursor::toMemory(const uint8_t* buf, size_t len) {
  return walk(len, [&](uint32_t addr, size_t off, size_t n) { mem_.dmaWrite(addr, buf + off, n); });
}

size_t PrdCursor::fromMemory(uint8_t* buf, size_t len) {
  return walk(len, [&](uint32_t addr, size_t off, size_t n) { mem_.dmaRead(addr, buf + off, n); });
}

bool PrdCursor::exhausted() { return ended_ || (last_ && region_left_ == 0); }

}  // namespace sv
