// How one guest instruction becomes host code. The first strategy for every
// instruction is a call to the interpreter's handler (through
// Cpu::executeDecoded), so the JIT runs every guest the interpreter runs and
// agrees with it by construction. Native emitters join the table one
// mnemonic at a time; an emitter may decline a form (return false) and the
// handler call is emitted instead.
//
// A native emitter owes the same bookkeeping executeDecoded does: RIP to the
// next instruction (or the branch target), retired + 1, interrupt_shadow = 0.
// RIP and retired are owed lazily (EmitContext::retireNative; see
// emit_context.h). interrupt_shadow is always 0 inside a block: blocks are
// entered only without a shadow, and every instruction that sets one (STI,
// MOV SS, POP SS) ends its block as a handler call. The JIT never runs
// blocks with TF set (those go one instruction at a time through
// Cpu::step), so emitters can ignore single-step traps.
#pragma once

#include <Zydis/Zydis.h>

#include "cpu/decoded_insn.h"
#include "jit/emit_context.h"

namespace sv {

// Emits native code for `insn` and returns true, or returns false having
// emitted nothing (the handler call is emitted instead). Native code must
// call ctx.retireNative() when done, may not leave the block except through
// the chain exits of the branch emitters, and must route every access that
// can fault through a SlowPath (the interpreter runs the instruction).
using InsnEmitter = bool (*)(EmitContext& ctx, const DecodedInsn& insn);

class EmitterTable {
 public:
  EmitterTable();  // registers the native emitters
  // Native code for `insn` (true), or the call to its interpreter handler
  // (false).
  bool emit(EmitContext& ctx, const DecodedInsn& insn) const;
  // Whether `mnemonic` has a native emitter (its family is not switched
  // off by SV_JIT_NATIVE_OFF).
  bool hasNative(unsigned mnemonic) const { return by_mnemonic_[mnemonic] != nullptr; }

 private:
  InsnEmitter by_mnemonic_[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {};
};

// Whether `insn` is an ALU instruction that the native emitters run on
// registers/immediates only (no memory, so no slow path and no fault) and
// that writes all six arithmetic flags without reading them.
bool writesAllFlagsNatively(const DecodedInsn& insn);

// Whether `insn` is a register-only move (MOV r, r/imm; MOVZX/MOVSX/MOVSXD
// r, r; LEA) that the native emitters always emit when their family is on:
// it neither reads nor writes flags, cannot fault and calls nothing, so
// flags pass through it unobserved (the translator's flag liveness).
bool flagsTransparent(const DecodedInsn& insn);

// Jumps to `taken` when condition `cc` (x86 encoding order, the low nibble
// of Jcc/SETcc/CMOVcc; flags::condition) holds for the guest RFLAGS, or
// for esi when it holds the arithmetic flags. Uses eax, ecx.
void emitCondition(asmjit::x86::Assembler& a, unsigned cc, const asmjit::Label& taken, bool flags_in_esi);

// The fallback: cpu->executeDecoded(*insn), the interpreter's handler with
// its bookkeeping (RIP, retired). Leaves ctx in sync (nothing pending).
void emitHandlerCall(EmitContext& ctx, const DecodedInsn& insn);

// The target of a relative branch (JMP/Jcc/LOOP/CALL rel), masked with the
// operand size as the handlers do, or false when it must go to the
// interpreter (a non-canonical target in 64-bit mode: #GP).
bool relTarget(const EmitContext& ctx, const DecodedInsn& insn, uint64_t& target);
// The address the handler thunk has: fn(cpu, const DecodedInsn*).
const void* handlerThunk();
// The slow paths' thunk, fn(cpu, unused): Cpu::step() of the instruction
// at RIP (fetch, decode, execute; the JIT never runs blocks with
// instruction breakpoints armed, the one thing step() adds).
const void* stepThunk();

// Registration of the emitter families (emitters_*.cpp).
void registerAluEmitters(InsnEmitter* table);
void registerMovEmitters(InsnEmitter* table);
void registerBranchEmitters(InsnEmitter* table);
void registerStringEmitters(InsnEmitter* table);
void registerStackEmitters(InsnEmitter* table);
void registerShiftEmitters(InsnEmitter* table);
void registerMulEmitters(InsnEmitter* table);
// MOVSD is shared with the string family: with `strings_native` its
// string form stays native (emitMovsString).
void registerSseMoveEmitters(InsnEmitter* table, bool strings_native);
// The native MOVS (string) emitter.
bool emitMovsString(EmitContext& ctx, const DecodedInsn& insn);
void registerBitEmitters(InsnEmitter* table);
void registerExchangeEmitters(InsnEmitter* table);

// The shift half of writesAllFlagsNatively (emitters_shift.cpp).
bool shiftWritesAllFlagsNatively(const DecodedInsn& insn);

}  // namespace sv
