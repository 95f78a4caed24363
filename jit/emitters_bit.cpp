// Native BT/BTS/BTR/BTC with a register destination (bit offset from a
// register or an immediate, taken modulo the operand width) or a memory
// destination with an immediate offset (also modulo the width). A memory
// destination with a register offset addresses a bit string beyond the
// operand (SDM Vol. 2A "BT") and stays in the interpreter.
// Flags: CF = the old bit; the rest are undefined and the interpreter
// leaves them unchanged (cpu/interp/bit_ops.cpp), so only CF is merged.
#include "cpu/flags.h"
#include "jit/emit_operand.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

enum class BitOp { Test, Set, Reset, Complement };

template <BitOp K>
bool emitBitTest(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& o = insn.ops[1];
  RmOperand dst;
  if (!rmUsable(ctx, d, dst) || dst.size < 2) return false;
  const unsigned size = dst.size;
  Mem oreg;
  const bool o_reg = o.kind == OpKind::Reg && guestRegMem(o.reg, size, oreg);
  const bool o_imm = o.kind == OpKind::Imm;
  if (!(o_imm || (o_reg && dst.is_reg))) return false;

  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = dst.is_reg ? nullptr : &ctx.newSlowPath(insn);
  loadRm(ctx, insn, d, dst, K == BitOp::Test ? AccessKind::Read : AccessKind::Write, slow, rdx);
  Operand_ bit = Imm(static_cast<unsigned>(o.imm) & (size * 8 - 1));
  if (o_reg) {
    ctx.regs.read(rcx, o.reg, size);
    bit = sized(rcx, size);
  }
  InstId id = Inst::kIdBt;
  switch (K) {
    case BitOp::Test: id = Inst::kIdBt; break;
    case BitOp::Set: id = Inst::kIdBts; break;
    case BitOp::Reset: id = Inst::kIdBtr; break;
    case BitOp::Complement: id = Inst::kIdBtc; break;
  }
  a.emit(id, sized(rdx, size), bit);
  captureHostFlags(a, /*with_of=*/false);
  if (K != BitOp::Test) storeRm(ctx, dst, rdx);
  emitMergeFlags(ctx, flag::CF, flag::CF);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

}  // namespace

void registerBitEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_BT] = &emitBitTest<BitOp::Test>;
  t[ZYDIS_MNEMONIC_BTS] = &emitBitTest<BitOp::Set>;
  t[ZYDIS_MNEMONIC_BTR] = &emitBitTest<BitOp::Reset>;
  t[ZYDIS_MNEMONIC_BTC] = &emitBitTest<BitOp::Complement>;
}

}  // namespace sv
