// Native SSE data movement (cpu/interp/sse_moves.cpp and sse_integer.cpp
// are the reference): MOVSS/MOVSD, MOVD/MOVQ between XMM registers, GPRs
// and memory, the full-register moves (MOVAPS .. MOVDQU) and XORPS/XORPD/
// PXOR. They are copies and bitwise operations: no MXCSR, no flags, no
// rounding, so host loads and stores do them exactly. Emitted only where
// SSE is usable in the block's mode (CR0.EM/TS and CR4.OSFXSR are in the
// mode key; otherwise the handler raises #UD/#NM); MMX forms stay with the
// handlers (they enter the MMX state). Memory goes through the inline TLB
// fast path; a miss, a page crossing or a misaligned 16-byte operand of an
// aligned form takes the slow path, where the interpreter runs (and
// faults).
#include <cstddef>

#include "jit/emit_memory.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

bool isXmm(const Operand& op) { return op.kind == OpKind::Reg && op.reg.cls == RegClass::Xmm; }

// Bytes [off, off + size) of XMM register i in CpuState.
Mem xmmMem(unsigned i, unsigned off, unsigned size) {
  return stateMem(offsetof(CpuState, xmm) + sizeof(XmmRegister) * i + off, size);
}

bool sseUsable(const EmitContext& ctx, const DecodedInsn& insn) {
  if (!ctx.env.sse) return false;
  for (unsigned i = 0; i < insn.operand_count; ++i)
    if (insn.ops[i].kind == OpKind::Reg && insn.ops[i].reg.cls == RegClass::Mmx) return false;
  return true;
}

bool memUsable(const EmitContext& ctx, const Operand& op) {
  return op.kind == OpKind::Mem && (op.size == 16 || memFastPathUsable(ctx, op));
}

// rax = host pointer of memory operand `op` for a `kind` access of its
// size; a 16-byte operand of an aligned form must be 16-byte aligned (the
// host pointer has the linear address's low bits).
void hostOf(EmitContext& ctx, const DecodedInsn& insn, const Operand& op, AccessKind kind, bool aligned,
            const SlowPath& slow) {
  emitHostAddress(ctx, insn, op, kind, slow.entry);
  if (aligned) {
    ctx.as.test(al, Imm(15));
    ctx.as.jnz(slow.entry);
  }
}

// Copies `size` bytes (4, 8 or 16) from `src` to `dst` through rdx/xmm0.
void copy(Assembler& a, const Mem& dst, const Mem& src, unsigned size) {
  if (size == 16) {
    a.movdqu(xmm0, src.cloneResized(16));
    a.movdqu(dst.cloneResized(16), xmm0);
    return;
  }
  const Gp r = sized(rdx, size);
  a.mov(r, src.cloneResized(size));
  a.mov(dst.cloneResized(size), r);
}

// Zeroes XMM register i from byte `from` to 16.
void zeroUpper(Assembler& a, unsigned i, unsigned from) {
  if (from <= 4) a.mov(xmmMem(i, 4, 4), Imm(0));
  if (from <= 8) a.mov(xmmMem(i, 8, 8), Imm(0));
}

// MOVSS/MOVSD (F3/F2 0F 10/11): register to register the low element only;
// a load zeroes the rest of the register; a store writes the element.
template <unsigned kElem>
bool emitMoveScalar(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.opcode_map == 0 || insn.operand_count < 2 || !sseUsable(ctx, insn)) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  Assembler& a = ctx.as;
  if (isXmm(d) && isXmm(s)) {
    copy(a, xmmMem(d.reg.index, 0, kElem), xmmMem(s.reg.index, 0, kElem), kElem);
  } else if (isXmm(d) && s.kind == OpKind::Mem && s.size == kElem && memUsable(ctx, s)) {
    SlowPath& slow = ctx.newSlowPath(insn);
    hostOf(ctx, insn, s, AccessKind::Read, false, slow);
    copy(a, xmmMem(d.reg.index, 0, kElem), Mem(rax, 0, kElem), kElem);
    zeroUpper(a, d.reg.index, kElem);
    a.bind(slow.resume);
  } else if (d.kind == OpKind::Mem && d.size == kElem && isXmm(s) && memUsable(ctx, d)) {
    SlowPath& slow = ctx.newSlowPath(insn);
    hostOf(ctx, insn, d, AccessKind::Write, false, slow);
    copy(a, Mem(rax, 0, kElem), xmmMem(s.reg.index, 0, kElem), kElem);
    a.bind(slow.resume);
  } else {
    return false;
  }
  ctx.retireNative();
  return true;
}

// MOVD/MOVQ with an XMM register on one side: the source's low bytes (the
// smaller operand size); an XMM destination is zero-extended, a GPR
// destination written as Cpu::setGpr does (a 32-bit write clears the top).
bool emitMovdMovq(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2 || !sseUsable(ctx, insn)) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  if (!isXmm(d) && !isXmm(s)) return false;
  unsigned size = s.size < d.size ? s.size : d.size;
  if (size == 0 || size > 8) size = 8;
  if (size != 4 && size != 8) return false;
  Assembler& a = ctx.as;
  Mem sreg, dreg;
  const bool s_gpr = s.kind == OpKind::Reg && guestRegMem(s.reg, size, sreg);
  const bool d_gpr = d.kind == OpKind::Reg && guestRegMem(d.reg, size, dreg);
  const bool s_mem = s.kind == OpKind::Mem && s.size == size && memUsable(ctx, s);
  const bool d_mem = d.kind == OpKind::Mem && d.size == size && memUsable(ctx, d);
  if (!(isXmm(s) || s_gpr || s_mem) || !(isXmm(d) || d_gpr || d_mem)) return false;
  SlowPath* slow = (s_mem || d_mem) ? &ctx.newSlowPath(insn) : nullptr;
  // The value into rdx (zero-extended).
  const Gp r = sized(rdx, size);
  if (isXmm(s)) {
    a.mov(r, xmmMem(s.reg.index, 0, size));
  } else if (s_gpr) {
    a.mov(r, sreg.cloneResized(size));
  } else {
    hostOf(ctx, insn, s, AccessKind::Read, false, *slow);
    a.mov(r, Mem(rax, 0, size));
  }
  if (isXmm(d)) {
    a.mov(xmmMem(d.reg.index, 0, 8), rdx);
    a.mov(xmmMem(d.reg.index, 8, 8), Imm(0));
  } else if (d_gpr) {
    storeGuestReg(a, dreg, size);
  } else {
    hostOf(ctx, insn, d, AccessKind::Write, false, *slow);
    a.mov(Mem(rax, 0, size), r);
  }
  if (slow) a.bind(slow->resume);
  ctx.retireNative();
  return true;
}

// MOVAPS/MOVAPD/MOVDQA (aligned) and MOVUPS/MOVUPD/MOVDQU: all 16 bytes,
// between XMM registers or an XMM register and m128.
template <bool kAligned>
bool emitMoveFull(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2 || !sseUsable(ctx, insn)) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  Assembler& a = ctx.as;
  if (isXmm(d) && isXmm(s)) {
    copy(a, xmmMem(d.reg.index, 0, 16), xmmMem(s.reg.index, 0, 16), 16);
  } else if (isXmm(d) && s.kind == OpKind::Mem && s.size == 16) {
    SlowPath& slow = ctx.newSlowPath(insn);
    hostOf(ctx, insn, s, AccessKind::Read, kAligned, slow);
    copy(a, xmmMem(d.reg.index, 0, 16), Mem(rax, 0, 16), 16);
    a.bind(slow.resume);
  } else if (d.kind == OpKind::Mem && d.size == 16 && isXmm(s)) {
    SlowPath& slow = ctx.newSlowPath(insn);
    hostOf(ctx, insn, d, AccessKind::Write, kAligned, slow);
    copy(a, Mem(rax, 0, 16), xmmMem(s.reg.index, 0, 16), 16);
    a.bind(slow.resume);
  } else {
    return false;
  }
  ctx.retireNative();
  return true;
}

// XORPS/XORPD/PXOR xmm, xmm: the 128-bit XOR (xmm, xmm with itself is the
// usual way to zero a register).
bool emitXorFull(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2 || !sseUsable(ctx, insn)) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  if (!isXmm(d) || !isXmm(s)) return false;
  Assembler& a = ctx.as;
  if (d.reg.index == s.reg.index) {
    a.pxor(xmm0, xmm0);
  } else {
    a.movdqu(xmm0, xmmMem(d.reg.index, 0, 16));
    a.movdqu(xmm1, xmmMem(s.reg.index, 0, 16));
    a.pxor(xmm0, xmm1);
  }
  a.movdqu(xmmMem(d.reg.index, 0, 16), xmm0);
  ctx.retireNative();
  return true;
}

// MOVSD is also the string instruction (opcode A5, opcode_map 0).
bool emitMovsdEither(EmitContext& ctx, const DecodedInsn& insn) {
  return insn.opcode_map == 0 ? emitMovsString(ctx, insn) : emitMoveScalar<8>(ctx, insn);
}

}  // namespace

void registerSseMoveEmitters(InsnEmitter* t, bool strings_native) {
  t[ZYDIS_MNEMONIC_MOVSS] = &emitMoveScalar<4>;
  t[ZYDIS_MNEMONIC_MOVSD] = strings_native ? &emitMovsdEither : &emitMoveScalar<8>;
  t[ZYDIS_MNEMONIC_MOVD] = &emitMovdMovq;
  t[ZYDIS_MNEMONIC_MOVQ] = &emitMovdMovq;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVAPS, ZYDIS_MNEMONIC_MOVAPD, ZYDIS_MNEMONIC_MOVDQA})
    t[m] = &emitMoveFull<true>;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVUPS, ZYDIS_MNEMONIC_MOVUPD, ZYDIS_MNEMONIC_MOVDQU})
    t[m] = &emitMoveFull<false>;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XORPS, ZYDIS_MNEMONIC_XORPD, ZYDIS_MNEMONIC_PXOR}) t[m] = &emitXorFull;
}

}  // namespace sv
