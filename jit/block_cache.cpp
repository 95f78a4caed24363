#include "jit/block_cache.h"

#include "memory/code_page_map.h"

#include <algorithm>

namespace sv {

size_t BlockCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = k.paddr * 0x9E3779B97F4A7C15ull;
  h ^= (k.mode_key + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
  h ^= (k.rip ^ (k.cs_base << 7)) * 0x165667B19E3779F9ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

BlockCache::BlockCache() : front_(std::make_unique<FrontEntry[]>(size_t{1} << kFrontLog2)) {}

void BlockCache::setFront(Block* b) {
  front_[frontIndex(b->linear, b->mode_key)] =
      FrontEntry{b->linear, b->mode_key, b, b->host, b->cs_base, b->rip, b->chain_entry};
}

Block* BlockCache::find(uint64_t paddr, uint64_t mode_key, uint64_t cs_base, uint64_t rip) const {
  auto it = blocks_.find(Key{paddr, mode_key, cs_base, rip});
  return it == blocks_.end() ? nullptr : it->second.get();
}

Block* BlockCache::insert(std::unique_ptr<Block> b) {
  Key k = keyOf(*b);
  auto it = blocks_.find(k);
  if (it != blocks_.end()) {
    std::unique_ptr<Block> old = std::move(it->second);
    blocks_.erase(it);
    auto& list = pages_[old->page()];
    list.erase(std::remove(list.begin(), list.end(), old.get()), list.end());
    retire(std::move(old));
  }
  Block* raw = b.get();
  pages_[raw->page()].push_back(raw);
  blocks_.emplace(k, std::move(b));
  return raw;
}

size_t BlockCache::invalidatePage(uint64_t paddr) {
  auto it = pages_.find(paddr & ~uint64_t{0xFFF});
  if (it == pages_.end()) return 0;
  std::vector<Block*> list = std::move(it->second);
  pages_.erase(it);
  for (Block* b : list) {
    auto bit = blocks_.find(keyOf(*b));
    std::unique_ptr<Block> owned = std::move(bit->second);
    blocks_.erase(bit);
    retire(std::move(owned));
  }
  return list.size();
}

size_t BlockCache::invalidateGranules(uint64_t paddr, uint64_t mask, uint64_t& remaining) {
  remaining = 0;
  auto it = pages_.find(paddr & ~uint64_t{0xFFF});
  if (it == pages_.end()) return 0;
  std::vector<Block*>& list = it->second;
  size_t dropped = 0;
  for (size_t i = 0; i < list.size();) {
    Block* b = list[i];
    const uint64_t g = CodePageMap::granuleMask(b->paddr, b->last_rip - b->rip + 1);
    if (!(g & mask)) {
      remaining |= g;
      ++i;
      continue;
    }
    list[i] = list.back();
    list.pop_back();
    auto bit = blocks_.find(keyOf(*b));
    std::unique_ptr<Block> owned = std::move(bit->second);
    blocks_.erase(bit);
    retire(std::move(owned));
    ++dropped;
  }
  if (list.empty()) pages_.erase(it);
  return dropped;
}

void BlockCache::clear() {
  for (auto& [k, b] : blocks_) retire(std::move(b));
  blocks_.clear();
  pages_.clear();
  for (size_t i = 0; i < (size_t{1} << kFrontLog2); ++i) front_[i] = FrontEntry{};
}

void BlockCache::retire(std::unique_ptr<Block> b) {
  // The front cache holds raw pointers: a retired block must not be entered
  // again, and its memory goes later (it may be running now).
  b->live = false;
  unlinkChains(*b);  // no chained jump may enter it again
  FrontEntry& e = front_[frontIndex(b->linear, b->mode_key)];
  if (e.block == b.get()) e = FrontEntry{};
  retired_.push_back(std::move(b));
}

std::vector<std::unique_ptr<Block>> BlockCache::takeRetired() { return std::move(retired_); }

}  // namespace sv
