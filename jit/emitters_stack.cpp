// Native PUSH (register, immediate), POP (register), CALL rel and near RET, after
// Cpu::push/pop (cpu/cpu.cpp) and the handlers in cpu/interp: the new SP
// is computed with the stack width, the slot goes through the memory fast
// path on SS, and RSP is written only after the access succeeded (a fault
// leaves SP as it was). Segment registers and memory operands stay with the
// interpreter (they load descriptors or compute addresses with the new SP).
#include "cpu/flags.h"
#include "jit/emit_dispatch.h"
#include "jit/emit_memory.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

// The stack width is the translation's, unless SS.B has changed since.
void emitStackGuard(EmitContext& ctx, const Label& slow) {
  if (!ctx.env.stack_guard) return;
  Assembler& a = ctx.as;
  a.test(word_ptr(jitreg::kState, static_cast<int32_t>(offsetof(CpuState, seg) + sizeof(SegmentCache) * SS +
                                                       offsetof(SegmentCache, attr))),
         Imm(segattr::DB));
  if (ctx.env.stack_size == 4) a.jz(slow);
  else a.jnz(slow);
}

const RegId kSp{RegClass::Gpr, RSP};

// rSP = v (rdi; a zero-extended 32-bit value for width 4) with the stack
// width (Cpu::setGpr).
void storeSp(EmitContext& ctx, unsigned w) { ctx.regs.write(kSp, w, rdi); }

// The s-byte stack slot, as an operand for memFastPathUsable.
Operand stackSlot(unsigned s) {
  Operand m;
  m.kind = OpKind::Mem;
  m.size = static_cast<uint8_t>(s);
  m.seg = SS;
  return m;
}

// rdx = the s bytes at SS:SP and rdi = SP + s + release (storeSp keeps the
// width's bits), or a jump to the slow path; nothing is written yet.
void emitStackRead(EmitContext& ctx, unsigned s, uint64_t release, SlowPath& slow) {
  Assembler& a = ctx.as;
  const unsigned w = ctx.env.stack_size;
  emitStackGuard(ctx, slow.entry);
  ctx.regs.read(rax, kSp, w);
  a.lea(rdi, ptr(rax, static_cast<int32_t>(s + release)));
  if (w == 4) a.mov(edi, edi);
  emitHostAt(ctx, SS, s, AccessKind::Read, slow.entry);
  loadZx(a, rdx, Mem(rax, 0, s), s);
}

// Pushes rdx (s bytes) on the fast path; the caller binds slow.resume.
void emitPushRdx(EmitContext& ctx, unsigned s, SlowPath& slow) {
  Assembler& a = ctx.as;
  const unsigned w = ctx.env.stack_size;
  ctx.regs.read(rax, kSp, w);
  a.sub(rax, Imm(s));
  if (w == 2) a.movzx(eax, ax);
  else if (w == 4) a.mov(eax, eax);
  a.mov(rdi, rax);
  emitHostAt(ctx, SS, s, AccessKind::Write, slow.entry);
  a.mov(Mem(rax, 0, s), sized(rdx, s));
  storeSp(ctx, w);
}

bool emitPush(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  const Operand& op = insn.ops[0];
  if (insn.operand_count < 1 || (s != 2 && s != 4 && s != 8)) return false;
  Mem reg;
  const bool is_reg = op.kind == OpKind::Reg && guestRegMem(op.reg, s, reg);
  if (!is_reg && op.kind != OpKind::Imm) return false;
  if (!memFastPathUsable(ctx, stackSlot(s))) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  ctx.regs.use(RSP);
  SlowPath& slow = ctx.newSlowPath(insn);
  emitStackGuard(ctx, slow.entry);
  // The value first: PUSH SP pushes SP as it was before the push.
  if (is_reg) {
    ctx.regs.read(rdx, op.reg, s);
  } else {
    const uint64_t v = op.imm & flags::mask(s);
    if (s == 8) a.mov(rdx, Imm(v));
    else a.mov(edx, Imm(static_cast<uint32_t>(v)));
  }
  emitPushRdx(ctx, s, slow);
  ctx.bindResume(slow);
  ctx.retireNative();
  return true;
}

bool emitPop(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  const Operand& op = insn.ops[0];
  Mem reg;
  if (insn.operand_count < 1 || (s != 2 && s != 4 && s != 8)) return false;
  if (op.kind != OpKind::Reg || !guestRegMem(op.reg, s, reg)) return false;
  if (!memFastPathUsable(ctx, stackSlot(s))) return false;
  const unsigned w = ctx.env.stack_size;
  ctx.useRegs(insn);
  ctx.regs.use(RSP);
  SlowPath& slow = ctx.newSlowPath(insn);
  emitStackRead(ctx, s, 0, slow);
  // SP moves first, then the value lands (POP SP ends with the value).
  storeSp(ctx, w);
  ctx.regs.write(op.reg, s, rdx);
  ctx.bindResume(slow);
  ctx.retireNative();
  return true;
}

// CALL rel: the target is checked before anything is pushed (SDM "CALL";
// cpu/interp/control.cpp), then the return address goes on the stack and
// the block leaves through its taken exit.
bool emitCall(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  uint64_t target = 0;
  if ((s != 2 && s != 4 && s != 8) || !relTarget(ctx, insn, target)) return false;
  if (!memFastPathUsable(ctx, stackSlot(s))) return false;
  Assembler& a = ctx.as;
  SlowPath& slow = ctx.newSlowPath(insn);
  ctx.checkCsLimit(target, slow.entry);  // beyond the CS limit: the interpreter raises #GP
  emitStackGuard(ctx, slow.entry);
  const uint64_t ret = ctx.next_rip & flags::mask(s);
  if (s == 8) a.mov(rdx, Imm(ret));
  else a.mov(edx, Imm(static_cast<uint32_t>(ret)));
  emitPushRdx(ctx, s, slow);
  // The interpreter's run of a CALL on the slow path also ends at the target.
  a.bind(slow.resume);
  emitReturnPush(ctx, ret);
  ctx.chainExit(kExitTaken, target, ctx.pending + 1);
  ctx.retireNative();
  ctx.ended = true;
  return true;
}

// Near RET / RET imm16 (C3/C2): the return address is read and checked
// (CS limit, or canonical in 64-bit mode: SDM "RET") before SP moves, as
// the interpreter's handleRetNear; then the block leaves through the
// dispatch stub. Compatibility mode (the interpreter checks canonical form
// there, not the limit) stays with the interpreter.
bool emitRet(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned s = insn.opsize;
  if ((insn.opcode != 0xC3 && insn.opcode != 0xC2) || (s != 2 && s != 4 && s != 8)) return false;
  if (!ctx.has_dispatch || ctx.env.compat) return false;
  const uint64_t release = insn.opcode == 0xC2 && insn.operand_count > 0 ? insn.ops[0].imm & 0xFFFF : 0;
  if (!memFastPathUsable(ctx, stackSlot(s))) return false;
  Assembler& a = ctx.as;
  const unsigned w = ctx.env.stack_size;
  SlowPath& slow = ctx.newSlowPath(insn);
  emitStackRead(ctx, s, release, slow);
  if (ctx.env.long64) {
    a.mov(rcx, rdx);
    a.shl(rcx, 16);
    a.sar(rcx, 16);
    a.cmp(rcx, rdx);
    a.jne(slow.entry);  // not canonical: the interpreter raises #GP(0)
  } else {
    ctx.checkCsLimit(edx, slow.entry);  // beyond the CS limit: #GP(0)
  }
  storeSp(ctx, w);
  a.mov(ripMem(), rdx);
  // The slow path's handler has done the same (RIP = target).
  a.bind(slow.resume);
  ctx.addRetired(ctx.pending + 1);
  ctx.pending = 0;
  ctx.rip_stale = false;
  emitReturnExit(ctx);
  ctx.ended = true;
  return true;
}

}  // namespace

void registerStackEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_PUSH] = &emitPush;
  t[ZYDIS_MNEMONIC_POP] = &emitPop;
  t[ZYDIS_MNEMONIC_CALL] = &emitCall;
  t[ZYDIS_MNEMONIC_RET] = &emitRet;
}

}  // namespace sv
