// Control transfers: JMP, Jcc, JCXZ, LOOPcc, CALL, RET, RETF, INT n/INT3/
// INTO/INT1, IRET. (ENTER/LEAVE live with the stack instructions.)
//
// Every transfer validates its target before it changes anything: a fault
// leaves the CPU as it was at the start of the instruction (values are read
// with peekStack and SP moves only once the target has been accepted).
#include <initializer_list>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

using flags::mask;


// SDM Vol. 2, JMP/CALL/RET: a near target outside the CS limit is #GP(0);
// in 64-bit mode the check is canonicality instead.
void checkTarget(Cpu& cpu, uint64_t target) {
  if (cpu.longMode()) {
    if (!isCanonical(target)) cpu.raise(vec::GP, 0);
  } else if (target > cpu.state.seg[CS].limit) {
    cpu.raise(vec::GP, 0);
  }
}

// Near target truncated to the operand size (a 16-bit JMP wraps at 64K).
uint64_t nearTarget(Cpu& cpu, const DecodedInsn& insn, uint64_t target) {
  target &= mask(insn.opsize);
  checkTarget(cpu, target);
  return target;
}

void jumpNear(Cpu& cpu, const DecodedInsn& insn, uint64_t target) {
  cpu.next_rip = nearTarget(cpu, insn, target);
}

uint64_t relTarget(const Cpu& cpu, const DecodedInsn& insn) { return cpu.next_rip + insn.ops[0].imm; }

// Moves SP by `delta` with the stack's width (SP wraps at 64K on a 16-bit stack).
void adjustSp(Cpu& cpu, uint64_t delta) {
  cpu.setGpr(RSP, cpu.stackAddrSize(), cpu.state.gpr[RSP] + delta);
}

unsigned modrmReg(const DecodedInsn& insn) { return (insn.modrm >> 3) & 7; }

struct FarPointer {
  uint64_t offset;
  uint16_t selector;
};

// ptr16:16/16:32 immediate or m16:16/m16:32/m16:64 (offset first, then the
// selector). The selector's address wraps with the address size, as the
// offset arithmetic of the effective address does.
FarPointer farOperand(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  if (op.kind == OpKind::FarPtr) return {op.imm, op.imm2};
  uint64_t ea = cpu.effectiveAddress(insn, op);
  uint64_t offset = cpu.readMem(op.seg, ea, insn.opsize);
  uint16_t selector = static_cast<uint16_t>(cpu.readMem(op.seg, (ea + insn.opsize) & mask(insn.addrsize), 2));
  return {offset, selector};
}

bool isFar(const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  if (op.kind == OpKind::FarPtr) return true;
  // FF /3 (CALL m16:xx) and FF /5 (JMP m16:xx).
  return op.kind == OpKind::Mem && insn.opcode == 0xFF && (modrmReg(insn) == 3 || modrmReg(insn) == 5);
}

// ---------------------------------------------------------------- JMP / Jcc / LOOP

void handleJmp(Cpu& cpu, const DecodedInsn& insn) {
  if (isFar(insn)) {
    FarPointer p = farOperand(cpu, insn);
    cpu.farJump(p.selector, p.offset, insn.opsize);
    return;
  }
  const Operand& op = insn.ops[0];
  uint64_t target = op.kind == OpKind::Rel ? relTarget(cpu, insn) : cpu.readOp(insn, 0);
  jumpNear(cpu, insn, target);
}

// Jcc: the condition is the low nibble of both 7x and 0F 8x.
void handleJcc(Cpu& cpu, const DecodedInsn& insn) {
  if (flags::condition(insn.opcode & 0xF, cpu.state.rflags)) jumpNear(cpu, insn, relTarget(cpu, insn));
}

// JCXZ/JECXZ/JRCXZ: the address size picks the count register.
void handleJcxz(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.gpr(RCX, insn.addrsize) == 0) jumpNear(cpu, insn, relTarget(cpu, insn));
}

// LOOP/LOOPE/LOOPNE: decrement (E)CX by the address size, flags untouched.
// The count is written only once the branch target has been accepted.
template <int kZf>  // -1: LOOP, 1: LOOPE (branch if ZF), 0: LOOPNE (branch if !ZF)
void handleLoop(Cpu& cpu, const DecodedInsn& insn) {
  uint64_t count = (cpu.gpr(RCX, insn.addrsize) - 1) & mask(insn.addrsize);
  bool take = count != 0;
  if (kZf >= 0) take = take && ((cpu.state.rflags & flag::ZF) != 0) == (kZf == 1);
  if (take) {
    uint64_t target = nearTarget(cpu, insn, relTarget(cpu, insn));
    cpu.next_rip = target;
  }
  cpu.setGpr(RCX, insn.addrsize, count);
}

// ---------------------------------------------------------------- CALL / RET

void handleCall(Cpu& cpu, const DecodedInsn& insn) {
  unsigned osz = insn.opsize;
  if (isFar(insn)) {
    FarPointer p = farOperand(cpu, insn);
    cpu.farCall(p.selector, p.offset, osz);
    return;
  }
  // The target is read (and checked) before anything is pushed: CALL [SP]
  // and CALL SP use the old stack pointer.
  const Operand& op = insn.ops[0];
  uint64_t target = op.kind == OpKind::Rel ? relTarget(cpu, insn) : cpu.readOp(insn, 0);
  target = nearTarget(cpu, insn, target);
  cpu.push(cpu.next_rip, osz);
  cpu.next_rip = target;
}

uint64_t retImmediate(const DecodedInsn& insn) {
  return insn.operand_count > 0 && insn.ops[0].kind == OpKind::Imm ? insn.ops[0].imm & 0xFFFF : 0;
}

// C3 / C2 iw: pop the return address, then release imm16 bytes of arguments.
void handleRetNear(Cpu& cpu, const DecodedInsn& insn) {
  unsigned osz = insn.opsize;
  uint64_t target = cpu.peekStack(0, osz);
  checkTarget(cpu, target);
  adjustSp(cpu, osz + retImmediate(insn));
  cpu.next_rip = target;
}

// CB / CA iw: all modes in Cpu::farReturn.
void handleRetFar(Cpu& cpu, const DecodedInsn& insn) {
  cpu.farReturn(insn.opsize, static_cast<uint16_t>(retImmediate(insn)));
}

void handleRet(Cpu& cpu, const DecodedInsn& insn) {
  // Zydis names both RET forms "ret"; the opcode tells them apart.
  if (insn.opcode == 0xCA || insn.opcode == 0xCB) handleRetFar(cpu, insn);
  else handleRetNear(cpu, insn);
}

// ---------------------------------------------------------------- INT / IRET

// CD ib.
void handleInt(Cpu& cpu, const DecodedInsn& insn) {
  // IOPL and CR4.VME rules of virtual-8086 mode live in the Cpu (SDM 20.3.3).
  cpu.interruptInstruction(static_cast<uint8_t>(insn.ops[0].imm));
}

void handleInt3(Cpu& cpu, const DecodedInsn&) { cpu.softwareInterrupt(vec::BP, EventKind::SoftwareException); }

void handleInto(Cpu& cpu, const DecodedInsn&) {
  if (cpu.state.rflags & flag::OF) cpu.softwareInterrupt(vec::OF, EventKind::SoftwareException);
}

// F1 (ICEBP): a #DB delivered like a hardware exception, not like INT 1.
void handleInt1(Cpu& cpu, const DecodedInsn&) { cpu.softwareInterrupt(vec::DB, EventKind::Icebp); }

// IRET/IRETD/IRETQ: all modes in Cpu::interruptReturn.
void handleIret(Cpu& cpu, const DecodedInsn& insn) {
  cpu.interruptReturn(insn.opsize);
  // IRET ends NMI blocking (SDM Vol. 3A, 6.7.1).
  cpu.state.nmi_blocked = 0;
}

}  // namespace

void registerControl(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_JMP, &handleJmp);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_JO, ZYDIS_MNEMONIC_JNO, ZYDIS_MNEMONIC_JB, ZYDIS_MNEMONIC_JNB,
                          ZYDIS_MNEMONIC_JZ, ZYDIS_MNEMONIC_JNZ, ZYDIS_MNEMONIC_JBE, ZYDIS_MNEMONIC_JNBE,
                          ZYDIS_MNEMONIC_JS, ZYDIS_MNEMONIC_JNS, ZYDIS_MNEMONIC_JP, ZYDIS_MNEMONIC_JNP,
                          ZYDIS_MNEMONIC_JL, ZYDIS_MNEMONIC_JNL, ZYDIS_MNEMONIC_JLE, ZYDIS_MNEMONIC_JNLE})
    t.set(m, &handleJcc);
  t.set(ZYDIS_MNEMONIC_JCXZ, &handleJcxz);
  t.set(ZYDIS_MNEMONIC_JECXZ, &handleJcxz);
  t.set(ZYDIS_MNEMONIC_JRCXZ, &handleJcxz);
  t.set(ZYDIS_MNEMONIC_LOOP, &handleLoop<-1>);
  t.set(ZYDIS_MNEMONIC_LOOPE, &handleLoop<1>);
  t.set(ZYDIS_MNEMONIC_LOOPNE, &handleLoop<0>);
  t.set(ZYDIS_MNEMONIC_CALL, &handleCall);
  t.set(ZYDIS_MNEMONIC_RET, &handleRet);
  t.set(ZYDIS_MNEMONIC_INT, &handleInt);
  t.set(ZYDIS_MNEMONIC_INT3, &handleInt3);
  t.set(ZYDIS_MNEMONIC_INTO, &handleInto);
  t.set(ZYDIS_MNEMONIC_INT1, &handleInt1);
  t.set(ZYDIS_MNEMONIC_IRET, &handleIret);
  t.set(ZYDIS_MNEMONIC_IRETD, &handleIret);
  t.set(ZYDIS_MNEMONIC_IRETQ, &handleIret);
}

}  // namespace sv
