// The translated blocks of one vCPU, found by (guest physical address, mode
// key, CS base, RIP) through a hash table, with a direct-mapped front cache
// keyed by linear address + mode key in front of it for the common case.
// Every block lies in one physical page; a per-page list lets a store to that
// page drop all its blocks (self-modifying code).
//
// Blocks leave in two steps: invalidation unlinks them at once (no lookup
// finds them again), but their memory and host code stay until the owner
// calls takeRetired() at a safe point, because the block being invalidated
// may be the one running (a block that modifies itself).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "jit/block.h"

namespace sv {

// One slot of the front cache. Besides the key it copies what a hit must
// confirm (the block's host pointer of its first byte, CS base and RIP)
// and where to enter, so the dispatch stub's inline lookup
// (emit_dispatch.cpp) reads one cache line and never a Block.
struct alignas(64) FrontEntry {
  uint64_t linear = ~0ull;  // key: linear address of the first byte ...
  uint64_t mode_key = 0;    // ... and mode key
  Block* block = nullptr;
  const uint8_t* host = nullptr;  // block->host
  uint64_t cs_base = 0;           // block->cs_base
  uint64_t rip = 0;               // block->rip
  uint64_t chain_entry = 0;       // block->chain_entry
};
static_assert(sizeof(FrontEntry) == 64 && std::is_standard_layout_v<FrontEntry>);

// The front cache's slot of (linear, mode key): the generated lookup
// computes the same ((linear ^ mode_key * kFrontKeyMul) * kFrontMix) >> (64 - kFrontLog2).
constexpr unsigned kFrontLog2 = 12;
constexpr uint64_t kFrontKeyMul = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kFrontMix = 0xFF51AFD7ED558CCDull;
inline size_t frontIndex(uint64_t linear, uint64_t mode_key) {
  return static_cast<size_t>(((linear ^ (mode_key * kFrontKeyMul)) * kFrontMix) >> (64 - kFrontLog2));
}

class BlockCache {
 public:
  BlockCache();

  // The block last entered from linear address `linear` in mode `mode_key`,
  // or nullptr. The caller still checks the physical page and RIP.
  Block* front(uint64_t linear, uint64_t mode_key) const {
    const FrontEntry& e = front_[frontIndex(linear, mode_key)];
    return e.linear == linear && e.mode_key == mode_key ? e.block : nullptr;
  }
  // Makes `b` the front entry of its linear address and mode.
  void setFront(Block* b);
  // The front cache's 2^kFrontLog2 slots (fixed for the cache's life:
  // generated code embeds the address). A retired block leaves its slot.
  const FrontEntry* frontTable() const { return front_.get(); }

  // The block for this identity, or nullptr.
  Block* find(uint64_t paddr, uint64_t mode_key, uint64_t cs_base, uint64_t rip) const;
  // Takes ownership; a block with the same identity is retired.
  Block* insert(std::unique_ptr<Block> b);

  // Retires every block of the physical page holding `paddr`; returns how
  // many there were.
  size_t invalidatePage(uint64_t paddr);
  // Retires the blocks of the page of `paddr` whose code granules (64-byte
  // pieces, CodePageMap::granuleMask) meet `mask`; returns how many, and
  // in `remaining` the granules of the page's blocks that stay.
  size_t invalidateGranules(uint64_t paddr, uint64_t mask, uint64_t& remaining);
  // Retires everything.
  void clear();

  // Blocks invalidated since the last call; the caller frees their code.
  std::vector<std::unique_ptr<Block>> takeRetired();
  bool hasRetired() const { return !retired_.empty(); }

  size_t size() const { return blocks_.size(); }
  size_t pagesWithCode() const { return pages_.size(); }

 private:
  struct Key {
    uint64_t paddr, mode_key, cs_base, rip;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static Key keyOf(const Block& b) { return {b.paddr, b.mode_key, b.cs_base, b.rip}; }
  void retire(std::unique_ptr<Block> b);

  std::unordered_map<Key, std::unique_ptr<Block>, KeyHash> blocks_;
  std::unordered_map<uint64_t, std::vector<Block*>> pages_;  // physical page -> its blocks
  std::unique_ptr<FrontEntry[]> front_;
  std::vector<std::unique_ptr<Block>> retired_;
};

}  // namespace sv
