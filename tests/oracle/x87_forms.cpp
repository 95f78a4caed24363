#include "tests/oracle/x87_forms.h"

#include <cstring>

#include "tests/oracle/undefined_flags.h"

namespace sv::oracle {

namespace {

struct Value80 {
  uint64_t sig;
  uint16_t se;
};

// Normals near 1 and across the range, zeros, denormals, infinities, NaNs.
Value80 randomFloat80(Rng& rng) {
  const uint16_t sign = rng() % 2 ? 0x8000 : 0;
  const uint64_t top = 1ull << 63;
  switch (rng() % 10) {
    case 0: return {0, sign};
    case 1: return {rng() & ~top, sign};                           // denormal
    case 2: return {top, static_cast<uint16_t>(sign | 0x7FFF)};    // infinity
    case 3: return {top | (1ull << 62) | (rng() >> 2), static_cast<uint16_t>(sign | 0x7FFF)};  // QNaN
    case 4: return {top | ((rng() >> 2) | 1), static_cast<uint16_t>(sign | 0x7FFF)};          // SNaN
    case 5: return {top | rng(), static_cast<uint16_t>(sign | (1 + rng() % 0x7FFE))};
    default: return {top | (rng() >> (rng() % 64)), static_cast<uint16_t>(sign | (0x3FFF - 40 + rng() % 80))};
  }
}

void putMem(Case& c, uint32_t t, uint64_t v, unsigned size) {
  for (unsigned i = 0; i < size && i < 8; ++i) c.mem[t + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A memory operand at a window offset holding `size` bytes of operand.
uint32_t memOperand(InsnBuilder& b, uint8_t opcode, unsigned reg_field) {
  b.opcode({opcode});
  uint32_t t = 64 + static_cast<uint32_t>(b.rng() % 96);
  b.modrmMem(reg_field, t);
  return t;
}

X87Rule arithmeticOrCompare(unsigned op) { return op == 2 || op == 3 ? X87Rule::Compare : X87Rule::Arithmetic; }

X87Rule pickInstruction(InsnBuilder& b) {
  Rng& rng = b.rng;
  Case& c = b.c;
  const unsigned i = static_cast<unsigned>(rng() % 8);
  auto reg = [&](uint8_t opcode, uint8_t modrm) { b.opcode({opcode, static_cast<uint8_t>(modrm + i)}); };
  switch (rng() % 16) {
    case 0: {  // D8/DC m32/m64 fp: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR
      const unsigned op = static_cast<unsigned>(rng() % 8);
      const bool dbl = rng() % 2;
      uint32_t t = memOperand(b, dbl ? 0xDC : 0xD8, op);
      putMem(c, t, randomBinaryFloat(rng, dbl ? 8 : 4), dbl ? 8 : 4);
      return arithmeticOrCompare(op);
    }
    case 1: {  // DA/DE m32/m16 int: FIADD ... FIDIVR
      const unsigned op = static_cast<unsigned>(rng() % 8);
      memOperand(b, rng() % 2 ? 0xDA : 0xDE, op);
      return arithmeticOrCompare(op);
    }
    case 2: {  // D8 reg: ST0 op= ST(i)
      const unsigned op = static_cast<unsigned>(rng() % 8);
      reg(0xD8, static_cast<uint8_t>(0xC0 + 8 * op));
      return arithmeticOrCompare(op);
    }
    case 3: {  // DC/DE reg: ST(i) op= ST0 (DE: and pop); DE D9 FCOMPP
      static const unsigned kOps[] = {0, 1, 4, 5, 6, 7};
      const unsigned op = kOps[rng() % 6];
      if (rng() % 8 == 0) {
        b.opcode({0xDE, 0xD9});
        return X87Rule::Compare;
      }
      reg(rng() % 2 ? 0xDC : 0xDE, static_cast<uint8_t>(0xC0 + 8 * op));
      return X87Rule::Arithmetic;
    }
    case 4:
    case 5: {  // FLD/FST/FSTP m32 m64 m80, FILD/FIST/FISTP m16 m32 m64, FBLD/FBSTP
      enum Kind : uint8_t { Float, Integer, Bcd };
      static const struct {
        uint8_t opcode, field, bytes;
        Kind kind;
      } kForms[] = {{0xD9, 0, 4, Float},   {0xD9, 2, 4, Float},   {0xD9, 3, 4, Float},   {0xDD, 0, 8, Float},
                    {0xDD, 2, 8, Float},   {0xDD, 3, 8, Float},   {0xDB, 5, 10, Float},  {0xDB, 7, 10, Float},
                    {0xDF, 0, 2, Integer}, {0xDB, 0, 4, Integer}, {0xDF, 5, 8, Integer}, {0xDF, 2, 2, Integer},
                    {0xDF, 3, 2, Integer}, {0xDB, 2, 4, Integer}, {0xDB, 3, 4, Integer}, {0xDF, 7, 8, Integer},
                    {0xDF, 4, 10, Bcd},    {0xDF, 6, 10, Bcd}};
      const auto& f = kForms[rng() % (sizeof kForms / sizeof kForms[0])];
      uint32_t t = memOperand(b, f.opcode, f.field);
      if (f.kind == Integer) {
        putMem(c, t, edgeValue(rng), f.bytes);
      } else if (f.kind == Bcd) {  // valid digits only: FBLD of others is undefined
        for (unsigned k = 0; k < 9; ++k) c.mem[t + k] = static_cast<uint8_t>((rng() % 10) << 4 | rng() % 10);
        c.mem[t + 9] = rng() % 2 ? 0x80 : 0;
      } else if (f.bytes == 10) {
        Value80 v = randomFloat80(rng);
        putMem(c, t, v.sig, 8);
        putMem(c, t + 8, v.se, 2);
      } else {
        putMem(c, t, randomBinaryFloat(rng, f.bytes), f.bytes);
      }
      return X87Rule::Arithmetic;
    }
    case 6: {  // FLD ST(i), FXCH, FST ST(i), FSTP ST(i); FFREE
      switch (rng() % 5) {
        case 0: reg(0xD9, 0xC0); return X87Rule::Arithmetic;
        case 1: reg(0xD9, 0xC8); return X87Rule::Arithmetic;
        case 2: reg(0xDD, 0xD0); return X87Rule::Arithmetic;
        case 3: reg(0xDD, 0xD8); return X87Rule::Arithmetic;
        default: reg(0xDD, 0xC0); return X87Rule::Control;
      }
    }
    case 7: {  // one-byte D9 Ex/Fx operations
      static const struct { uint8_t modrm; X87Rule rule; } kOps[] = {
          {0xE0, X87Rule::Arithmetic}, {0xE1, X87Rule::Arithmetic}, {0xE4, X87Rule::Compare},
          {0xE5, X87Rule::Compare},    {0xE8, X87Rule::Arithmetic}, {0xE9, X87Rule::Arithmetic},
          {0xEA, X87Rule::Arithmetic}, {0xEB, X87Rule::Arithmetic}, {0xEC, X87Rule::Arithmetic},
          {0xED, X87Rule::Arithmetic}, {0xEE, X87Rule::Arithmetic}, {0xF8, X87Rule::Compare},
          {0xF5, X87Rule::Compare},    {0xFD, X87Rule::Arithmetic}, {0xF4, X87Rule::Arithmetic},
          {0xFA, X87Rule::Arithmetic}, {0xFC, X87Rule::Arithmetic}, {0xF6, X87Rule::Control},
          {0xF7, X87Rule::Control}};
      const auto& op = kOps[rng() % (sizeof kOps / sizeof kOps[0])];
      b.opcode({0xD9, op.modrm});
      return op.rule;
    }
    case 8:  // FUCOMI FCOMI FUCOMIP FCOMIP
      reg(rng() % 2 ? 0xDB : 0xDF, rng() % 2 ? 0xE8 : 0xF0);
      return X87Rule::Compare;
    case 9:  // FCMOVcc
      reg(rng() % 2 ? 0xDA : 0xDB, static_cast<uint8_t>(0xC0 + 8 * (rng() % 4)));
      return X87Rule::Arithmetic;
    case 10:  // FUCOM FUCOMP ST(i), FUCOMPP
      if (rng() % 6 == 0) b.opcode({0xDA, 0xE9});
      else reg(0xDD, rng() % 2 ? 0xE0 : 0xE8);
      return X87Rule::Compare;
    case 11: {  // FLDCW m16 (any bits), FNSTCW m16
      const bool load = rng() % 2;
      uint32_t t = memOperand(b, 0xD9, load ? 5 : 7);
      if (load) putMem(c, t, rng(), 2);
      return X87Rule::Control;
    }
    case 12:  // FNSTSW AX
      b.opcode({0xDF, 0xE0});
      return X87Rule::Control;
    case 13:  // FNINIT, FNCLEX
      b.opcode({0xDB, static_cast<uint8_t>(rng() % 2 ? 0xE3 : 0xE2)});
      return X87Rule::Compare;
    default: {  // the common arithmetic again, register forms
      const unsigned op = static_cast<unsigned>(rng() % 8);
      reg(0xD8, static_cast<uint8_t>(0xC0 + 8 * op));
      return arithmeticOrCompare(op);
    }
  }
}

}  // namespace

uint32_t x87Family(InsnBuilder& b) {
  Rng& rng = b.rng;
  Case& c = b.c;
  c.fx_state = true;  // (XMM registers stay zero)
  X87Snapshot& f = c.fpu;
  // Exceptions mostly masked; precision 24/53/64 bits (01 is reserved); any rounding.
  static const uint16_t kPrecision[] = {0, 2, 3};
  const uint16_t masks = rng() % 4 == 0 ? static_cast<uint16_t>(rng() & 0x3F) : 0x3F;
  f.fcw = static_cast<uint16_t>(0x0040 | masks | (kPrecision[rng() % 3] << 8) | ((rng() % 4) << 10));
  const unsigned top = static_cast<unsigned>(rng() % 8);
  const unsigned depth = static_cast<unsigned>(rng() % 4 == 0 ? rng() % 9 : 1 + rng() % 4);
  f.fsw = static_cast<uint16_t>((top << 11) | (rng() & 0x4700));  // TOP and random C0-C3
  for (unsigned p = 0; p < 8; ++p) {
    Value80 v = randomFloat80(rng);
    f.sig[p] = v.sig;
    f.se[p] = v.se;
  }
  for (unsigned i = 0; i < depth; ++i) f.valid = static_cast<uint8_t>(f.valid | (1u << ((top + i) & 7)));
  c.fsw_mask = comparedStatus(pickInstruction(b));
  return comparedFlags(FlagRule::AllDefined, 4, 0);
}

}  // namespace sv::oracle
