// Bit tests and scans: BT, BTS, BTR, BTC, BSF, BSR, POPCNT.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

enum class BitOp { Test, Set, Reset, Complement };

// BT/BTS/BTR/BTC dest, offset (SDM Vol. 2A, "BT—Bit Test"). A register
// destination or an immediate offset selects bit (offset mod operand size).
// A memory destination with a register offset treats the offset as signed
// and addresses the operand-sized unit at EA + (offset >> log2(bits)) *
// size, so the bit string extends far beyond the operand, both ways.
// Flags: CF = the old bit; OF, SF, AF, PF are undefined and ZF is unchanged:
// both Intel and the AMD host (measured) leave them all alone.
template <BitOp kOp>
void handleBitTest(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& dst = insn.ops[0];
  unsigned size = dst.size;
  unsigned bits = size * 8;
  uint64_t offset = cpu.readOp(insn, 1);
  unsigned pos;
  uint64_t value;
  uint64_t ea = 0;
  if (dst.kind == OpKind::Mem) {
    ea = cpu.effectiveAddress(insn, dst);
    if (insn.ops[1].kind == OpKind::Reg) {
      int64_t soff = flags::signExtend(offset, size);
      int64_t units = soff >> __builtin_ctz(bits);  // floor division by bits
      ea = (ea + static_cast<uint64_t>(units) * size) & flags::mask(insn.addrsize);
    }
    pos = static_cast<unsigned>(offset & (bits - 1));
    value = cpu.readMem(dst.seg, ea, size);
  } else {
    pos = static_cast<unsigned>(offset & (bits - 1));
    value = cpu.readOp(insn, 0);
  }
  uint64_t b = 1ull << pos;
  bool old = value & b;
  if constexpr (kOp != BitOp::Test) {
    uint64_t nv = kOp == BitOp::Set ? value | b : kOp == BitOp::Reset ? value & ~b : value ^ b;
    if (dst.kind == OpKind::Mem) cpu.writeMem(dst.seg, ea, size, nv);
    else cpu.writeOp(insn, 0, nv);
  }
  flags::merge(cpu.state.rflags, old ? flag::CF : 0, flag::CF);
}

// BSF/BSR dest, src. A zero source sets ZF and leaves the destination
// unchanged (whole register, also for 32-bit operands in 64-bit mode), as
// Intel and AMD do. The other flags are undefined; the AMD host (measured)
// sets them as a logical operation on the result would (CF = OF = AF = 0,
// SF/PF from the index; for a zero source PF = 1), ZF aside.
template <bool kReverse>
void handleBitScan(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t src = cpu.readOp(insn, 1) & flags::mask(size);
  if (src == 0) {
    flags::merge(cpu.state.rflags, flag::ZF | flag::PF);
    return;
  }
  uint64_t index = kReverse ? 63 - __builtin_clzll(src) : __builtin_ctzll(src);
  cpu.writeOp(insn, 0, index);
  flags::merge(cpu.state.rflags, flags::szp(index, size) & ~flag::ZF);
}

// POPCNT: ZF = (src == 0); OF, SF, AF, CF, PF are cleared.
void handlePopcnt(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t src = cpu.readOp(insn, 1) & flags::mask(size);
  cpu.writeOp(insn, 0, static_cast<uint64_t>(__builtin_popcountll(src)));
  flags::merge(cpu.state.rflags, src == 0 ? flag::ZF : 0);
}

// LZCNT (ABM, CPUID.80000001H:ECX.LZCNT[5]): leading zero bits of the
// source, the operand width for 0. CF = (src == 0), ZF = (result == 0);
// OF is unchanged and SF, AF, PF are cleared, as the host does (the SDM
// leaves them undefined; measured on the AMD host).
void handleLzcnt(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t src = cpu.readOp(insn, 1) & flags::mask(size);
  uint64_t count = src == 0 ? size * 8 : __builtin_clzll(src) - (64 - size * 8);
  cpu.writeOp(insn, 0, count);
  uint64_t f = (src == 0 ? flag::CF : 0) | (count == 0 ? flag::ZF : 0);
  flags::merge(cpu.state.rflags, f, flag::CF | flag::ZF | flag::SF | flag::AF | flag::PF);
}

}  // namespace

void registerBitOps(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_BT, &handleBitTest<BitOp::Test>);
  t.set(ZYDIS_MNEMONIC_BTS, &handleBitTest<BitOp::Set>);
  t.set(ZYDIS_MNEMONIC_BTR, &handleBitTest<BitOp::Reset>);
  t.set(ZYDIS_MNEMONIC_BTC, &handleBitTest<BitOp::Complement>);
  t.set(ZYDIS_MNEMONIC_BSF, &handleBitScan<false>);
  t.set(ZYDIS_MNEMONIC_BSR, &handleBitScan<true>);
  // Our CPUID does not report BMI1 (its VEX instructions are not here): on
  // such a CPU F3 0F BC is BSF with an ignored REP prefix (compilers emit
  // "rep bsf" relying on exactly that), while Zydis names it TZCNT.
  t.set(ZYDIS_MNEMONIC_TZCNT, &handleBitScan<false>);
  t.set(ZYDIS_MNEMONIC_LZCNT, &handleLzcnt);
  t.set(ZYDIS_MNEMONIC_POPCNT, &handlePopcnt);
}

}  // namespace sv
