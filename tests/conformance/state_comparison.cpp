#include "tests/conformance/state_comparison.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "memory/physical_memory.h"

namespace sv::conformance {

std::string hex(uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*" PRIx64, digits, v);
  return buf;
}

Expected expectedRegisters(const MooTest& t, const MooHeader& h, uint16_t loaded_flags, uint16_t flags_mask,
                           uint16_t ignored_regs) {
  Expected e;
  for (unsigned r = 0; r < kMooRegCount; ++r) {
    e.regs[r] = t.fina.regs.has(r) ? t.fina.regs.value[r] : t.init.regs.value[r];
    e.masks[r] = ((ignored_regs >> r) & 1) ? 0 : 0xFFFF;
    if (h.undefined_masks.has(r)) e.masks[r] &= h.undefined_masks.value[r];
    if (t.fina.undefined_masks.has(r)) e.masks[r] &= t.fina.undefined_masks.value[r];
  }
  if (!t.fina.regs.has(kFlags)) e.regs[kFlags] = loaded_flags;
  e.masks[kFlags] &= flags_mask;
  return e;
}

void ExpectedMemory::build(const MooTest& t) {
  bytes_.clear();
  bytes_.insert(bytes_.end(), t.init.ram.begin(), t.init.ram.end());
  bytes_.insert(bytes_.end(), t.fina.ram.begin(), t.fina.ram.end());
  // Stable: for one address the final entry, which comes later, wins.
  std::stable_sort(bytes_.begin(), bytes_.end(),
                   [](const RamEntry& a, const RamEntry& b) { return a.addr < b.addr; });
  auto last_of_run = [](const RamEntry& a, const RamEntry& b) { return a.addr == b.addr; };
  // unique() keeps the first of equal addresses; keep the last instead.
  std::reverse(bytes_.begin(), bytes_.end());
  bytes_.erase(std::unique(bytes_.begin(), bytes_.end(), last_of_run), bytes_.end());
  std::reverse(bytes_.begin(), bytes_.end());
}

bool ExpectedMemory::listed(uint32_t addr) const {
  auto it = std::lower_bound(bytes_.begin(), bytes_.end(), addr,
                             [](const RamEntry& e, uint32_t a) { return e.addr < a; });
  return it != bytes_.end() && it->addr == addr;
}

// Where the exception frame's FLAGS word is: at SS:SP+4 of the final state,
// the frame being the last thing pushed before the handler's HLT. EXCP gives
// the word-aligned bus address, one byte low when SP is odd.
uint32_t pushedFlagsAddress(const MooTest& t, const Expected& e) {
  if (!t.has_exception) return kNoAddress;
  uint32_t frame = (static_cast<uint32_t>(e.regs[kSS]) << 4) + static_cast<uint16_t>(e.regs[kSP] + 4);
  return frame == t.flag_address || frame == t.flag_address + 1 ? frame : t.flag_address;
}

namespace {

// Bits of a byte that are compared: all, except in the FLAGS word an
// exception pushed, where undefined flags are masked off.
unsigned byteMask(uint32_t addr, uint32_t flags_at, uint16_t flags_mask) {
  if (flags_at == kNoAddress) return 0xFF;
  if (addr == flags_at) return flags_mask & 0xFF;
  if (addr == flags_at + 1) return flags_mask >> 8;
  return 0xFF;
}

}  // namespace

void compareListedBytes(Diff& d, const MooTest& t, const ExpectedMemory& m, const uint8_t* ram, uint64_t ram_bytes,
                        uint32_t flags_at, uint16_t flags_mask) {
  for (const RamEntry& x : m.bytes()) {
    if (x.addr >= ram_bytes) throw MooError("test #" + std::to_string(t.index) + ": RAM address beyond 16 MiB");
    unsigned mask = byteMask(x.addr, flags_at, flags_mask);
    uint8_t ours = ram[x.addr];
    if (((ours ^ x.value) & mask) == 0) continue;
    std::string line = "mem[" + hex(x.addr, 6) + "]: expected " + hex(x.value, 2) + " got " + hex(ours, 2);
    if (mask != 0xFF) line += " (pushed FLAGS, compared bits " + hex(mask, 2) + ")";
    d.add(std::move(line));
    if (d.done()) return;
  }
}

namespace {

// Bytes the reference CPU never touched must still be zero: this catches
// writes to the wrong place or of the wrong width, which the listed bytes
// alone would not show.
bool allZero(const uint8_t* p, size_t n) {
  uint64_t any = 0;  // an OR over the block, which the compiler vectorizes
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    any |= w;
  }
  return any == 0;
}

}  // namespace

void findStrayWrites(Diff& d, const ExpectedMemory& m, const uint8_t* ram, const std::vector<uint32_t>& pages) {
  constexpr uint32_t kBlock = 64;
  for (uint32_t page : pages) {
    const uint8_t* p = ram + static_cast<uint64_t>(page) * kPageSize;
    if (allZero(p, kPageSize)) continue;  // the common case: a page read, or cleared earlier
    for (uint32_t block = 0; block < kPageSize; block += kBlock) {
      if (allZero(p + block, kBlock)) continue;
      for (uint32_t i = block; i < block + kBlock; ++i) {
        uint32_t addr = page * static_cast<uint32_t>(kPageSize) + i;
        if (!p[i] || m.listed(addr)) continue;
        d.add("mem[" + hex(addr, 6) + "]: expected 00 got " + hex(p[i], 2) + " (never written by the reference)");
        if (d.done()) return;
      }
    }
  }
}

}  // namespace sv::conformance
