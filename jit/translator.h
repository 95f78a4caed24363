// Guest code -> Block: decodes from CS:RIP with sv::Decoder until a control
// transfer, an instruction that changes the mode or the address space, the
// end of the page, the CS limit or kMaxBlockInsns, then emits host code with
// asmjit (per instruction: the EmitterTable's code, then an exit check that
// leaves the block when RIP is not the next instruction's or the CPU's
// block-exit flag is set).
//
// Translation never raises a guest fault: the caller has already translated
// the first byte, and decoding stops quietly before anything that would
// fault (bytes beyond the page or CS limit, an invalid encoding). The
// interpreter raises those faults when execution gets there.
#pragma once

#include <asmjit/core.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "cpu/decoder.h"
#include "jit/block.h"
#include "jit/emit_dispatch.h"
#include "jit/emitters.h"

namespace sv {

class Cpu;

class Translator {
 public:
  // The block starting at the current CS:RIP, whose first byte is at
  // `first` (host pointer into RAM or ROM, physical address paddr).
  // nullptr when nothing can be translated (the first instruction crosses
  // the page, is invalid, or code generation failed): run it with step().
  std::unique_ptr<Block> translate(Cpu& cpu, uint64_t linear, uint64_t paddr, const uint8_t* first,
                                   asmjit::JitRuntime& rt);

  // Whether the block must end after `insn` (exposed for tests).
  static bool endsBlock(const DecodedInsn& insn);

  // What dispatched exits call (the owning Jit); without one, indirect
  // exits return to Cpu::run.
  void setDispatch(const DispatchTarget& d) { dispatch_ = d; }
  // The runtime `translate` was given is about to go (a flush): forget the
  // shared dispatch lookups that live in it.
  void dropSharedCode() { stubs_.clear(); }
  // Blocks end after `n` instructions (1..kMaxBlockInsns).
  void setMaxBlockInsns(unsigned n) { max_insns_ = n < 1 ? 1 : n > kMaxBlockInsns ? kMaxBlockInsns : n; }

 private:
  unsigned decodeRun(Cpu& cpu, uint64_t linear, const uint8_t* first);
  bool emit(Cpu& cpu, Block& b, asmjit::JitRuntime& rt);
  // The dispatch lookup (emit_dispatch.h) for blocks of `env`'s mode key
  // and TLB entry set, made on first use; 0 if code generation failed.
  uint64_t sharedDispatchLookup(const BlockEnv& env, asmjit::JitRuntime& rt);
  // Fills b.insns with the instructions the code calls the interpreter
  // with and patches their addresses into `code`; false if it cannot.
  bool keepCalledInsns(Block& b, asmjit::CodeHolder& code);
  static BlockEnv envFor(Cpu& cpu);
  // Whether `insn` may load DS, ES or SS: it ends a block that assumes
  // them flat (kModeFlatData), which then leaves to Cpu::run.
  static bool loadsFlatSegment(const DecodedInsn& insn);
  // Flag liveness: whether the arithmetic flags instruction i of `b`
  // writes are overwritten natively before anything can observe them.
  bool flagsDeadAfter(const Block& b, unsigned i) const;

  Decoder decoder_;
  EmitterTable emitters_;
  DecodedInsn scratch_[kMaxBlockInsns];  // decode buffer (Block::insns keeps what the code needs)
  std::vector<EmitContext::InsnRef> insn_refs_;  // reused between translations
  uint64_t scratch_rip_[kMaxBlockInsns + 1];  // RIP of each instruction, and the one after
  std::vector<SlowPath> slow_paths_;          // reused between translations
  DispatchTarget dispatch_;
  // One dispatch lookup per mode key and TLB entry set, shared by every
  // block of that key (a copy in each block doubled the code size).
  struct SharedStub {
    uint64_t mode_key;
    const TlbEntry* tlb_table;
    uint64_t tlb_index_mask;
    uint64_t addr;
  };
  std::vector<SharedStub> stubs_;
  unsigned max_insns_ = kMaxBlockInsns;
};

}  // namespace sv
