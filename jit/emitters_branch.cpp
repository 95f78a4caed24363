// Native direct branches, which end their block: JMP rel, Jcc rel, LOOP/
// LOOPE/LOOPNE. The condition is evaluated from the guest RFLAGS in
// memory; both outcomes leave through a chain exit (emit_context.h), so a
// hot loop runs from block to block without returning to Cpu::run.
//
// The target is known at translation; only its CS-limit check (SDM Vol. 2,
// "Jcc": #GP(0) if the target is beyond the limit) is made at run time, and
// a failing one runs the instruction in the interpreter, which raises.
#include "cpu/flags.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

bool relTarget(const EmitContext& ctx, const DecodedInsn& insn, uint64_t& target) {
  if (insn.operand_count < 1 || insn.ops[0].kind != OpKind::Rel) return false;
  target = (ctx.next_rip + insn.ops[0].imm) & flags::mask(insn.opsize);
  if (ctx.env.long64) return isCanonical(target);
  return target <= 0xFFFFFFFFull;
}

namespace {

// Binds `fault`, reached when a branch target is beyond the CS limit: the
// interpreter raises #GP with the state at the start of the branch
// (nothing native has changed anything yet). Only where the block checks
// the CS limit at all.
void emitCsLimitFault(EmitContext& ctx, const DecodedInsn& insn, const Label& fault, unsigned pending_before) {
  if (!ctx.env.cs_limit_checks) return;
  ctx.as.bind(fault);
  ctx.storeRip(ctx.rip);
  ctx.addRetired(pending_before);
  ctx.callHandler(insn);
  ctx.as.jmp(ctx.plain_exit);
}

// The taken path: CS-limit check, then the chain exit.
void emitTaken(EmitContext& ctx, const DecodedInsn& insn, uint64_t target, unsigned pending_before) {
  Assembler& a = ctx.as;
  Label fault = a.newLabel();
  ctx.checkCsLimit(target, fault);
  ctx.chainExit(kExitTaken, target, pending_before + 1);
  emitCsLimitFault(ctx, insn, fault, pending_before);
}

bool emitJmp(EmitContext& ctx, const DecodedInsn& insn) {
  uint64_t target;
  if (!relTarget(ctx, insn, target)) return false;
  emitTaken(ctx, insn, target, ctx.pending);
  ctx.retireNative();
  ctx.ended = true;
  return true;
}

}  // namespace

void emitCondition(Assembler& a, unsigned cc, const Label& taken, bool flags_in_esi) {
  if (flags_in_esi) a.mov(eax, esi);
  else a.mov(eax, rflagsMem().cloneResized(4));
  uint32_t bits = 0;
  switch ((cc >> 1) & 7) {
    case 0: bits = flag::OF; break;
    case 1: bits = flag::CF; break;
    case 2: bits = flag::ZF; break;
    case 3: bits = flag::CF | flag::ZF; break;
    case 4: bits = flag::SF; break;
    case 5: bits = flag::PF; break;
    case 6:  // L: SF != OF (OF is bit 11, SF bit 7)
      a.mov(ecx, eax);
      a.shr(ecx, 4);
      a.xor_(eax, ecx);
      bits = flag::SF;
      break;
    default:  // LE: ZF or SF != OF
      a.mov(ecx, eax);
      a.shr(ecx, 4);
      a.xor_(ecx, eax);
      a.and_(ecx, Imm(flag::SF));
      a.and_(eax, Imm(flag::ZF));
      a.or_(eax, ecx);
      bits = flag::SF | flag::ZF;
      break;
  }
  a.test(eax, Imm(bits));
  if (cc & 1) a.jz(taken);
  else a.jnz(taken);
}

namespace {

bool emitJcc(EmitContext& ctx, const DecodedInsn& insn) {
  uint64_t target;
  if (!relTarget(ctx, insn, target)) return false;
  Assembler& a = ctx.as;
  const unsigned before = ctx.pending;
  Label taken = a.newLabel();
  emitCondition(a, insn.opcode & 0xF, taken, ctx.prev_flags_in_esi);
  ctx.chainExit(kExitFallThrough, ctx.next_rip, before + 1);
  a.bind(taken);
  emitTaken(ctx, insn, target, before);
  ctx.retireNative();
  ctx.ended = true;
  return true;
}

// LOOP/LOOPE/LOOPNE: count = rCX - 1 (address size), flags untouched; the
// count is written only once the target is accepted (cpu/interp/control.cpp).
template <int kZf>  // -1: LOOP, 1: LOOPE, 0: LOOPNE
bool emitLoop(EmitContext& ctx, const DecodedInsn& insn) {
  uint64_t target;
  if (!relTarget(ctx, insn, target)) return false;
  // relTarget masked with the operand size as the handler does.
  Assembler& a = ctx.as;
  const unsigned as = insn.addrsize;
  const unsigned before = ctx.pending;
  const Mem rcx_slot = stateMem(offsetof(CpuState, gpr) + 8 * RCX, as);
  Label not_taken = a.newLabel(), fault = a.newLabel();
  const Gp count = sized(rcx, as);
  a.mov(count, rcx_slot);
  a.sub(count, 1);
  a.jz(not_taken);
  if (kZf >= 0) {
    a.test(rflagsMem().cloneResized(4), Imm(flag::ZF));
    if (kZf == 1) a.jz(not_taken);
    else a.jnz(not_taken);
  }
  ctx.checkCsLimit(target, fault);
  // Cpu::setGpr: a 32-bit count zero-extends (rcx's upper half is clear).
  auto store = [&] {
    if (as == 4) a.mov(stateMem(offsetof(CpuState, gpr) + 8 * RCX, 8), rcx);
    else a.mov(rcx_slot, count);
  };
  store();
  ctx.chainExit(kExitTaken, target, before + 1);
  a.bind(not_taken);
  store();
  ctx.chainExit(kExitFallThrough, ctx.next_rip, before + 1);
  emitCsLimitFault(ctx, insn, fault, before);
  ctx.retireNative();
  ctx.ended = true;
  return true;
}

}  // namespace

void registerBranchEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_JMP] = &emitJmp;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB,
                          ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
                          ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP,
                          ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE})
    t[m] = &emitJcc;
  t[ZYDIS_MNEMONIC_LOOP] = &emitLoop<-1>;
  t[ZYDIS_MNEMONIC_LOOPE] = &emitLoop<1>;
  t[ZYDIS_MNEMONIC_LOOPNE] = &emitLoop<0>;
}

}  // namespace sv
