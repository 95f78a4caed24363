#include "memory/code_page_map.h"

#include <algorithm>

#include "memory/physical_memory.h"

namespace sv {

static_assert(PhysicalMemory::kHighRamBase == 0x100000000ull, "CodePageMap assumes high RAM at 4 GiB");

CodePageMap::CodePageMap(const PhysicalMemory& mem)
    : low_end_(mem.ramBelow4G()), high_size_(mem.ramSize() - mem.ramBelow4G()) {
  uint64_t pages = (low_end_ + high_size_) >> 12;
  granules_.assign(pages, 0);
}

bool CodePageMap::set(uint64_t paddr, uint64_t len) {
  uint64_t i = indexOf(paddr);
  if (i == kUntracked) return false;
  const bool was_marked = granules_[i] != 0;
  granules_[i] |= granuleMask(paddr, std::max<uint64_t>(len, 1));
  if (!was_marked) pageMarked(paddr);
  return true;
}

void CodePageMap::pageMarked(uint64_t paddr) {
  ++marked_;
  ++generation_;
  uint64_t page = paddr & ~0xFFFull;
  for (CodePageListener* l : listeners_) l->codePageAdded(page);
}

void CodePageMap::setGranules(uint64_t paddr, uint64_t mask) {
  uint64_t i = indexOf(paddr);
  if (i == kUntracked) return;
  const bool was_marked = granules_[i] != 0;
  granules_[i] = mask;
  if (!was_marked && mask) {
    pageMarked(paddr);
  } else if (was_marked && !mask) {
    --marked_;
    ++generation_;
  }
}

void CodePageMap::addListener(CodePageListener* l) {
  if (std::find(listeners_.begin(), listeners_.end(), l) == listeners_.end()) listeners_.push_back(l);
}

void CodePageMap::removeListener(CodePageListener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}

}  // namespace sv
