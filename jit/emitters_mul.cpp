// Native MUL and IMUL in all forms: one operand (rDX:rAX = rAX * r/m, AX
// for bytes), two (r *= r/m) and three (r = r/m * imm). The host's
// multiply gives the result and CF = OF; SF, ZF, AF and PF are undefined
// (SDM Vol. 2A "MUL", "IMUL") and the interpreter leaves them unchanged
// (cpu/interp/muldiv.cpp), so only CF and OF are merged. DIV/IDIV stay in
// the interpreter (#DE).
#include "cpu/flags.h"
#include "jit/emit_operand.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

constexpr uint64_t kMulFlags = flag::CF | flag::OF;

// MUL/IMUL r/m (one operand).
template <bool kSigned>
bool emitMulWide(EmitContext& ctx, const DecodedInsn& insn) {
  const Operand& s = insn.ops[0];
  RmOperand src;
  if (!rmUsable(ctx, s, src)) return false;
  const unsigned size = src.size;
  Assembler& a = ctx.as;
  const RegId acc{RegClass::Gpr, RAX}, high{RegClass::Gpr, RDX};
  ctx.useRegs(insn);
  ctx.regs.use(RAX);
  if (size > 1) ctx.regs.use(RDX);
  ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = src.is_reg ? nullptr : &ctx.newSlowPath(insn);
  loadRm(ctx, insn, s, src, AccessKind::Read, slow, rcx);
  ctx.regs.read(rax, acc, size);
  a.emit(kSigned ? Inst::kIdImul : Inst::kIdMul, sized(rcx, size));
  captureHostFlags(a);
  if (size == 1) {
    ctx.regs.write(acc, 2, rax);  // AX = AL * r/m8
  } else {
    // 32-bit halves zero-extend (the host's 32-bit multiply cleared the upper halves).
    ctx.regs.write(acc, size, rax);
    ctx.regs.write(high, size, rdx);
  }
  emitMergeFlags(ctx, kMulFlags, kMulFlags);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

// IMUL r, r/m and IMUL r, r/m, imm.
bool emitImul(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count == 1) return emitMulWide<true>(ctx, insn);
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  const unsigned size = d.size;
  Mem dreg;
  RmOperand src;
  if (size < 2 || !isGprSize(size) || d.kind != OpKind::Reg || !guestRegMem(d.reg, size, dreg)) return false;
  if (!rmUsable(ctx, s, src) || src.size != size) return false;
  const bool three = insn.operand_count >= 3;
  int64_t imm = 0;
  if (three) {
    if (insn.ops[2].kind != OpKind::Imm) return false;
    imm = flags::signExtend(insn.ops[2].imm, size);
    if (imm != static_cast<int32_t>(imm)) return false;
  }
  Assembler& a = ctx.as;
  const bool want_flags = !(ctx.flags_dead && src.is_reg);
  ctx.useRegs(insn, /*defines_first=*/three);
  if (want_flags) ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = src.is_reg ? nullptr : &ctx.newSlowPath(insn);
  // The source: a cached register, or rcx.
  Gp sv = rcx;
  if (const Gp* hs = src.is_reg ? ctx.regs.gpr(s.reg) : nullptr) sv = *hs;
  else loadRm(ctx, insn, s, src, AccessKind::Read, slow, rcx);
  const Gp* hd = ctx.regs.gpr(d.reg);
  const Gp dst = hd ? sized(*hd, size) : sized(rdx, size);  // in place on the cached copy
  if (three) {
    a.imul(dst, sized(sv, size), Imm(imm));
  } else {
    if (!hd) ctx.regs.read(rdx, d.reg, size);
    a.imul(dst, sized(sv, size));
  }
  if (want_flags) captureHostFlags(a);
  if (hd) ctx.regs.commit(d.reg, size);
  else ctx.regs.write(d.reg, size, rdx);
  if (want_flags) emitMergeFlags(ctx, kMulFlags, kMulFlags);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

}  // namespace

void registerMulEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_MUL] = &emitMulWide<false>;
  t[ZYDIS_MNEMONIC_IMUL] = &emitImul;
}

}  // namespace sv
