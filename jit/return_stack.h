// Return-address prediction for native near CALL/RET. A CALL the JIT
// emits pushes (return RIP, mode key, the address of its block's return
// exit slot); a native RET pops the top entry and, when the RIP and mode
// key it returns to are that entry's, jumps through the slot: straight to
// the block after the CALL once Jit::link has linked it (the same rules
// as any direct exit of the calling block), else to its link-request
// stub. Anything else - a mismatch, an overflowed or emptied stack - takes
// the dispatch lookup as before.
//
// Entries stay valid only within one run of chained code (Jit::runBlock
// clears the stack before it enters a block): inside one run the mode key
// and the address space do not change, no block is freed, and a retired
// block sets the exit flag, which the RET tests before it looks here.
#pragma once

#include <cstdint>

namespace sv {

struct ReturnStack {
  static constexpr unsigned kDepth = 16;  // a power of two (the index wraps)
  static constexpr uint64_t kNoKey = ~0ull;  // no mode key is all ones
  struct Entry {
    uint64_t rip = 0;
    uint64_t mode_key = kNoKey;
    uint64_t slot = 0;  // &ChainExit::slot of the calling block's return exit
    uint64_t pad = 0;
  };
  uint32_t top = 0;  // index of the newest entry
  uint32_t pad = 0;
  Entry entries[kDepth];

  void clear() {
    for (Entry& e : entries) e.mode_key = kNoKey;
  }
};
static_assert(sizeof(ReturnStack::Entry) == 32);

}  // namespace sv
