// MUL, IMUL (one-, two- and three-operand forms), DIV, IDIV.
//
// Undefined flags (SDM Vol. 2A): MUL/IMUL leave SF, ZF, AF, PF unchanged and
// DIV/IDIV leave all six arithmetic flags unchanged. That is the P6-family
// behaviour (sandpile.org "undefined integer FLAGS behavior"); the AMD EPYC
// build host agrees for MUL/IMUL (measured), while its DIV scribbles on AF/CF.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

using u128 = unsigned __int128;
using i128 = __int128;

void setOverflow(Cpu& cpu, bool overflow) {
  flags::merge(cpu.state.rflags, overflow ? (flag::CF | flag::OF) : 0, flag::CF | flag::OF);
}

// Stores a double-width product/dividend half pair into the implicit
// registers: AX for byte operands, rDX:rAX otherwise.
void storeWide(Cpu& cpu, unsigned size, uint64_t lo, uint64_t hi) {
  if (size == 1) {
    cpu.setGpr(RAX, 2, (lo & 0xFF) | ((hi & 0xFF) << 8));
  } else {
    cpu.setGpr(RAX, size, lo);
    cpu.setGpr(RDX, size, hi);
  }
}

// The double-width implicit operand: AX, DX:AX, EDX:EAX or RDX:RAX.
u128 loadWide(const Cpu& cpu, unsigned size) {
  if (size == 1) return cpu.gpr(RAX, 2);
  return (static_cast<u128>(cpu.gpr(RDX, size)) << (size * 8)) | cpu.gpr(RAX, size);
}

// MUL r/m: rDX:rAX = rAX * src; CF = OF = (upper half != 0).
void handleMul(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  unsigned bits = size * 8;
  uint64_t src = cpu.readOp(insn, 0);
  u128 product = static_cast<u128>(cpu.gpr(RAX, size)) * src;
  uint64_t lo = static_cast<uint64_t>(product) & flags::mask(size);
  uint64_t hi = static_cast<uint64_t>(product >> bits) & flags::mask(size);
  storeWide(cpu, size, lo, hi);
  setOverflow(cpu, hi != 0);
}

// IMUL: one operand (rDX:rAX = rAX * src), two (dest *= src) or three
// (dest = src * imm; the decoder already sign-extended imm8 forms).
// CF = OF = the signed product does not fit the destination.
void handleImul(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  unsigned bits = size * 8;
  if (insn.operand_count == 1) {
    int64_t a = flags::signExtend(cpu.gpr(RAX, size), size);
    int64_t b = flags::signExtend(cpu.readOp(insn, 0), size);
    i128 product = static_cast<i128>(a) * b;
    uint64_t lo = static_cast<uint64_t>(product) & flags::mask(size);
    uint64_t hi = static_cast<uint64_t>(product >> bits) & flags::mask(size);
    storeWide(cpu, size, lo, hi);
    setOverflow(cpu, product != static_cast<i128>(flags::signExtend(lo, size)));
    return;
  }
  unsigned a_index = insn.operand_count == 2 ? 0 : 1;
  int64_t a = flags::signExtend(cpu.readOp(insn, a_index), size);
  int64_t b = flags::signExtend(cpu.readOp(insn, a_index + 1), size);
  i128 product = static_cast<i128>(a) * b;
  uint64_t lo = static_cast<uint64_t>(product) & flags::mask(size);
  cpu.writeOp(insn, 0, lo);
  setOverflow(cpu, product != static_cast<i128>(flags::signExtend(lo, size)));
}

// DIV r/m: unsigned rDX:rAX / src -> quotient in rAX, remainder in rDX (AL/AH
// for bytes). #DE on a zero divisor or a quotient that does not fit.
void handleDiv(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  uint64_t divisor = cpu.readOp(insn, 0);
  if (divisor == 0) cpu.raise(vec::DE);
  u128 dividend = loadWide(cpu, size);
  u128 quotient = dividend / divisor;
  if (quotient > flags::mask(size)) cpu.raise(vec::DE);
  uint64_t remainder = static_cast<uint64_t>(dividend % divisor);
  storeWide(cpu, size, static_cast<uint64_t>(quotient), remainder);
}

// IDIV r/m: signed division truncating toward zero; the remainder takes the
// dividend's sign. #DE on a zero divisor or a quotient outside the signed
// range. The most negative quotient (-128, -32768, ...) is in range: unlike
// the 8086, the 286 and later do not fault on it.
void handleIdiv(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  unsigned bits = size * 8;
  int64_t divisor = flags::signExtend(cpu.readOp(insn, 0), size);
  if (divisor == 0) cpu.raise(vec::DE);
  u128 raw = loadWide(cpu, size);
  // Sign-extend the 2*bits-wide dividend to 128 bits.
  i128 dividend = static_cast<i128>(raw << (128 - 2 * bits)) >> (128 - 2 * bits);
  // The one quotient 128-bit arithmetic cannot represent (INT128_MIN / -1)
  // is far out of range anyway.
  if (bits == 64 && divisor == -1 && raw == (static_cast<u128>(1) << 127)) cpu.raise(vec::DE);
  i128 quotient = dividend / divisor;
  i128 remainder = dividend % divisor;
  i128 qmax = (static_cast<i128>(1) << (bits - 1)) - 1;
  if (quotient > qmax || quotient < -qmax - 1) cpu.raise(vec::DE);
  storeWide(cpu, size, static_cast<uint64_t>(quotient) & flags::mask(size),
            static_cast<uint64_t>(remainder) & flags::mask(size));
}

}  // namespace

void registerMulDiv(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_MUL, &handleMul);
  t.set(ZYDIS_MNEMONIC_IMUL, &handleImul);
  t.set(ZYDIS_MNEMONIC_DIV, &handleDiv);
  t.set(ZYDIS_MNEMONIC_IDIV, &handleIdiv);
}

}  // namespace sv
