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
// check. Within a marked page, 64-byte granules say which bytes hold
// translated code (as Bochs tracks 128-byte pieces): a store to the rest
// of the page takes the slow path but drops no block, so data that shares
// a page with code (kernel .data beside .text, a stack beside a trampoline)
// does not throw the code away on every write.
#pragma once

#include <algorithm>
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
    return i != kUntracked && granules_[i] != 0;
  }
  // Marks the page of `paddr` and the granules of [paddr, paddr + len)
  // (within that page) as code; on a new page mark, bumps the generation
  // and tells every listener. Returns false for addresses outside RAM (not
  // tracked).
  bool set(uint64_t paddr, uint64_t len = 1);
  // Whether [paddr, paddr + len), within one page, touches a code granule.
  bool holdsCode(uint64_t paddr, uint64_t len) const {
    uint64_t i = indexOf(paddr);
    return i != kUntracked && (granules_[i] & granuleMask(paddr, len)) != 0;
  }
  // The page's code granules become `mask` (bit g: bytes 64g..64g+63), after
  // some of its blocks went; 0 unmarks the page. A page is marked exactly
  // when it has a code granule.
  void setGranules(uint64_t paddr, uint64_t mask);
  // Unmarks the page of `paddr` (its translated code is gone). Listeners are
  // not told: slow-path entries find out on their next store.
  void clear(uint64_t paddr) { setGranules(paddr, 0); }

  // Bit g set: granule g of a page overlaps [paddr, paddr + len) (clipped
  // to the page of paddr).
  static uint64_t granuleMask(uint64_t paddr, uint64_t len) {
    if (len == 0) return 0;
    const uint64_t off = paddr & 0xFFF;
    const uint64_t last = std::min<uint64_t>(off + len - 1, 0xFFF);
    const unsigned g0 = static_cast<unsigned>(off >> 6), g1 = static_cast<unsigned>(last >> 6);
    const uint64_t upto = g1 == 63 ? ~0ull : (2ull << g1) - 1;
    return upto & ~((1ull << g0) - 1);
  }

  // Bumped whenever a page is newly marked or unmarked: a cheap "has
  // anything changed" check for caches built on top.
  uint64_t generation() const { return generation_; }
  uint64_t markedPages() const { return marked_; }

  void addListener(CodePageListener* l);
  void removeListener(CodePageListener* l);

 private:
  static constexpr uint64_t kUntracked = ~0ull;
  // A page got its first code granule: count it and tell the listeners.
  void pageMarked(uint64_t paddr);
  uint64_t indexOf(uint64_t paddr) const {
    if (paddr < low_end_) return paddr >> 12;
    if (paddr >= kHighBase && paddr - kHighBase < high_size_) return (low_end_ + (paddr - kHighBase)) >> 12;
    return kUntracked;
  }

  static constexpr uint64_t kHighBase = 0x100000000ull;  // PhysicalMemory::kHighRamBase
  uint64_t low_end_;    // RAM below the PCI hole: [0, low_end_)
  uint64_t high_size_;  // RAM above 4 GiB: [4G, 4G + high_size_)
  std::vector<uint64_t> granules_;  // per page: 64-byte granules holding code (0: not a code page)
  std::vector<CodePageListener*> listeners_;
  uint64_t generation_ = 0;
  uint64_t marked_ = 0;
};

}  // namespace sv
