// Arithmetic flag computation shared by the interpreter (and by the JIT's
// helpers where it does not use the host's flags). Results are the full set of
// the six arithmetic flags; callers merge them into RFLAGS.
#pragma once

#include <cstdint>

#include "cpu/cpu_state.h"

namespace sv::flags {

constexpr uint64_t mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
constexpr uint64_t signBit(unsigned size) { return 1ull << (size * 8 - 1); }
constexpr int64_t signExtend(uint64_t v, unsigned size) {
  unsigned shift = 64 - size * 8;
  return static_cast<int64_t>(v << shift) >> shift;
}

// PF reflects the low byte only (SDM Vol. 1, 3.4.3.1).
constexpr uint64_t parity(uint64_t v) { return (__builtin_popcount(static_cast<uint8_t>(v)) & 1) ? 0 : flag::PF; }

// SF, ZF, PF of a result.
constexpr uint64_t szp(uint64_t result, unsigned size) {
  result &= mask(size);
  return (result == 0 ? flag::ZF : 0) | ((result & signBit(size)) ? flag::SF : 0) | parity(result);
}

// a + b + carry_in
constexpr uint64_t add(uint64_t a, uint64_t b, uint64_t carry_in, unsigned size) {
  uint64_t m = mask(size);
  a &= m;
  b &= m;
  uint64_t r = (a + b + carry_in) & m;
  bool cf = size >= 8 ? (r < a || (carry_in && r == a)) : ((a + b + carry_in) >> (size * 8)) != 0;
  uint64_t f = szp(r, size);
  if (cf) f |= flag::CF;
  if ((a ^ r) & (b ^ r) & signBit(size)) f |= flag::OF;
  if ((a ^ b ^ r) & 0x10) f |= flag::AF;
  return f;
}

// a - b - borrow_in
constexpr uint64_t sub(uint64_t a, uint64_t b, uint64_t borrow_in, unsigned size) {
  uint64_t m = mask(size);
  a &= m;
  b &= m;
  uint64_t r = (a - b - borrow_in) & m;
  bool cf = a < b || (borrow_in && a == b);
  uint64_t f = szp(r, size);
  if (cf) f |= flag::CF;
  if ((a ^ b) & (a ^ r) & signBit(size)) f |= flag::OF;
  if ((a ^ b ^ r) & 0x10) f |= flag::AF;
  return f;
}

// AND/OR/XOR/TEST: CF = OF = 0; AF is undefined, modern Intel CPUs clear it.
constexpr uint64_t logic(uint64_t result, unsigned size) { return szp(result, size); }

// Condition codes in x86 encoding order (the low nibble of Jcc/SETcc/CMOVcc
// opcodes): O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G.
constexpr bool condition(unsigned cc, uint64_t rf) {
  bool r;
  switch ((cc >> 1) & 7) {
    case 0: r = rf & flag::OF; break;
    case 1: r = rf & flag::CF; break;
    case 2: r = rf & flag::ZF; break;
    case 3: r = (rf & flag::CF) || (rf & flag::ZF); break;
    case 4: r = rf & flag::SF; break;
    case 5: r = rf & flag::PF; break;
    case 6: r = !(rf & flag::SF) != !(rf & flag::OF); break;
    default: r = (rf & flag::ZF) || (!(rf & flag::SF) != !(rf & flag::OF)); break;
  }
  return (cc & 1) ? !r : r;
}

// Merge freshly computed arithmetic flags into RFLAGS, touching only `which`.
inline void merge(uint64_t& rflags, uint64_t computed, uint64_t which = flag::ARITH) {
  rflags = (rflags & ~which) | (computed & which);
}

}  // namespace sv::flags
