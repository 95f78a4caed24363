// Data transfer: MOV and its extending forms, XCHG, LEA, far-pointer loads,
// the stack (PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE), LAHF/SAHF,
// sign extensions of the accumulator, XLAT, BOUND and the NOP family.
//
// Restartability: a handler that faults must leave the state as at the start
// of the instruction. Multi-step handlers therefore compute with local copies
// of SP and write registers only after every fault-able access has succeeded.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/virtual_interrupts.h"

namespace sv {

namespace {

using flags::mask;
using flags::signExtend;

// ---------------------------------------------------------------- helpers

uint64_t stackMask(Cpu& cpu) { return mask(cpu.stackAddrSize()); }

// SP/ESP/RSP += delta at the current stack width (the upper bits of RSP are
// kept for a 16-bit stack).
void adjustSp(Cpu& cpu, int64_t delta) {
  unsigned w = cpu.stackAddrSize();
  cpu.setGpr(RSP, w, cpu.gpr(RSP, w) + static_cast<uint64_t>(delta));
}

// ---------------------------------------------------------------- MOV family

void handleMov(Cpu& cpu, const DecodedInsn& insn) {
  // 0F 20..23 (MOV to/from CRn/DRn) share the mnemonic; the decoder routes
  // them to HandlerTable::mov_control_debug, so they never arrive here.
  if (insn.opcode_map != 0) cpu.raise(vec::UD);
  // Sreg destinations go through writeReg -> loadSegment (MOV SS sets the
  // interrupt shadow there). MOV r32, Sreg zero-extends via setGpr. The
  // decoder rejects MOV CS (8E /1) as #UD.
  cpu.writeOp(insn, 0, cpu.readOp(insn, 1));
}

void handleMovzx(Cpu& cpu, const DecodedInsn& insn) { cpu.writeOp(insn, 0, cpu.readOp(insn, 1)); }

// MOVSX and MOVSXD (MOVSXD with a 16/32-bit destination is a plain copy).
void handleMovsx(Cpu& cpu, const DecodedInsn& insn) {
  uint64_t v = cpu.readOp(insn, 1);
  cpu.writeOp(insn, 0, static_cast<uint64_t>(signExtend(v, insn.ops[1].size)) & mask(insn.ops[0].size));
}

void handleXchg(Cpu& cpu, const DecodedInsn& insn) {
  uint64_t a = cpu.readOp(insn, 0);
  uint64_t b = cpu.readOp(insn, 1);
  // The memory operand (if any) is written first: it is the only write that
  // can fault, and no register may change before it.
  if (insn.ops[1].kind == OpKind::Mem) {
    cpu.writeOp(insn, 1, a);
    cpu.writeOp(insn, 0, b);
  } else {
    cpu.writeOp(insn, 0, b);
    cpu.writeOp(insn, 1, a);
  }
}

// LEA: the effective address (already wrapped to the address size), then
// truncated or zero-extended to the operand size. No memory access.
void handleLea(Cpu& cpu, const DecodedInsn& insn) {
  uint64_t ea = cpu.effectiveAddress(insn, insn.ops[1]);
  cpu.writeReg(insn.ops[0].reg, insn.ops[0].size, ea);
}

// LDS/LES/LFS/LGS/LSS r, m16:16/m16:32: offset then selector from memory,
// the segment is loaded before the register is written (SDM "LDS/LES/...").
void loadFarPointer(Cpu& cpu, const DecodedInsn& insn, uint8_t seg) {
  const Operand& m = insn.ops[1];
  unsigned s = insn.ops[0].size;
  uint64_t ea = cpu.effectiveAddress(insn, m);
  cpu.checkSegmentAccess(m.seg, ea, s + 2, Access::Read);
  uint64_t offset = cpu.readMem(m.seg, ea, s);
  uint16_t selector = static_cast<uint16_t>(cpu.readMem(m.seg, ea + s, 2));
  uint8_t shadow = cpu.state.interrupt_shadow;
  cpu.loadSegment(seg, selector);
  // Only MOV SS and POP SS inhibit interrupts; LSS does not.
  cpu.state.interrupt_shadow = shadow;
  cpu.writeReg(insn.ops[0].reg, s, offset);
}

void handleLds(Cpu& cpu, const DecodedInsn& insn) { loadFarPointer(cpu, insn, DS); }
void handleLes(Cpu& cpu, const DecodedInsn& insn) { loadFarPointer(cpu, insn, ES); }
void handleLfs(Cpu& cpu, const DecodedInsn& insn) { loadFarPointer(cpu, insn, FS); }
void handleLgs(Cpu& cpu, const DecodedInsn& insn) { loadFarPointer(cpu, insn, GS); }
void handleLss(Cpu& cpu, const DecodedInsn& insn) { loadFarPointer(cpu, insn, SS); }

// ---------------------------------------------------------------- stack

void handlePush(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  unsigned s = insn.opsize;
  if (op.kind == OpKind::Reg && op.reg.cls == RegClass::Seg) {
    uint16_t sel = cpu.state.seg[op.reg.index].selector;
    if (s == 2) {
      cpu.push(sel, 2);
      return;
    }
    // Wider operand size: recent Intel Core/Atom processors move only the
    // 16-bit selector into the 4/8-byte slot, leaving its upper bytes
    // unmodified (SDM Vol. 2B, "PUSH", operation notes).
    uint64_t sp = (cpu.gpr(RSP, cpu.stackAddrSize()) - s) & stackMask(cpu);
    cpu.checkSegmentAccess(SS, sp, s, Access::Write);
    cpu.writeMem(SS, sp, 2, sel);
    adjustSp(cpu, -static_cast<int64_t>(s));
    return;
  }
  // Register (PUSH SP pushes the value before the push: it is read first),
  // memory (address computed with the old SP) or sign-extended immediate.
  cpu.push(cpu.readOp(insn, 0), s);
}

void handlePop(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  unsigned s = insn.opsize;
  if (op.kind == OpKind::Reg && op.reg.cls == RegClass::Seg) {
    // Load first (may fault in protected mode), then release the slot.
    // POP SS sets the interrupt shadow in loadSegment.
    uint64_t v = cpu.peekStack(0, s);
    cpu.loadSegment(op.reg.index, static_cast<uint16_t>(v));
    adjustSp(cpu, s);
    return;
  }
  if (op.kind == OpKind::Reg) {
    // POP SP: pop() moves SP, then the popped value replaces it.
    uint64_t v = cpu.pop(s);
    cpu.writeReg(op.reg, s, v);
    return;
  }
  // POP m: an SP-based address uses SP after the pop (SDM "POP"). Compute it
  // with the incremented SP, but keep the old SP until the store succeeds.
  uint64_t v = cpu.peekStack(0, s);
  uint64_t old_rsp = cpu.state.gpr[RSP];
  adjustSp(cpu, s);
  uint64_t ea = cpu.effectiveAddress(insn, op);
  cpu.state.gpr[RSP] = old_rsp;
  cpu.writeMem(op.seg, ea, s, v);
  adjustSp(cpu, s);
}

// PUSHA/PUSHAD: AX CX DX BX (original SP) BP SI DI. SP changes only after
// every store succeeded.
void handlePusha(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  uint64_t m = stackMask(cpu);
  uint64_t sp = cpu.gpr(RSP, cpu.stackAddrSize());
  if (cpu.realMode() || cpu.mode() == CpuMode::Virtual86) {
    // SDM Vol. 2B "PUSHA/PUSHAD", real-address mode exceptions: #GP (not
    // #SS) if SP is 7, 9, 11, 13 or 15, i.e. when a slot would straddle the
    // end of the stack segment; raised before anything is written.
    uint64_t limit = cpu.state.seg[SS].limit;
    uint64_t t = sp;
    for (unsigned i = 0; i < 8; ++i) {
      t = (t - s) & m;
      if (t + s - 1 > limit) cpu.raise(vec::GP, 0);
    }
  }
  for (unsigned r = RAX; r <= RDI; ++r) {
    sp = (sp - s) & m;
    cpu.writeMem(SS, sp, s, cpu.gpr(r, s));
  }
  cpu.setGpr(RSP, cpu.stackAddrSize(), sp);
}

// POPA/POPAD: DI SI BP (SP slot skipped) BX DX CX AX.
void handlePopa(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  uint64_t m = stackMask(cpu);
  uint64_t sp = cpu.gpr(RSP, cpu.stackAddrSize());
  uint64_t v[8];
  for (int r = RDI; r >= RAX; --r) {
    v[r] = cpu.readMem(SS, sp, s);
    sp = (sp + s) & m;
  }
  for (unsigned r = RAX; r <= RDI; ++r)
    if (r != RSP) cpu.setGpr(r, s, v[r]);
  cpu.setGpr(RSP, cpu.stackAddrSize(), sp);
}

// PUSHF: VM and RF read as 0 in the image (SDM "PUSHF"). In virtual-8086
// mode with IOPL < 3 it traps, or with CR4.VME (16-bit form only) pushes
// VIF in the IF position (SDM 20.3.2).
void handlePushf(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.mode() == CpuMode::Virtual86) {
    switch (v86FlagsTarget(cpu, insn.opsize)) {
      case InterruptFlagTarget::Fault: cpu.raise(vec::GP, 0);
      case InterruptFlagTarget::Vif: cpu.push(virtualFlagsImage(cpu.state.rflags), 2); return;
      case InterruptFlagTarget::If: break;
    }
  }
  cpu.push(cpu.state.rflags & ~(flag::VM | flag::RF), insn.opsize);
}

// POPF: writeFlags applies the mode's rules (IOPL only at CPL 0, IF only
// when CPL <= IOPL; VM, VIF, VIP never). RF is cleared (SDM "POPF").
// A 16-bit POPF leaves bits 16..31 alone. Virtual-8086 mode with IOPL < 3
// traps, or with CR4.VME (16-bit form) loads VIF from the IF position.
void handlePopf(Cpu& cpu, const DecodedInsn& insn) {
  bool v86 = cpu.mode() == CpuMode::Virtual86;
  unsigned s = insn.opsize;
  InterruptFlagTarget target = v86 ? v86FlagsTarget(cpu, s) : InterruptFlagTarget::If;
  if (target == InterruptFlagTarget::Fault) cpu.raise(vec::GP, 0);
  uint64_t v = cpu.peekStack(0, s);
  if (target == InterruptFlagTarget::Vif) {
    checkVirtualFlagsImage(cpu, v);
    loadVirtualFlagsImage(cpu, v);
  } else {
    uint64_t m = mask(s);
    if (v86) m &= ~flag::IOPL;  // CPL is 3 in virtual-8086 mode
    cpu.writeFlags(v, m);
  }
  cpu.state.rflags &= ~flag::RF;
  adjustSp(cpu, s);
}

// ENTER imm16, imm8 (SDM Vol. 2A, "ENTER", Operation): nesting level mod 32,
// with 16/32/64-bit operand size and 16/32/64-bit stack width. All stores
// go through a local SP; registers are written at the end.
void handleEnter(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  unsigned w = cpu.stackAddrSize();
  uint64_t m = mask(w);
  uint64_t alloc = insn.ops[0].imm & 0xFFFF;
  unsigned level = insn.ops[0].imm2 & 31;
  uint64_t sp = cpu.gpr(RSP, w);
  uint64_t bp = cpu.gpr(RBP, w);
  sp = (sp - s) & m;
  cpu.writeMem(SS, sp, s, cpu.gpr(RBP, s));
  // FrameTemp is the whole (E/R)SP after that push (SDM), i.e. with the
  // bits above a 16-bit stack pointer kept.
  uint64_t frame = (cpu.state.gpr[RSP] & ~m) | sp;
  if (level > 0) {
    for (unsigned i = 1; i < level; ++i) {
      bp = (bp - s) & m;
      uint64_t v = cpu.readMem(SS, bp, s);
      sp = (sp - s) & m;
      cpu.writeMem(SS, sp, s, v);
    }
    sp = (sp - s) & m;
    cpu.writeMem(SS, sp, s, frame);
  }
  sp = (sp - alloc) & m;
  // The final stack pointer must lie inside SS ("#SS(0) if the new value of
  // SP is outside the stack segment limit"); checked as a write of one slot.
  cpu.checkSegmentAccess(SS, sp, s, Access::Write);
  cpu.setGpr(RBP, s, frame);
  cpu.setGpr(RSP, w, sp);
}

// LEAVE: SP <- BP, then BP <- pop (SDM "LEAVE").
void handleLeave(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  unsigned w = cpu.stackAddrSize();
  uint64_t bp = cpu.gpr(RBP, w);
  uint64_t v = cpu.readMem(SS, bp, s);
  cpu.setGpr(RSP, w, bp + s);
  cpu.setGpr(RBP, s, v);
}

// ---------------------------------------------------------------- flags <-> AH

constexpr uint64_t kAhFlags = flag::SF | flag::ZF | flag::AF | flag::PF | flag::CF;

void handleLahf(Cpu& cpu, const DecodedInsn&) {
  uint64_t ah = (cpu.state.rflags & kAhFlags) | flag::FIXED1;
  cpu.writeReg(RegId{RegClass::GprHigh, RAX}, 1, ah);
}

void handleSahf(Cpu& cpu, const DecodedInsn&) {
  uint64_t ah = cpu.readReg(RegId{RegClass::GprHigh, RAX}, 1);
  cpu.state.rflags = (cpu.state.rflags & ~kAhFlags) | (ah & kAhFlags) | flag::FIXED1;
}

// ---------------------------------------------------------------- accumulator

// CBW/CWDE/CDQE: sign-extend the lower half of the accumulator into it.
void handleCbw(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  cpu.setGpr(RAX, s, static_cast<uint64_t>(signExtend(cpu.gpr(RAX, s / 2), s / 2)));
}

// CWD/CDQ/CQO: DX/EDX/RDX <- sign of the accumulator.
void handleCwd(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.opsize;
  cpu.setGpr(RDX, s, (cpu.gpr(RAX, s) & flags::signBit(s)) ? ~0ull : 0);
}

// XLAT: AL <- seg:[(E/R)BX + AL], DS unless overridden.
void handleXlat(Cpu& cpu, const DecodedInsn& insn) {
  unsigned a = insn.addrsize;
  uint64_t ea = (cpu.gpr(RBX, a) + cpu.gpr(RAX, 1)) & mask(a);
  cpu.setGpr(RAX, 1, cpu.readMem(insn.stringSourceSeg(), ea, 1));
}

// BOUND r, m: signed lower and upper bounds at m and m+size; #BR when the
// index lies outside [lower, upper]. The register form is #UD (decoder).
void handleBound(Cpu& cpu, const DecodedInsn& insn) {
  unsigned s = insn.ops[0].size;
  const Operand& m = insn.ops[1];
  uint64_t ea = cpu.effectiveAddress(insn, m);
  cpu.checkSegmentAccess(m.seg, ea, 2 * s, Access::Read);
  int64_t lower = signExtend(cpu.readMem(m.seg, ea, s), s);
  int64_t upper = signExtend(cpu.readMem(m.seg, ea + s, s), s);
  int64_t index = signExtend(cpu.readOp(insn, 0), s);
  if (index < lower || index > upper) cpu.raise(vec::BR);
}

// NOP, multi-byte NOP (0F 1F /0 and the 0F 19..1F hint space), PAUSE and
// the PREFETCH hints: no architectural effect, no memory access.
void handleNop(Cpu&, const DecodedInsn&) {}

}  // namespace

void registerDataTransfer(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_MOV, &handleMov);
  t.set(ZYDIS_MNEMONIC_MOVZX, &handleMovzx);
  t.set(ZYDIS_MNEMONIC_MOVSX, &handleMovsx);
  t.set(ZYDIS_MNEMONIC_MOVSXD, &handleMovsx);
  t.set(ZYDIS_MNEMONIC_XCHG, &handleXchg);
  t.set(ZYDIS_MNEMONIC_LEA, &handleLea);
  t.set(ZYDIS_MNEMONIC_LDS, &handleLds);
  t.set(ZYDIS_MNEMONIC_LES, &handleLes);
  t.set(ZYDIS_MNEMONIC_LFS, &handleLfs);
  t.set(ZYDIS_MNEMONIC_LGS, &handleLgs);
  t.set(ZYDIS_MNEMONIC_LSS, &handleLss);
  t.set(ZYDIS_MNEMONIC_PUSH, &handlePush);
  t.set(ZYDIS_MNEMONIC_POP, &handlePop);
  t.set(ZYDIS_MNEMONIC_PUSHA, &handlePusha);
  t.set(ZYDIS_MNEMONIC_PUSHAD, &handlePusha);
  t.set(ZYDIS_MNEMONIC_POPA, &handlePopa);
  t.set(ZYDIS_MNEMONIC_POPAD, &handlePopa);
  t.set(ZYDIS_MNEMONIC_PUSHF, &handlePushf);
  t.set(ZYDIS_MNEMONIC_PUSHFD, &handlePushf);
  t.set(ZYDIS_MNEMONIC_PUSHFQ, &handlePushf);
  t.set(ZYDIS_MNEMONIC_POPF, &handlePopf);
  t.set(ZYDIS_MNEMONIC_POPFD, &handlePopf);
  t.set(ZYDIS_MNEMONIC_POPFQ, &handlePopf);
  t.set(ZYDIS_MNEMONIC_ENTER, &handleEnter);
  t.set(ZYDIS_MNEMONIC_LEAVE, &handleLeave);
  t.set(ZYDIS_MNEMONIC_LAHF, &handleLahf);
  t.set(ZYDIS_MNEMONIC_SAHF, &handleSahf);
  t.set(ZYDIS_MNEMONIC_CBW, &handleCbw);
  t.set(ZYDIS_MNEMONIC_CWDE, &handleCbw);
  t.set(ZYDIS_MNEMONIC_CDQE, &handleCbw);
  t.set(ZYDIS_MNEMONIC_CWD, &handleCwd);
  t.set(ZYDIS_MNEMONIC_CDQ, &handleCwd);
  t.set(ZYDIS_MNEMONIC_CQO, &handleCwd);
  t.set(ZYDIS_MNEMONIC_XLAT, &handleXlat);
  t.set(ZYDIS_MNEMONIC_BOUND, &handleBound);
  t.set(ZYDIS_MNEMONIC_NOP, &handleNop);
  t.set(ZYDIS_MNEMONIC_PAUSE, &handleNop);
  // CET is not advertised: ENDBR32/64 and RDSSPD/Q are the hint NOPs of
  // the 0F 1E space they occupy (SDM ENDBR64, RDSSPD/RDSSPQ: NOP when CET
  // is not enabled; CET-built programs such as glibc run them anyway).
  t.set(ZYDIS_MNEMONIC_ENDBR32, &handleNop);
  t.set(ZYDIS_MNEMONIC_ENDBR64, &handleNop);
  t.set(ZYDIS_MNEMONIC_RDSSPD, &handleNop);
  t.set(ZYDIS_MNEMONIC_RDSSPQ, &handleNop);
  t.set(ZYDIS_MNEMONIC_PREFETCHNTA, &handleNop);
  t.set(ZYDIS_MNEMONIC_PREFETCHT0, &handleNop);
  t.set(ZYDIS_MNEMONIC_PREFETCHT1, &handleNop);
  t.set(ZYDIS_MNEMONIC_PREFETCHT2, &handleNop);
}

}  // namespace sv
