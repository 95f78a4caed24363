// Native register reshuffles that change no flags: XCHG (register with
// register or memory), BSWAP r32/r64, CBW/CWDE/CDQE and CWD/CDQ/CQO
// (cpu/interp/data_transfer.cpp, logic.cpp).
#include "cpu/flags.h"
#include "jit/emit_operand.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

// XCHG r/m, r (either order). With memory, the memory write comes first:
// it is the only access that can fault (the slow path runs the whole
// instruction before any register changes).
bool emitXchg(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const bool mem_first = insn.ops[0].kind == OpKind::Mem;
  const Operand& m = mem_first ? insn.ops[0] : insn.ops[1];
  const Operand& r = mem_first ? insn.ops[1] : insn.ops[0];
  RmOperand other;
  Mem reg;
  if (r.kind != OpKind::Reg || !isGprSize(r.size) || !guestRegMem(r.reg, r.size, reg)) return false;
  if (!rmUsable(ctx, m, other) || other.size != r.size) return false;
  ctx.useRegs(insn);
  SlowPath* slow = other.is_reg ? nullptr : &ctx.newSlowPath(insn);
  loadRm(ctx, insn, m, other, AccessKind::Write, slow, rcx);
  ctx.regs.read(rdx, r.reg, r.size);
  storeRm(ctx, other, rdx);
  ctx.regs.write(r.reg, r.size, rcx);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

// BSWAP r32/r64 (the 16-bit form, undefined in the SDM, stays in the interpreter).
bool emitBswap(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 1) return false;
  const Operand& d = insn.ops[0];
  Mem reg;
  if (d.kind != OpKind::Reg || (d.size != 4 && d.size != 8) || !guestRegMem(d.reg, d.size, reg)) return false;
  ctx.useRegs(insn);
  ctx.regs.read(rdx, d.reg, d.size);
  ctx.as.bswap(sized(rdx, d.size));
  ctx.regs.write(d.reg, d.size, rdx);
  ctx.retireNative();
  return true;
}

// CBW/CWDE/CDQE: rAX (operand size) = the sign-extended lower half.
bool emitSignExtendAccumulator(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  if (s != 2 && s != 4 && s != 8) return false;
  Assembler& a = ctx.as;
  const RegId acc{RegClass::Gpr, RAX};
  ctx.regs.activate();
  ctx.regs.use(RAX);
  ctx.regs.read(rdx, acc, s / 2);
  if (s == 8) a.movsxd(rdx, edx);
  else a.movsx(edx, sized(rdx, s / 2));  // (for CWDE the 32-bit write leaves rdx's upper half zero)
  ctx.regs.write(acc, s, rdx);
  ctx.retireNative();
  return true;
}

// CWD/CDQ/CQO: rDX = the sign of rAX (operand size).
bool emitSignToDx(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  if (s != 2 && s != 4 && s != 8) return false;
  ctx.regs.activate();
  ctx.regs.use(RAX);
  ctx.regs.use(RDX);
  ctx.regs.read(rdx, RegId{RegClass::Gpr, RAX}, s);
  ctx.as.sar(sized(rdx, s), s * 8 - 1);
  ctx.regs.write(RegId{RegClass::Gpr, RDX}, s, rdx);
  ctx.retireNative();
  return true;
}

}  // namespace

void registerExchangeEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_XCHG] = &emitXchg;
  t[ZYDIS_MNEMONIC_BSWAP] = &emitBswap;
  t[ZYDIS_MNEMONIC_CBW] = &emitSignExtendAccumulator;
  t[ZYDIS_MNEMONIC_CWDE] = &emitSignExtendAccumulator;
  t[ZYDIS_MNEMONIC_CDQE] = &emitSignExtendAccumulator;
  t[ZYDIS_MNEMONIC_CWD] = &emitSignToDx;
  t[ZYDIS_MNEMONIC_CDQ] = &emitSignToDx;
  t[ZYDIS_MNEMONIC_CQO] = &emitSignToDx;
}

}  // namespace sv
