// How one guest instruction becomes host code. The first strategy for every
// instruction is a call to the interpreter's handler (through
// Cpu::executeDecoded), so the JIT runs every guest the interpreter runs and
// agrees with it by construction. Native emitters join the table one
// mnemonic at a time; an emitter may decline a form (return false) and the
// handler call is emitted instead.
//
// A native emitter owes the same bookkeeping executeDecoded does: RIP to the
// next instruction (or the branch target), retired + 1, interrupt_shadow = 0.
// The JIT never runs blocks with TF set or inside an interrupt shadow (those
// go one instruction at a time through Cpu::step), so emitters can ignore
// single-step traps.
#pragma once

#include <Zydis/Zydis.h>

#include <asmjit/x86.h>

#include "cpu/decoded_insn.h"

namespace sv {

// Registers of the block function, valid across the whole block.
struct EmitContext {
  asmjit::x86::Compiler& cc;
  asmjit::x86::Gp cpu;        // Cpu*
  asmjit::x86::Gp state;      // CpuState*
  asmjit::x86::Gp exit_flag;  // const uint8_t* (Cpu::blockExitFlag())
};

using InsnEmitter = bool (*)(EmitContext& ctx, const DecodedInsn& insn);

class EmitterTable {
 public:
  EmitterTable();  // registers the native emitters (none yet)
  // Native code for `insn`, or the call to its interpreter handler.
  void emit(EmitContext& ctx, const DecodedInsn& insn) const;

 private:
  InsnEmitter by_mnemonic_[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {};
};

// The fallback: cpu->executeDecoded(*insn), the interpreter's handler with
// its bookkeeping.
void emitHandlerCall(EmitContext& ctx, const DecodedInsn& insn);

}  // namespace sv
