// An r/m operand of a native emitter: a guest register (in CpuState) or a
// memory operand served by the inline shadow-TLB fast path. Loading it
// first and storing it last keeps the emitters' read-modify-write shape in
// one place; a memory operand keeps its host pointer in rax in between.
#pragma once

#include "cpu/decoded_insn.h"
#include "jit/emit_context.h"
#include "memory/page_walker.h"

namespace sv {

struct RmOperand {
  bool is_reg = false;
  RegId id;  // is_reg: the guest register
  unsigned size = 0;
};

// Whether the emitters can serve `op` natively (a general-purpose register
// of a GPR size, or memory the fast path can reach); fills `rm`.
bool rmUsable(const EmitContext& ctx, const Operand& op, RmOperand& rm);

// r64 = the operand, zero-extended. Memory: rax = its host pointer for a
// `kind` access (a miss jumps to slow->entry). Uses r8, r9 for memory.
void loadRm(EmitContext& ctx, const DecodedInsn& insn, const Operand& op, const RmOperand& rm, AccessKind kind,
            SlowPath* slow, const asmjit::x86::Gp& r64);

// Stores sized(r64) back (a register as Cpu::setGpr does; memory at [rax],
// which must still hold loadRm's host pointer). Registers go through
// ctx.regs (reg_cache.h).
void storeRm(EmitContext& ctx, const RmOperand& rm, const asmjit::x86::Gp& r64);

}  // namespace sv
