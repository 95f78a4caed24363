#include "jit/emit_operand.h"

#include "jit/emit_memory.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

bool rmUsable(const EmitContext& ctx, const Operand& op, RmOperand& rm) {
  rm.size = op.size;
  if (!isGprSize(op.size)) return false;
  if (op.kind == OpKind::Reg) {
    rm.is_reg = true;
    rm.id = op.reg;
    asmjit::x86::Mem unused;
    return guestRegMem(op.reg, op.size, unused);
  }
  rm.is_reg = false;
  return op.kind == OpKind::Mem && memFastPathUsable(ctx, op);
}

void loadRm(EmitContext& ctx, const DecodedInsn& insn, const Operand& op, const RmOperand& rm, AccessKind kind,
            SlowPath* slow, const Gp& r64) {
  if (rm.is_reg) {
    ctx.regs.read(r64, rm.id, rm.size);
    return;
  }
  emitHostAddress(ctx, insn, op, kind, slow->entry);
  loadZx(ctx.as, r64, Mem(rax, 0, rm.size), rm.size);
}

void storeRm(EmitContext& ctx, const RmOperand& rm, const Gp& r64) {
  if (rm.is_reg) ctx.regs.write(rm.id, rm.size, r64);
  else ctx.as.mov(Mem(rax, 0, rm.size), sized(r64, rm.size));
}

}  // namespace sv
