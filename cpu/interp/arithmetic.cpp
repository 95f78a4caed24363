// Integer arithmetic: ADD/ADC/SUB/SBB/CMP, INC/DEC, NEG, XADD, CMPXCHG,
// CMPXCHG8B/16B. MUL/IMUL/DIV/IDIV live in muldiv.cpp, the BCD adjustments
// in bcd.cpp; both register from here.
//
// LOCK: the interpreter runs one vCPU at a time, so a locked read-modify-write
// is atomic by construction; the decoder has already turned illegal LOCK uses
// into #UD.
//
// Every handler reads its operands and performs the (fault-able) memory write
// before it touches a register or RFLAGS, so a fault leaves the state as it
// was at the start of the instruction.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

void registerMulDiv(HandlerTable& t);  // muldiv.cpp
void registerBcd(HandlerTable& t);     // bcd.cpp

namespace {

void setArithFlags(Cpu& cpu, uint64_t computed, uint64_t which = flag::ARITH) {
  flags::merge(cpu.state.rflags, computed, which);
}

uint64_t carryIn(const Cpu& cpu) { return (cpu.state.rflags & flag::CF) ? 1 : 0; }

enum class Alu { Add, Adc, Sub, Sbb, Cmp };

// dest = dest OP src (CMP: flags only). The decoder has already
// sign-extended imm8 forms (83 /r) to the operand size.
template <Alu kOp>
void handleAlu(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t a = cpu.readOp(insn, 0);
  uint64_t b = cpu.readOp(insn, 1);
  uint64_t c = (kOp == Alu::Adc || kOp == Alu::Sbb) ? carryIn(cpu) : 0;
  uint64_t result, f;
  if constexpr (kOp == Alu::Add || kOp == Alu::Adc) {
    result = a + b + c;
    f = flags::add(a, b, c, size);
  } else {
    result = a - b - c;
    f = flags::sub(a, b, c, size);
  }
  if constexpr (kOp != Alu::Cmp) cpu.writeOp(insn, 0, result & flags::mask(size));
  setArithFlags(cpu, f);
}

// INC/DEC leave CF alone (SDM Vol. 2A, "INC"/"DEC").
template <bool kInc>
void handleIncDec(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t a = cpu.readOp(insn, 0);
  uint64_t result = kInc ? a + 1 : a - 1;
  uint64_t f = kInc ? flags::add(a, 1, 0, size) : flags::sub(a, 1, 0, size);
  cpu.writeOp(insn, 0, result & flags::mask(size));
  setArithFlags(cpu, f, flag::ARITH & ~flag::CF);
}

// NEG is 0 - dest: CF = (dest != 0), OF for the most negative value.
void handleNeg(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t a = cpu.readOp(insn, 0);
  cpu.writeOp(insn, 0, (0 - a) & flags::mask(size));
  setArithFlags(cpu, flags::sub(0, a, 0, size));
}

// XADD dest, src: TEMP = dest + src; src = dest; dest = TEMP (SDM order, so
// XADD r, r with the same register leaves the sum).
void handleXadd(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t d = cpu.readOp(insn, 0);
  uint64_t s = cpu.readOp(insn, 1);
  uint64_t sum = (d + s) & flags::mask(size);
  if (insn.ops[0].kind == OpKind::Mem) {
    cpu.writeOp(insn, 0, sum);  // the only fault-able write goes first
    cpu.writeOp(insn, 1, d);
  } else {
    cpu.writeOp(insn, 1, d);
    cpu.writeOp(insn, 0, sum);
  }
  setArithFlags(cpu, flags::add(d, s, 0, size));
}

// CMPXCHG dest, src: flags of CMP accumulator, dest. Equal: dest = src.
// Otherwise the accumulator gets dest, and a memory dest is written back with
// its own value (SDM Vol. 2A, "CMPXCHG": the processor always writes the
// destination), so a read-only destination faults either way. A register
// dest is left alone on failure: a 32-bit one keeps its upper half in 64-bit
// mode (measured on the host; Intel and AMD agree), and only the register
// actually written is zero-extended.
void handleCmpxchg(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t d = cpu.readOp(insn, 0);
  uint64_t s = cpu.readOp(insn, 1);
  uint64_t acc = cpu.gpr(RAX, size);
  uint64_t f = flags::sub(acc, d, 0, size);
  if (acc == d) {
    cpu.writeOp(insn, 0, s);
  } else {
    if (insn.ops[0].kind == OpKind::Mem) cpu.writeOp(insn, 0, d);
    cpu.setGpr(RAX, size, d);
  }
  setArithFlags(cpu, f);
}

// CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): compares rDX:rAX with the memory
// operand; equal: memory = rCX:rBX, ZF = 1; else rDX:rAX = memory, ZF = 0.
// Only ZF changes. CMPXCHG16B needs a 16-byte aligned operand (#GP(0)).
void handleCmpxchgWide(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  if (op.kind != OpKind::Mem) cpu.raise(vec::UD);
  unsigned half = insn.mnemonic == ZYDIS_MNEMONIC_CMPXCHG16B ? 8 : 4;
  uint64_t ea = cpu.effectiveAddress(insn, op);
  uint64_t amask = flags::mask(insn.addrsize);
  uint64_t ea_hi = (ea + half) & amask;
  if (half == 8 && ((cpu.segmentBase(op.seg) + ea) & 15)) cpu.raise(vec::GP, 0);
  // The operand is written in both outcomes: check both halves for writing
  // before anything changes.
  cpu.checkSegmentAccess(op.seg, ea, half, Access::Write);
  cpu.checkSegmentAccess(op.seg, ea_hi, half, Access::Write);
  uint64_t lo = cpu.readMem(op.seg, ea, half);
  uint64_t hi = cpu.readMem(op.seg, ea_hi, half);
  bool equal = lo == cpu.gpr(RAX, half) && hi == cpu.gpr(RDX, half);
  uint64_t new_lo = equal ? cpu.gpr(RBX, half) : lo;
  uint64_t new_hi = equal ? cpu.gpr(RCX, half) : hi;
  cpu.writeMem(op.seg, ea, half, new_lo);
  cpu.writeMem(op.seg, ea_hi, half, new_hi);
  if (!equal) {
    cpu.setGpr(RAX, half, lo);
    cpu.setGpr(RDX, half, hi);
  }
  flags::merge(cpu.state.rflags, equal ? flag::ZF : 0, flag::ZF);
}

}  // namespace

void registerArithmetic(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_ADD, &handleAlu<Alu::Add>);
  t.set(ZYDIS_MNEMONIC_ADC, &handleAlu<Alu::Adc>);
  t.set(ZYDIS_MNEMONIC_SUB, &handleAlu<Alu::Sub>);
  t.set(ZYDIS_MNEMONIC_SBB, &handleAlu<Alu::Sbb>);
  t.set(ZYDIS_MNEMONIC_CMP, &handleAlu<Alu::Cmp>);
  t.set(ZYDIS_MNEMONIC_INC, &handleIncDec<true>);
  t.set(ZYDIS_MNEMONIC_DEC, &handleIncDec<false>);
  t.set(ZYDIS_MNEMONIC_NEG, &handleNeg);
  t.set(ZYDIS_MNEMONIC_XADD, &handleXadd);
  t.set(ZYDIS_MNEMONIC_CMPXCHG, &handleCmpxchg);
  t.set(ZYDIS_MNEMONIC_CMPXCHG8B, &handleCmpxchgWide);
  t.set(ZYDIS_MNEMONIC_CMPXCHG16B, &handleCmpxchgWide);
  registerMulDiv(t);
  registerBcd(t);
}

}  // namespace sv
