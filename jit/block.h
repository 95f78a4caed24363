// One translated block: up to kMaxBlockInsns guest instructions from one
// physical page, decoded once, and the host code that runs them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "cpu/decoded_insn.h"

namespace sv {

class Cpu;
struct Block;

// One direct exit of a block (taken branch or fall-through) that may jump
// straight into the next block's code. The code jumps through `slot`: the
// next block's chained entry once linked, else a stub that returns this
// ChainExit to Jit::runBlock, which links it when the target qualifies.
// Patching a data word instead of code keeps the code buffer read-only
// after assembly and makes unlinking a store. An exit whose target lies in
// another page is pointed at the owner's dispatch trampoline instead (a lookup
// with the physical check, every time: see emit_dispatch.h).
struct ChainExit {
  uint64_t slot = 0;      // host address the exit jumps to
  uint64_t unlinked = 0;  // the link-request stub (slot's value when unlinked)
  uint64_t dispatch = 0;  // the owner's dispatch trampoline: finds the block at RIP each time
  Block* owner = nullptr;
  Block* target = nullptr;  // linked block, or nullptr
};

// The generated code. It returns after an instruction that set
// Cpu::blockExitFlag() or that did not fall through. Chained blocks are
// entered only while the CPU's retired counter + their count <=
// retired_limit, so budgets stay exact. Returns the exit to link, or
// nullptr.
using BlockFn = const ChainExit* (*)(CpuState* state, uint64_t retired_limit);

constexpr unsigned kMaxBlockInsns = 64;
// Direct exits of a block: taken branch, fall-through, and a native REP
// string instruction that runs again (its next chunk).
// kExitReturn: the instruction after a native CALL, entered from a RET
// through the return stack (return_stack.h).
enum ChainSlot : unsigned { kExitTaken = 0, kExitFallThrough = 1, kExitRepeat = 2, kExitReturn = 3, kChainExits = 4 };

// What a block's decoding depends on besides its bytes, packed in one word
// (dynarmic's "location descriptor" minus the address): the CPU mode, the
// code segment's D and L bits, CPL, the CR0/CR4/EFER/A20 bits that
// change decoding or what the instructions do, and whether the data
// segments are flat. Two executions with the same
// key and the same bytes decode the same way.
uint64_t blockModeKey(const Cpu& cpu);
// Bit of the mode key: in protected mode DS, ES and SS are flat (base 0,
// limit 4 GiB, present writable expand-up data) and SS.B is set, so the
// block's memory accesses through them skip the segment checks and its
// stack accesses the stack-width guard. Such a block ends after
// any instruction that loads one of them (Translator::loadsFlatSegment).
constexpr uint64_t kModeFlatData = uint64_t{1} << 10;
// Bit of the mode key: outside 64-bit mode, CS's limit is 4 GiB, so no
// RIP (masked to 16 or 32 bits) can pass it: the block skips its CS-limit
// checks (chained entry, branch targets). CS changes only in instructions
// that end a block.
constexpr uint64_t kModeFlatCode = uint64_t{1} << 12;

struct Block {
  // Identity: where the bytes are and how they were decoded.
  uint64_t paddr = 0;     // guest physical address of the first byte
  uint64_t mode_key = 0;  // blockModeKey() at translation
  uint64_t cs_base = 0;   // CS base and RIP at translation: the code checks
  uint64_t rip = 0;       //   RIP values, so both are part of the identity
  uint64_t linear = 0;    // CS base + RIP as fetched (its front-cache slot)
  // Checked on entry.
  const uint8_t* host = nullptr;  // host pointer of the first byte (physical check)
  uint64_t last_rip = 0;          // offset of the last byte (CS limit check)
  bool tracked = false;           // RAM page marked in the CodePageMap (else ROM)
  bool live = true;               // false once invalidated (awaiting release)

  uint32_t count = 0;      // instructions
  uint32_t code_size = 0;  // host bytes
  BlockFn fn = nullptr;
  // The decoded instructions the generated code passes to the interpreter's
  // handlers (handler calls, fault paths), in no particular order: they
  // live as long as the block and never move. The others are not kept (152
  // bytes each; a slow path has the interpreter fetch its instruction again).
  std::unique_ptr<DecodedInsn[]> insns;

  // Chaining: the entry other blocks jump to (after the common prologue,
  // at the budget and CS-limit checks), this block's direct exits and the
  // exits linked to it.
  uint64_t chain_entry = 0;
  ChainExit exits[kChainExits];
  std::vector<ChainExit*> incoming;

  uint64_t page() const { return paddr & ~uint64_t{0xFFF}; }
};

// Points `e` at `target`'s code (the caller has checked that the target is
// valid wherever e's owner runs).
void linkChain(ChainExit& e, Block& target);
// Undoes every link into and out of `b` (it is being retired).
void unlinkChains(Block& b);

}  // namespace sv
