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

Mem gprMem(unsigned index, unsigned size) { return stateMem(offsetof(CpuState, gpr) + 8 * index, size); }

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
  Assembler& a = ctx.as;
  SlowPath* slow = other.is_reg ? nullptr : &ctx.newSlowPath(insn);
  loadRm(ctx, insn, m, other, AccessKind::Write, slow, rcx);
  loadZx(a, rdx, reg, r.size);
  storeRm(a, other, rdx);
  storeGuestReg(a, reg, r.size, rcx);
  if (slow) a.bind(slow->resume);
  ctx.retireNative();
  return true;
}

// BSWAP r32/r64 (the 16-bit form, undefined in the SDM, stays in the interpreter).
bool emitBswap(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 1) return false;
  const Operand& d = insn.ops[0];
  Mem reg;
  if (d.kind != OpKind::Reg || (d.size != 4 && d.size != 8) || !guestRegMem(d.reg, d.size, reg)) return false;
  Assembler& a = ctx.as;
  loadZx(a, rdx, reg, d.size);
  a.bswap(sized(rdx, d.size));
  storeGuestReg(a, reg, d.size);
  ctx.retireNative();
  return true;
}

// CBW/CWDE/CDQE: rAX (operand size) = the sign-extended lower half.
bool emitSignExtendAccumulator(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  if (s != 2 && s != 4 && s != 8) return false;
  Assembler& a = ctx.as;
  const Mem half = gprMem(RAX, s / 2);
  if (s == 8) a.movsxd(rdx, half);
  else a.movsx(edx, half);  // (for CWDE the 32-bit write leaves rdx's upper half zero)
  storeGuestReg(a, gprMem(RAX, s), s);
  ctx.retireNative();
  return true;
}

// CWD/CDQ/CQO: rDX = the sign of rAX (operand size).
bool emitSignToDx(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  if (s != 2 && s != 4 && s != 8) return false;
  Assembler& a = ctx.as;
  loadZx(a, rdx, gprMem(RAX, s), s);
  a.sar(sized(rdx, s), s * 8 - 1);
  storeGuestReg(a, gprMem(RDX, s), s);
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
