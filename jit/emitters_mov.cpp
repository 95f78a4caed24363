// Native data movement: MOV between registers, immediates and memory (not
// segment, control or debug registers), MOVZX/MOVSX, LEA. No flags change.
#include "cpu/flags.h"
#include "jit/emit_memory.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

bool sizeOk(unsigned size) { return isGprSize(size); }

bool emitMov(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.opcode_map != 0 || insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  const unsigned size = d.size;
  if (!sizeOk(size)) return false;
  Mem dreg, sreg;
  const bool d_reg = d.kind == OpKind::Reg && guestRegMem(d.reg, size, dreg);
  const bool d_mem = d.kind == OpKind::Mem && memFastPathUsable(ctx, d);
  const bool s_reg = s.kind == OpKind::Reg && guestRegMem(s.reg, size, sreg);
  const bool s_imm = s.kind == OpKind::Imm;
  const bool s_mem = s.kind == OpKind::Mem && memFastPathUsable(ctx, s) && s.size == size;
  if (!(d_reg || d_mem) || !(s_reg || s_imm || s_mem) || (d_mem && s_mem)) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn, /*defines_first=*/true);
  SlowPath* slow = (d_mem || s_mem) ? &ctx.newSlowPath(insn) : nullptr;
  const Gp* hs = s_reg ? ctx.regs.gpr(s.reg) : nullptr;
  if (const Gp* hd = d_reg ? ctx.regs.gpr(d.reg) : nullptr) {
    // Straight into the cached copy (a 4-byte move clears the upper half,
    // 1 and 2 keep it: the host's rules are the guest's).
    const Gp dst = sized(*hd, size);
    if (hs) {
      a.mov(dst, sized(*hs, size));
    } else if (s_reg) {
      ctx.regs.read(rdx, s.reg, size);
      a.mov(dst, sized(rdx, size));
    } else if (s_imm) {
      const uint64_t v = s.imm & flags::mask(size);
      if (size == 8) a.mov(dst, Imm(v));
      else a.mov(dst, Imm(static_cast<uint32_t>(v)));
    } else {
      emitHostAddress(ctx, insn, s, AccessKind::Read, slow->entry);
      a.mov(dst, Mem(rax, 0, size));
    }
    ctx.regs.commit(d.reg, size);
    if (slow) ctx.bindResume(*slow);
    ctx.retireNative();
    return true;
  }
  // The value into rdx (or a cached register).
  Gp value = rdx;
  if (hs && !d_reg) {
    value = *hs;
  } else if (s_reg) {
    ctx.regs.read(rdx, s.reg, size);
  } else if (s_imm) {
    const uint64_t v = s.imm & flags::mask(size);
    if (size == 8) a.mov(rdx, Imm(v));
    else a.mov(edx, Imm(static_cast<uint32_t>(v)));
  } else {
    emitHostAddress(ctx, insn, s, AccessKind::Read, slow->entry);
    loadZx(a, rdx, Mem(rax, 0, size), size);
  }
  if (d_reg) {
    ctx.regs.write(d.reg, size, rdx);
  } else {
    emitHostAddress(ctx, insn, d, AccessKind::Write, slow->entry);
    a.mov(Mem(rax, 0, size), sized(value, size));
  }
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

// MOVZX/MOVSX/MOVSXD r, r/m: the source widened to the destination size.
template <bool kSigned>
bool emitMovExtend(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  const unsigned dsize = d.size, ssize = s.size;
  if (!sizeOk(dsize) || !sizeOk(ssize) || ssize > dsize) return false;
  Mem dreg, sreg;
  if (d.kind != OpKind::Reg || !guestRegMem(d.reg, dsize, dreg)) return false;
  const bool s_reg = s.kind == OpKind::Reg && guestRegMem(s.reg, ssize, sreg);
  const bool s_mem = s.kind == OpKind::Mem && memFastPathUsable(ctx, s);
  if (!s_reg && !s_mem) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn, /*defines_first=*/true);
  SlowPath* slow = s_mem ? &ctx.newSlowPath(insn) : nullptr;
  Operand_ src;
  bool src_zx = false;  // src is rdx with the value zero-extended already
  if (s_mem) {
    emitHostAddress(ctx, insn, s, AccessKind::Read, slow->entry);
    src = Mem(rax, 0, ssize);
  } else if (const Gp* hs = ctx.regs.gpr(s.reg)) {
    src = sized(*hs, ssize);
  } else {
    ctx.regs.read(rdx, s.reg, ssize);
    src = sized(rdx, ssize);
    src_zx = true;
  }
  if (const Gp* hd = dsize >= 4 ? ctx.regs.gpr(d.reg) : nullptr) {
    // Widened straight into the cached copy.
    const Gp dst = sized(*hd, dsize);
    if (ssize == dsize) a.emit(Inst::kIdMov, dst, src);
    else if (ssize == 4) a.emit(kSigned ? Inst::kIdMovsxd : Inst::kIdMov, kSigned ? dst : hd->r32(), src);
    else a.emit(kSigned ? Inst::kIdMovsx : Inst::kIdMovzx, kSigned ? dst : hd->r32(), src);
    ctx.regs.commit(d.reg, dsize);
    if (slow) ctx.bindResume(*slow);
    ctx.retireNative();
    return true;
  }
  // Widen to 64 bits in rdx; the write keeps only what the destination size takes.
  if (ssize == 8) {
    if (!src_zx) a.emit(Inst::kIdMov, rdx, src);
  } else if (ssize == 4) {
    if (kSigned) a.emit(Inst::kIdMovsxd, rdx, src);
    else if (!src_zx) a.emit(Inst::kIdMov, edx, src);
  } else if (kSigned) {
    a.emit(Inst::kIdMovsx, rdx, src);
  } else if (!src_zx) {
    a.emit(Inst::kIdMovzx, edx, src);
  }
  if (dsize == 4) a.mov(edx, edx);  // zero-extend the 32-bit result
  ctx.regs.write(d.reg, dsize, rdx);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

// LEA r, m: the effective address (masked to the address size), truncated
// to the operand size (Cpu::setGpr).
bool emitLea(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2 || insn.ops[1].kind != OpKind::Mem) return false;
  const Operand& d = insn.ops[0];
  Mem dreg;
  if (d.kind != OpKind::Reg || !sizeOk(d.size) || d.size == 1 || !guestRegMem(d.reg, d.size, dreg)) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn, /*defines_first=*/true);
  emitEffectiveAddress(ctx, insn, insn.ops[1]);
  if (const Gp* hd = ctx.regs.gpr(d.reg)) {
    a.mov(sized(*hd, d.size), sized(rax, d.size));
    ctx.regs.commit(d.reg, d.size);
  } else {
    if (d.size == 4) a.mov(edx, eax);
    else a.mov(rdx, rax);
    ctx.regs.write(d.reg, d.size, rdx);
  }
  ctx.retireNative();
  return true;
}

// SETcc r/m8: 1 or 0 per the condition (cpu/interp/logic.cpp).
bool emitSetcc(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 1) return false;
  const Operand& d = insn.ops[0];
  Mem dreg;
  const bool d_reg = d.kind == OpKind::Reg && guestRegMem(d.reg, 1, dreg);
  const bool d_mem = d.kind == OpKind::Mem && d.size == 1 && memFastPathUsable(ctx, d);
  if (!d_reg && !d_mem) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  SlowPath* slow = d_mem ? &ctx.newSlowPath(insn) : nullptr;
  Label yes = a.newLabel(), done = a.newLabel();
  emitCondition(a, insn.opcode & 0xF, yes, ctx.prev_flags_in_esi);
  a.xor_(edx, edx);
  a.jmp(done);
  a.bind(yes);
  a.mov(edx, 1);
  a.bind(done);
  if (d_reg) {
    ctx.regs.write(d.reg, 1, rdx);
  } else {
    emitHostAddress(ctx, insn, d, AccessKind::Write, slow->entry);
    a.mov(byte_ptr(rax), dl);
  }
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

// CMOVcc r, r/m: the source is read whatever the condition (a memory
// source faults even when nothing moves); a 32-bit destination is written
// either way, so its upper half is cleared (cpu/interp/logic.cpp).
bool emitCmovcc(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  const unsigned size = d.size;
  if (size != 2 && size != 4 && size != 8) return false;
  Mem dreg, sreg;
  if (d.kind != OpKind::Reg || !guestRegMem(d.reg, size, dreg)) return false;
  const bool s_reg = s.kind == OpKind::Reg && guestRegMem(s.reg, size, sreg);
  const bool s_mem = s.kind == OpKind::Mem && s.size == size && memFastPathUsable(ctx, s);
  if (!s_reg && !s_mem) return false;
  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  SlowPath* slow = s_mem ? &ctx.newSlowPath(insn) : nullptr;
  if (s_reg) {
    ctx.regs.read(rdx, s.reg, size);
  } else {
    emitHostAddress(ctx, insn, s, AccessKind::Read, slow->entry);
    loadZx(a, rdx, Mem(rax, 0, size), size);
  }
  Label move = a.newLabel(), done = a.newLabel();
  const bool esi_flags = ctx.prev_flags_in_esi && !s_mem;  // the memory path clobbers nothing in esi, but stay simple
  emitCondition(a, insn.opcode & 0xF, move, esi_flags);
  if (size == 4) {
    ctx.regs.read(rdx, d.reg, 4);  // not moved: the register keeps its low half, upper half cleared
  } else {
    a.jmp(done);
  }
  a.bind(move);
  ctx.regs.write(d.reg, size, rdx);
  a.bind(done);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

}  // namespace

bool flagsTransparent(const DecodedInsn& insn) {
  if (insn.operand_count < 2) return false;
  const Operand& d = insn.ops[0];
  const Operand& s = insn.ops[1];
  Mem m;
  if (d.kind != OpKind::Reg || !sizeOk(d.size) || !guestRegMem(d.reg, d.size, m)) return false;
  auto reg = [&](const Operand& o) { return o.kind == OpKind::Reg && sizeOk(o.size) && guestRegMem(o.reg, o.size, m); };
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_MOV:  // the forms emitMov never declines
      return insn.opcode_map == 0 && (s.kind == OpKind::Imm || (reg(s) && s.size == d.size));
    case ZYDIS_MNEMONIC_MOVZX: case ZYDIS_MNEMONIC_MOVSX: case ZYDIS_MNEMONIC_MOVSXD:
      return reg(s) && s.size <= d.size;
    case ZYDIS_MNEMONIC_LEA:  // no memory access
      return s.kind == OpKind::Mem && d.size != 1;
    default:
      return false;
  }
}

void registerMovEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_MOV] = &emitMov;
  t[ZYDIS_MNEMONIC_MOVZX] = &emitMovExtend<false>;
  t[ZYDIS_MNEMONIC_MOVSX] = &emitMovExtend<true>;
  t[ZYDIS_MNEMONIC_MOVSXD] = &emitMovExtend<true>;
  t[ZYDIS_MNEMONIC_LEA] = &emitLea;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETNB,
                          ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
                          ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETNP,
                          ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE})
    t[m] = &emitSetcc;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
                          ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
                          ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
                          ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE})
    t[m] = &emitCmovcc;
}

}  // namespace sv
