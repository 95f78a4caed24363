// Native integer arithmetic and logic: ADD/ADC/SUB/SBB/CMP, AND/OR/XOR/TEST,
// INC/DEC/NEG/NOT, on registers, immediates and memory.
//
// The host runs the same instruction on the guest's operand values and its
// OF/SF/ZF/AF/PF/CF (LAHF/SETO) are merged into the guest RFLAGS. Where the
// interpreter defines a flag the host leaves undefined, the interpreter
// wins: logic ops clear AF (cpu/interp/logic.cpp), so AF is masked out of
// the host's value. INC/DEC keep CF (SDM Vol. 2A, "INC"/"DEC").
#include "cpu/flags.h"
#include "jit/emit_memory.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

enum class Alu { Add, Adc, Sub, Sbb, Cmp, And, Or, Xor, Test };

constexpr uint64_t kLogicHostFlags = flag::CF | flag::PF | flag::ZF | flag::SF | flag::OF;

bool sizeOk(unsigned size) { return isGprSize(size); }

// The immediate as the host instruction takes it (sign-extended imm32 for 64-bit).
bool hostImm(const Operand& op, unsigned size, Imm& out) {
  int64_t v = flags::signExtend(op.imm, size);
  if (v != static_cast<int32_t>(v)) return false;
  out = Imm(v);
  return true;
}

void emitOp(Assembler& a, Alu k, const asmjit::Operand_& dst, const asmjit::Operand_& src) {
  InstId id = Inst::kIdAdd;
  switch (k) {
    case Alu::Add: id = Inst::kIdAdd; break;
    case Alu::Adc: id = Inst::kIdAdc; break;
    case Alu::Sub: id = Inst::kIdSub; break;
    case Alu::Sbb: id = Inst::kIdSbb; break;
    case Alu::Cmp: id = Inst::kIdCmp; break;
    case Alu::And: id = Inst::kIdAnd; break;
    case Alu::Or: id = Inst::kIdOr; break;
    case Alu::Xor: id = Inst::kIdXor; break;
    case Alu::Test: id = Inst::kIdTest; break;
  }
  a.emit(id, dst, src);
}

// The register/immediate form of a two-operand ALU instruction that
// emitAlu always takes natively.
bool regImmForm(const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  Mem m;
  Imm imm;
  if (!sizeOk(d.size) || d.kind != OpKind::Reg || !guestRegMem(d.reg, d.size, m)) return false;
  return (s.kind == OpKind::Reg && guestRegMem(s.reg, d.size, m)) || (s.kind == OpKind::Imm && hostImm(s, d.size, imm));
}

template <Alu K>
bool emitAlu(EmitContext& ctx, const DecodedInsn& insn) {
  constexpr bool kWrites = K != Alu::Cmp && K != Alu::Test;
  constexpr bool kLogic = K == Alu::And || K == Alu::Or || K == Alu::Xor || K == Alu::Test;
  constexpr bool kCarryIn = K == Alu::Adc || K == Alu::Sbb;
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  const unsigned size = d.size;
  if (!sizeOk(size)) return false;
  Mem dreg, sreg;
  Imm imm;
  const bool d_reg = d.kind == OpKind::Reg && guestRegMem(d.reg, size, dreg);
  const bool d_mem = d.kind == OpKind::Mem && memFastPathUsable(ctx, d);
  const bool s_reg = s.kind == OpKind::Reg && guestRegMem(s.reg, size, sreg);
  const bool s_imm = s.kind == OpKind::Imm && hostImm(s, size, imm);
  const bool s_mem = s.kind == OpKind::Mem && memFastPathUsable(ctx, s) && s.size == size;
  if (!(d_reg || d_mem) || !(s_reg || s_imm || s_mem) || (d_mem && s_mem)) return false;

  Assembler& a = ctx.as;
  const bool want_flags = !(d_reg && !(d_mem || s_mem) && ctx.flags_dead);
  ctx.useRegs(insn);
  if (want_flags) ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = (d_mem || s_mem) ? &ctx.newSlowPath(insn) : nullptr;
  // Source value: an immediate, a cached register, or rcx (sized).
  Operand_ src = imm;
  if (s_reg) {
    if (const Gp* h = ctx.regs.gpr(s.reg)) {
      src = sized(*h, size);
    } else {
      ctx.regs.read(rcx, s.reg, size);
      src = sized(rcx, size);
    }
  } else if (s_mem) {
    emitHostAddress(ctx, insn, s, AccessKind::Read, slow->entry);
    loadZx(a, rcx, Mem(rax, 0, size), size);
    src = sized(rcx, size);
  }
  if (!want_flags && !kWrites) {  // the flags are overwritten next: nothing to do
    ctx.retireNative();
    return true;
  }
  if (const Gp* h = d_reg ? ctx.regs.gpr(d.reg) : nullptr) {
    // In place on the cached copy (the host's operand size rules are the guest's).
    if (kCarryIn) a.bt(rflagsMem().cloneResized(4), Imm(0));  // host CF = guest CF
    emitOp(a, K, sized(*h, size), src);
    if (want_flags) captureHostFlags(a, !kLogic);  // (logic ops clear OF: esi's 0)
    if (kWrites) ctx.regs.commit(d.reg, size);
    if (!want_flags) {
      ctx.retireNative();
      return true;
    }
  } else if (!want_flags) {
    ctx.regs.read(rdx, d.reg, size);
    if (kCarryIn) a.bt(rflagsMem().cloneResized(4), Imm(0));
    emitOp(a, K, sized(rdx, size), src);
    ctx.regs.write(d.reg, size, rdx);
    ctx.retireNative();
    return true;
  } else if (d_reg) {
    ctx.regs.read(rdx, d.reg, size);
    if (kCarryIn) a.bt(rflagsMem().cloneResized(4), Imm(0));  // host CF = guest CF
    emitOp(a, K, sized(rdx, size), src);
    captureHostFlags(a, !kLogic);
    if (kWrites) ctx.regs.write(d.reg, size, rdx);
  } else {
    emitHostAddress(ctx, insn, d, kWrites ? AccessKind::Write : AccessKind::Read, slow->entry);
    if (kCarryIn) a.bt(rflagsMem().cloneResized(4), Imm(0));
    emitOp(a, K, Mem(rax, 0, size), src);
    captureHostFlags(a, !kLogic);
  }
  // Logic ops: esi keeps CF=OF=0 and SZP with AF masked out, which is the
  // guest's AF (0): either way esi ends up equal to the guest's six flags.
  if (kLogic) emitMergeFlags(ctx, kLogicHostFlags, flag::ARITH);
  else emitMergeFlags(ctx, flag::ARITH, flag::ARITH);
  if (slow) ctx.bindResume(*slow);
  else ctx.flags_in_esi = true;  // (the slow path resumes without esi)
  ctx.retireNative();
  return true;
}

enum class Unary { Inc, Dec, Neg, Not };

template <Unary K>
bool emitUnary(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 1) return false;
  const Operand& d = insn.ops[0];
  const unsigned size = d.size;
  if (!sizeOk(size)) return false;
  Mem dreg;
  const bool d_reg = d.kind == OpKind::Reg && guestRegMem(d.reg, size, dreg);
  const bool d_mem = d.kind == OpKind::Mem && memFastPathUsable(ctx, d);
  if (!d_reg && !d_mem) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  if (K != Unary::Not) ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = d_mem ? &ctx.newSlowPath(insn) : nullptr;
  Operand_ target;
  const Gp* h = d_reg ? ctx.regs.gpr(d.reg) : nullptr;
  if (h) {
    target = sized(*h, size);  // in place on the cached copy
  } else if (d_reg) {
    ctx.regs.read(rdx, d.reg, size);
    target = sized(rdx, size);
  } else {
    emitHostAddress(ctx, insn, d, AccessKind::Write, slow->entry);
    target = Mem(rax, 0, size);
  }
  switch (K) {
    case Unary::Inc: a.emit(Inst::kIdInc, target); break;
    case Unary::Dec: a.emit(Inst::kIdDec, target); break;
    case Unary::Neg: a.emit(Inst::kIdNeg, target); break;
    case Unary::Not: a.emit(Inst::kIdNot, target); break;
  }
  if (K != Unary::Not) captureHostFlags(a);
  if (h) ctx.regs.commit(d.reg, size);
  else if (d_reg) ctx.regs.write(d.reg, size, rdx);
  if (K == Unary::Inc || K == Unary::Dec) emitMergeFlags(ctx, flag::ARITH & ~flag::CF, flag::ARITH & ~flag::CF);
  else if (K == Unary::Neg) emitMergeFlags(ctx, flag::ARITH, flag::ARITH);
  if (K == Unary::Neg && !slow) ctx.flags_in_esi = true;
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

}  // namespace

bool writesAllFlagsNatively(const DecodedInsn& insn) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_CMP: case ZYDIS_MNEMONIC_AND:
    case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_TEST:
      return regImmForm(insn);
    default:
      return shiftWritesAllFlagsNatively(insn);
  }
}

void registerAluEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_ADD] = &emitAlu<Alu::Add>;
  t[ZYDIS_MNEMONIC_ADC] = &emitAlu<Alu::Adc>;
  t[ZYDIS_MNEMONIC_SUB] = &emitAlu<Alu::Sub>;
  t[ZYDIS_MNEMONIC_SBB] = &emitAlu<Alu::Sbb>;
  t[ZYDIS_MNEMONIC_CMP] = &emitAlu<Alu::Cmp>;
  t[ZYDIS_MNEMONIC_AND] = &emitAlu<Alu::And>;
  t[ZYDIS_MNEMONIC_OR] = &emitAlu<Alu::Or>;
  t[ZYDIS_MNEMONIC_XOR] = &emitAlu<Alu::Xor>;
  t[ZYDIS_MNEMONIC_TEST] = &emitAlu<Alu::Test>;
  t[ZYDIS_MNEMONIC_INC] = &emitUnary<Unary::Inc>;
  t[ZYDIS_MNEMONIC_DEC] = &emitUnary<Unary::Dec>;
  t[ZYDIS_MNEMONIC_NEG] = &emitUnary<Unary::Neg>;
  t[ZYDIS_MNEMONIC_NOT] = &emitUnary<Unary::Not>;
}

}  // namespace sv
