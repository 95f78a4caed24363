// Which physical RAM pages hold guest code that has been translated.
//
// The JIT marks a page when it translates code from it and clears the mark
// once it has thrown that page's blocks away. Stores must not reach a marked
// page through a TLB fast path: the shadow TLB listens for new marks and
// turns its write entries for that page into slow-path entries, and the slow
// path reports the store (Translation::code_page) so the caller can
// invalidate the blocks before writing (self-modifying code, DESIGN.md step 6).
//
// Only RAM is tracked: ROM and MMIO writes never use the fast path anyway,
// so the translator must not cache code fetched from them without its own
// check. Granularity is the 4 KiB page (Bochs-style 128-byte sub-page
// tracking would spare data that shares a page with code; not yet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sv {

class PhysicalMemory;

// Told when a page becomes a code page (before set() returns).
class CodePageListener {
 public:
  virtual void codePageAdded(uint64_t page_paddr) = 0;

 protected:
  ~CodePageListener() = default;
};

class CodePageMap {
 public:
  // Covers the RAM ranges of `mem` (below the PCI hole and above 4 GiB).
  explicit CodePageMap(const PhysicalMemory& mem);
  CodePageMap(const CodePageMap&) = delete;
  CodePageMap& operator=(const CodePageMap&) = delete;

  // Whether the page holding `paddr` is marked. False for addresses outside RAM.
  bool test(uint64_t paddr) const {
    uint64_t i = indexOf(paddr);
    return i != kUntracked && (bits_[i >> 6] >> (i & 63)) & 1;
  }
  // Marks the page of `paddr`; on a new mark, bumps the generation and tells
  // every listener. Returns false for addresses outside RAM (not tracked).
  bool set(uint64_t paddr);
  // Unmarks the page of `paddr` (its translated code is gone). Listeners are
  // not told: slow-path entries find out on their next store.
  void clear(uint64_t paddr);

  // Bumped whenever a page is newly marked or unmarked: a cheap "has
  // anything changed" check for caches built on top.
  uint64_t generation() const { return generation_; }
  uint64_t markedPages() const { return marked_; }

  void addListener(CodePageListener* l);
  void removeListener(CodePageListener* l);

 private:
  static constexpr uint64_t kUntracked = ~0ull;
  uint64_t indexOf(uint64_t paddr) const {
    if (paddr < low_end_) return paddr >> 12;
    if (paddr >= kHighBase && paddr - kHighBase < high_size_) return (low_end_ + (paddr - kHighBase)) >> 12;
    return kUntracked;
  }

  static constexpr uint64_t kHighBase = 0x100000000ull;  // PhysicalMemory::kHighRamBase
  uint64_t low_end_;    // RAM below the PCI hole: [0, low_end_)
  uint64_t high_size_;  // RAM above 4 GiB: [4G, 4G + high_size_)
  std::vector<uint64_t> bits_;
  std::vector<CodePageListener*> listeners_;
  uint64_t generation_ = 0;
  uint64_t marked_ = 0;
};

}  // namespace sv
