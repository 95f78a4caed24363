// The block translator as the CPU sees it: a BlockExecutor that finds or
// translates the block at CS:RIP and runs it, and a CodeWriteListener that
// drops the blocks of a page the guest stores to (self-modifying code).
//
// Its own frames between Cpu::run and the generated code (runBlock, the
// handler thunk) hold no objects with destructors: a guest fault longjmps
// across them. Translation and cache maintenance never raise.
#pragma once

#include <asmjit/core.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "cpu/block_executor.h"
#include "jit/block_cache.h"
#include "jit/return_stack.h"
#include "jit/translator.h"

namespace sv {

class CodePageMap;
class Cpu;

struct JitOptions {
  std::FILE* dump = nullptr;              // -d jit: each translated block goes here
  bool dump_host = false;                 // -d jit-host: with its host code disassembled
  // Host code bytes before everything is flushed (blocks also keep the
  // DecodedInsns their code hands to the interpreter, and their Block).
  // Debian's amd64 boot with bench/run.sh's workloads stays below it since
  // the dispatch code is shared (about 20 MiB live); 32 MiB made the 686
  // boot 30% slower when blocks were twice as big (flushes and
  // retranslation).
  size_t code_limit = size_t{64} << 20;
  // Whether Cpu::run's budget is exact (deterministic mode, tests). When it
  // is not (host-time mode, where a slice is only a time slice), a block
  // longer than what is left of the budget still runs, and the slice ends
  // up to kMaxBlockInsns - 1 instructions late, instead of its tail being
  // stepped one instruction at a time (fetch, decode, execute: 9 of the 10
  // million instructions a 686 boot stepped).
  bool exact_budget = true;
  // Instructions per block, at most kMaxBlockInsns. 1 (QEMU's
  // one-insn-per-tb) makes every instruction its own block: differential
  // tests compare each native emitter with the interpreter one
  // instruction at a time, and a mismatch is easier to bisect.
  unsigned max_block_insns = kMaxBlockInsns;
};

struct JitStats {
  uint64_t blocks_run = 0;     // block entries
  uint64_t translations = 0;   // blocks translated
  uint64_t steps = 0;          // instructions left to the interpreter (TF, shadow, page-crossing, MMIO, budget tail)
  uint64_t invalidated = 0;    // blocks dropped by stores to their code
  uint64_t data_writes = 0;    // stores to a code page that missed its code (no block dropped)
  uint64_t flushes = 0;        // code buffer full: everything dropped
  uint64_t links = 0;          // direct exits linked to their target block
  uint64_t dispatch_links = 0; // direct exits into another page sent through the dispatch stub
  uint64_t dispatches = 0;     // lookups made by dispatched exits without returning to Cpu::run
  uint64_t dispatch_misses = 0;  // of which found no block to enter (back to Cpu::run)
};

class Jit final : public BlockExecutor, public CodeWriteListener {
 public:
  // Plugs itself into `cpu`, which must use `code` for its shadow TLB.
  Jit(Cpu& cpu, CodePageMap& code, JitOptions opt = {});
  ~Jit();
  Jit(const Jit&) = delete;
  Jit& operator=(const Jit&) = delete;

  void runBlock(Cpu& cpu, uint64_t budget) override;
  void codeWritten(uint64_t paddr, uint64_t len) override;
  // Drops every block of the page of `paddr` (its bytes changed behind the
  // CPU's back: a remapped window, a test rewriting RAM).
  void codePageWritten(uint64_t paddr);

  const JitStats& stats() const { return stats_; }
  const BlockCache& cache() const { return cache_; }
  size_t codeBytes() const { return code_bytes_; }
  // Drops every block and the code buffer (only between blocks).
  void flush();

 private:
  Block* blockAt(Cpu& cpu);
  // Whether instructions must go one at a time through Cpu::step.
  static bool perInstruction(Cpu& cpu);
  // The dispatch stub's call: the chained entry of the block at CS:RIP, or 0.
  static uint64_t dispatchFromCode(Jit* jit);
  void releaseRetired();
  void link(Cpu& cpu, ChainExit& e);

  Cpu& cpu_;
  CodePageMap& code_map_;
  JitOptions opt_;
  Translator translator_;
  BlockCache cache_;
  std::unique_ptr<asmjit::JitRuntime> rt_;
  ReturnStack ras_;  // native CALL/RET's return-address prediction
  size_t code_bytes_ = 0;
  JitStats stats_;
};

}  // namespace sv
