// Logical operations: AND/OR/XOR/NOT/TEST, SETcc, CMOVcc, BSWAP. Shifts and
// rotates live in shift_rotate.cpp, bit tests and scans in bit_ops.cpp; both
// register from here.
#include <initializer_list>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

void registerShiftRotate(HandlerTable& t);  // shift_rotate.cpp
void registerBitOps(HandlerTable& t);       // bit_ops.cpp

namespace {

enum class Logic { And, Or, Xor, Test };

// dest = dest OP src; CF = OF = 0, SZP from the result, AF = 0 (undefined
// in the SDM; Intel and the AMD host both clear it).
template <Logic kOp>
void handleLogic(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t a = cpu.readOp(insn, 0);
  uint64_t b = cpu.readOp(insn, 1);
  uint64_t r;
  if constexpr (kOp == Logic::Or) r = a | b;
  else if constexpr (kOp == Logic::Xor) r = a ^ b;
  else r = a & b;
  if constexpr (kOp != Logic::Test) cpu.writeOp(insn, 0, r & flags::mask(size));
  flags::merge(cpu.state.rflags, flags::logic(r, size));
}

// NOT changes no flags.
void handleNot(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  cpu.writeOp(insn, 0, ~cpu.readOp(insn, 0) & flags::mask(size));
}

// SETcc r/m8 (0F 90..9F): the condition is the opcode's low nibble.
void handleSetcc(Cpu& cpu, const DecodedInsn& insn) {
  cpu.writeOp(insn, 0, flags::condition(insn.opcode & 0xF, cpu.state.rflags) ? 1 : 0);
}

// CMOVcc r, r/m (0F 40..4F). The source is read whatever the condition (a
// memory source faults even when nothing moves), and a 32-bit destination
// is written either way, so its upper half is cleared in 64-bit mode
// (SDM Vol. 2A, "CMOVcc").
void handleCmovcc(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t src = cpu.readOp(insn, 1);
  if (flags::condition(insn.opcode & 0xF, cpu.state.rflags)) cpu.writeOp(insn, 0, src);
  else if (size == 4) cpu.writeOp(insn, 0, cpu.readOp(insn, 0));
}

// BSWAP r32/r64. With a 16-bit operand the SDM leaves the result undefined;
// Intel and the AMD host (measured) both clear the low 16 bits.
void handleBswap(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t v = cpu.readOp(insn, 0);
  uint64_t r;
  switch (size) {
    case 2: r = 0; break;
    case 4: r = __builtin_bswap32(static_cast<uint32_t>(v)); break;
    default: r = __builtin_bswap64(v); break;
  }
  cpu.writeOp(insn, 0, r);
}

}  // namespace

void registerLogic(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_AND, &handleLogic<Logic::And>);
  t.set(ZYDIS_MNEMONIC_OR, &handleLogic<Logic::Or>);
  t.set(ZYDIS_MNEMONIC_XOR, &handleLogic<Logic::Xor>);
  t.set(ZYDIS_MNEMONIC_TEST, &handleLogic<Logic::Test>);
  t.set(ZYDIS_MNEMONIC_NOT, &handleNot);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETNO, ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETNB,
                          ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_SETNZ, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETNBE,
                          ZYDIS_MNEMONIC_SETS, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETNP,
                          ZYDIS_MNEMONIC_SETL, ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNLE})
    t.set(m, &handleSetcc);
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
                          ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
                          ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
                          ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE})
    t.set(m, &handleCmovcc);
  t.set(ZYDIS_MNEMONIC_BSWAP, &handleBswap);
  registerShiftRotate(t);
  registerBitOps(t);
}

}  // namespace sv
