// Indirect exits that stay in translated code. After a near RET, JMP r/m
// or CALL r/m (run by the interpreter's handler, so RIP and the retired
// counter are exact), and for direct exits into another page, the code
// calls the Jit's dispatch function, which finds the block at CS:RIP the
// way Cpu::run would (front cache, physical check of the first byte
// through the shadow TLB, translation on a miss) and returns its chained
// entry, where the budget and CS limit are checked as for any chained
// jump; 0 sends the code back to Cpu::run. Because the lookup is made
// each time with the current mapping, mode and code-page state, a
// dispatched exit is valid whatever changed since it was emitted.
#pragma once

#include "jit/emit_context.h"

namespace sv {

// What the dispatch stub calls: fn(arg) -> chained entry or 0.
struct DispatchTarget {
  const void* fn = nullptr;
  const void* arg = nullptr;
};

// Leaves through the dispatch stub unless the exit flag is set (state
// must be exact: nothing pending).
void emitDispatchExit(EmitContext& ctx);

// Binds ctx.dispatch: the stub shared by the block's dispatched exits.
void emitDispatchStub(EmitContext& ctx, const DispatchTarget& target);

// Near RET, JMP r/m and CALL r/m: the indirect near branches that end a
// block through the dispatch stub.
bool isIndirectNearBranch(const DecodedInsn& insn);

}  // namespace sv
