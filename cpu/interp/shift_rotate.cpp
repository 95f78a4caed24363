// Shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD, SHRD
// (SDM Vol. 2B, "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD").
//
// Counts are masked to 5 bits (6 with a 64-bit operand); a masked count of 0
// changes nothing, not even flags. Where the SDM leaves a flag undefined we
// follow the build host (AMD EPYC), measured with native code:
//  - OF for counts other than 1 uses the count-1 formula on the final
//    values: SHL/RCL/ROL: CF ^ MSB(result); SHR/RCR/ROR, SHRD: MSB(result) ^
//    next bit; SAR: 0.
//  - AF is set by every shift (SHL/SHR/SAR/SHLD/SHRD) with a non-zero count.
//  - RCL/RCR whose count is a non-zero multiple of 9 (17 for words) rotate
//    nothing but still compute OF from the unchanged value and CF.
//  - 16-bit SHLD/SHRD with a count above 16 (result undefined): see below.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

using u128 = unsigned __int128;

enum class Shift { Rol, Ror, Rcl, Rcr, Shl, Shr, Sar };

unsigned maskedCount(uint64_t raw, unsigned size) { return static_cast<unsigned>(raw & (size == 8 ? 0x3F : 0x1F)); }

// A zero count still writes a 32-bit register destination, so its upper half
// is cleared in 64-bit mode as on hardware.
void zeroCount(Cpu& cpu, const DecodedInsn& insn, uint64_t value) {
  if (insn.ops[0].kind == OpKind::Reg && insn.ops[0].size == 4) cpu.writeOp(insn, 0, value);
}

uint64_t bit(uint64_t v, unsigned n) { return (v >> n) & 1; }

template <Shift kOp>
void handleShift(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  unsigned bits = size * 8;
  uint64_t m = flags::mask(size);
  uint64_t v = cpu.readOp(insn, 0);
  // D0/D1 forms have an implicit count of 1 (Zydis may or may not show it).
  unsigned count = maskedCount(insn.operand_count > 1 ? cpu.readOp(insn, 1) : 1, size);
  if (count == 0) return zeroCount(cpu, insn, v);

  uint64_t result;
  uint64_t cf, of;
  bool rotate = false;
  switch (kOp) {
    case Shift::Rol: {
      unsigned r = count % bits;
      result = r ? ((v << r) | (v >> (bits - r))) & m : v;
      cf = result & 1;
      of = cf ^ bit(result, bits - 1);
      rotate = true;
      break;
    }
    case Shift::Ror: {
      unsigned r = count % bits;
      result = r ? ((v >> r) | (v << (bits - r))) & m : v;
      cf = bit(result, bits - 1);
      of = cf ^ bit(result, bits - 2);
      rotate = true;
      break;
    }
    case Shift::Rcl:
    case Shift::Rcr: {
      // Rotate the (bits+1)-bit value CF:dest.
      unsigned width = bits + 1;
      unsigned r = count % width;
      u128 wmask = (static_cast<u128>(1) << width) - 1;
      u128 x = (static_cast<u128>(cpu.state.rflags & flag::CF) << bits) | v;
      if (r) {
        x = kOp == Shift::Rcl ? ((x << r) | (x >> (width - r))) : ((x >> r) | (x << (width - r)));
        x &= wmask;
      }
      result = static_cast<uint64_t>(x) & m;
      cf = static_cast<uint64_t>(x >> bits) & 1;
      of = kOp == Shift::Rcl ? cf ^ bit(result, bits - 1) : bit(result, bits - 1) ^ bit(result, bits - 2);
      rotate = true;
      break;
    }
    case Shift::Shl:
      result = count < bits ? (v << count) & m : 0;
      cf = count <= bits ? bit(v, bits - count) : 0;
      of = cf ^ bit(result, bits - 1);
      break;
    case Shift::Shr:
      result = count < bits ? v >> count : 0;
      cf = count <= bits ? bit(v, count - 1) : 0;
      of = bit(result, bits - 1) ^ bit(result, bits - 2);
      break;
    default: {  // Sar: counts up to 63 fit int64_t arithmetic shifts
      int64_t sv = flags::signExtend(v, size);
      result = static_cast<uint64_t>(sv >> count) & m;
      cf = static_cast<uint64_t>(sv >> (count - 1)) & 1;
      of = 0;
      break;
    }
  }
  cpu.writeOp(insn, 0, result);
  uint64_t f = (cf ? flag::CF : 0) | (of ? flag::OF : 0);
  if (rotate) {
    flags::merge(cpu.state.rflags, f, flag::CF | flag::OF);
  } else {
    flags::merge(cpu.state.rflags, f | flags::szp(result, size) | flag::AF);  // AF: host-measured
  }
}

// SHLD dest, src, count: dest = high half of (dest:src) << count.
// SHRD dest, src, count: dest = low half of (src:dest) >> count.
// 16-bit forms with counts 17..31 (undefined in the SDM) follow the host,
// which agrees with Bochs' P6 model for the result: the value shifted is
// dest:src:src (SHLD) or src:src:dest (SHRD); CF = 0 then, and OF is 0 for
// SHLD (SHLD by exactly 16 gives OF = CF) and the usual formula for SHRD.
template <bool kLeft>
void handleDoubleShift(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  unsigned bits = size * 8;
  uint64_t m = flags::mask(size);
  uint64_t d = cpu.readOp(insn, 0);
  uint64_t s = cpu.readOp(insn, 1);
  unsigned c = maskedCount(cpu.readOp(insn, 2), size);
  if (c == 0) return zeroCount(cpu, insn, d);

  uint64_t result, cf, of;
  if (size == 2) {
    if (kLeft) {
      uint64_t x = (d << 32) | (s << 16) | s;
      result = ((x << c) >> 32) & 0xFFFF;
      cf = c <= 16 ? bit(d, 16 - c) : 0;
      of = c < 16 ? cf ^ bit(result, 15) : (c == 16 ? cf : 0);
    } else {
      uint64_t x = (s << 32) | (s << 16) | d;
      result = (x >> c) & 0xFFFF;
      cf = c <= 16 ? bit(d, c - 1) : 0;
      of = bit(result, 15) ^ bit(result, 14);
    }
  } else if (kLeft) {
    u128 x = (static_cast<u128>(d) << bits) | s;
    result = static_cast<uint64_t>((x << c) >> bits) & m;
    cf = bit(d, bits - c);
    of = cf ^ bit(result, bits - 1);
  } else {
    u128 x = (static_cast<u128>(s) << bits) | d;
    result = static_cast<uint64_t>(x >> c) & m;
    cf = bit(d, c - 1);
    of = bit(result, bits - 1) ^ bit(result, bits - 2);
  }
  cpu.writeOp(insn, 0, result);
  uint64_t f = (cf ? flag::CF : 0) | (of ? flag::OF : 0) | flags::szp(result, size) | flag::AF;  // AF: host-measured
  flags::merge(cpu.state.rflags, f);
}

}  // namespace

void registerShiftRotate(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_ROL, &handleShift<Shift::Rol>);
  t.set(ZYDIS_MNEMONIC_ROR, &handleShift<Shift::Ror>);
  t.set(ZYDIS_MNEMONIC_RCL, &handleShift<Shift::Rcl>);
  t.set(ZYDIS_MNEMONIC_RCR, &handleShift<Shift::Rcr>);
  t.set(ZYDIS_MNEMONIC_SHL, &handleShift<Shift::Shl>);  // also SAL (D0 /4 and /6)
  t.set(ZYDIS_MNEMONIC_SHR, &handleShift<Shift::Shr>);
  t.set(ZYDIS_MNEMONIC_SAR, &handleShift<Shift::Sar>);
  t.set(ZYDIS_MNEMONIC_SHLD, &handleDoubleShift<true>);
  t.set(ZYDIS_MNEMONIC_SHRD, &handleDoubleShift<false>);
}

}  // namespace sv
