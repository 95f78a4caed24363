// The two seams between the interpreter's run loop and a block translator
// (jit/). cpu/ defines them and never includes jit/: the Machine plugs a
// translator in, and a Cpu without one runs the interpreter alone.
#pragma once

#include <cstdint>

namespace sv {

class Cpu;

// Runs guest code in place of Cpu::executeOne. Cpu::run keeps faults,
// interrupts, HLT, stop requests and the budget: it calls runBlock only when
// it would otherwise execute one instruction, and the executor must retire at
// least one instruction (or raise the fault the first one raises) and at
// most `budget` instructions, so budgets stay exact in retired instructions.
class BlockExecutor {
 public:
  virtual void runBlock(Cpu& cpu, uint64_t budget) = 0;

 protected:
  ~BlockExecutor() = default;
};

// Told by the CPU before it stores to a physical page that holds translated
// code (the shadow TLB routes such stores through the slow path, see
// memory/code_page_map.h). The listener drops the blocks the store
// overlaps; the store happens after it returns.
class CodeWriteListener {
 public:
  // A store of `len` bytes at `paddr` (within one page).
  virtual void codeWritten(uint64_t paddr, uint64_t len) = 0;

 protected:
  ~CodeWriteListener() = default;
};

}  // namespace sv
