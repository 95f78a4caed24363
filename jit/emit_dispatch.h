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
//
// Before the call the stub tries the front cache inline (Jit::blockAt's
// first step, in generated code): the slot of (linear CS:RIP, this
// block's mode key) must hold that linear address and mode key, the
// host pointer of the target's first byte through the shadow TLB's
// execute tag (the physical check) and the current CS base and RIP; then
// it jumps to the slot's chained entry. The mode key, the privilege of
// the TLB set and the per-instruction conditions (TF, shadow, breakpoints)
// cannot change inside a block without the exit flag, which the stub's
// callers have tested, so this block's values are the current ones. A
// retired block leaves the front cache at once, and any miss takes the
// call, which fills the slot for next time.
#pragma once

#include "jit/emit_context.h"

namespace sv {

struct FrontEntry;
struct ReturnStack;

// What the dispatch stub calls: fn(arg) -> chained entry or 0; and the
// front cache it first looks the target up in (inline); and the return
// stack native CALL/RET keep (return_stack.h), or none.
struct DispatchTarget {
  const void* fn = nullptr;
  const void* arg = nullptr;
  const FrontEntry* front = nullptr;  // BlockCache::frontTable(), or none
  ReturnStack* ras = nullptr;
};

// Leaves through the dispatch stub unless the exit flag is set (state
// must be exact: nothing pending).
void emitDispatchExit(EmitContext& ctx);
// The same after a near RET: first the return stack's top entry, when it
// predicted this RIP (state.rip, exact) in this mode.
void emitReturnExit(EmitContext& ctx);
// After a native CALL (its push done): remembers the return RIP `ret`
// with the block's return exit (kExitReturn, towards `ret`).
void emitReturnPush(EmitContext& ctx, uint64_t ret);

// The lookup the dispatched exits of every block of ctx.env's mode key
// share (Translator::sharedDispatchLookup), a function of the blocks'
// frame: returns in rax the chained entry to jump to, or 0.
void emitDispatchLookup(EmitContext& ctx, const DispatchTarget& target);

// Binds ctx.dispatch in a block: calls the shared lookup at `lookup`, then
// jumps to the entry it found (or to ctx.plain_exit).
void emitDispatchTrampoline(EmitContext& ctx, uint64_t lookup);

// Near RET, JMP r/m and CALL r/m: the indirect near branches that end a
// block through the dispatch stub.
bool isIndirectNearBranch(const DecodedInsn& insn);

}  // namespace sv
