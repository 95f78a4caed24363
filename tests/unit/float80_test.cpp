// Bit-exact comparison of the software x87 arithmetic (cpu/x87/float80) with
// the host's x87 unit, which is the oracle: the host is x86-64, so its FPU
// implements exactly the semantics we emulate. Each case loads operands with
// FLD m80 (which never signals), runs the operation under a given control
// word with all exceptions masked, and compares the result bits, the
// exception flags and C1.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <random>

#include "cpu/x87/float80.h"

using namespace sv::x87;

#if defined(__x86_64__) || defined(__i386__)
namespace {

struct alignas(16) M80 {
  uint64_t sig;
  uint16_t se;
  uint16_t pad[3];
};

constexpr uint16_t kFlagMask = fsw::kExceptions | fsw::C1;

enum Op { Add, Sub, Mul, Div, Sqrt, Rndint, Fcom, Fucom, Ist16, Ist32, Ist64, Istt16, Istt32, Istt64,
          St32, St64, Ld32, Ld64, Scale, Prem, Prem1, Xtract };

// Runs `op` on the host FPU; returns the status word (exceptions and C1).
uint16_t host(Op op, Float80 a, Float80 b, uint16_t cw, Float80& r, uint64_t& ir) {
  M80 ma{a.sig, a.se, {}}, mb{b.sig, b.se, {}}, mr{};
  uint16_t sw = 0;
  uint64_t out = 0;
  uint64_t in = a.sig;  // memory-format loads take their bits from a.sig
#define BIN(bytes)                                                                          \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fldt %[b]\n .byte " bytes               \
               "\n fnstsw %[sw]\n fstpt %[r]\n fninit"                                      \
               : [r] "=m"(mr), [sw] "=m"(sw)                                                \
               : [cw] "m"(cw), [a] "m"(ma), [b] "m"(mb)                                     \
               : "memory", "st", "st(1)")
#define UN(insn)                                                                            \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[a]\n " insn "\n fnstsw %[sw]\n fstpt %[r]\n fninit" \
               : [r] "=m"(mr), [sw] "=m"(sw)                                                \
               : [cw] "m"(cw), [a] "m"(ma)                                                  \
               : "memory", "st")
#define CMP(bytes)                                                                          \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n .byte " bytes               \
               "\n fnstsw %[sw]\n fninit"                                                   \
               : [sw] "=m"(sw)                                                              \
               : [cw] "m"(cw), [a] "m"(ma), [b] "m"(mb)                                     \
               : "memory", "st", "st(1)")
#define ST1(insn)                                                                           \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[b]\n fldt %[a]\n " insn                  \
               "\n fnstsw %[sw]\n fstpt %[r]\n fninit"                                    \
               : [r] "=m"(mr), [sw] "=m"(sw)                                                \
               : [cw] "m"(cw), [a] "m"(ma), [b] "m"(mb)                                     \
               : "memory", "st", "st(1)")
#define STO(insn)                                                                           \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[a]\n " insn " %[o]\n fnstsw %[sw]\n fninit"  \
               : [o] "=m"(out), [sw] "=m"(sw)                                               \
               : [cw] "m"(cw), [a] "m"(ma)                                                  \
               : "memory", "st")
#define LDM(insn)                                                                           \
  asm volatile("fninit\n fldcw %[cw]\n " insn " %[i]\n fnstsw %[sw]\n fstpt %[r]\n fninit" \
               : [r] "=m"(mr), [sw] "=m"(sw)                                                \
               : [cw] "m"(cw), [i] "m"(in)                                                  \
               : "memory", "st")
  switch (op) {
    case Add: BIN("0xde,0xc1"); break;
    case Sub: BIN("0xde,0xe9"); break;
    case Mul: BIN("0xde,0xc9"); break;
    case Div: BIN("0xde,0xf9"); break;
    case Sqrt: UN("fsqrt"); break;
    case Rndint: UN("frndint"); break;
    case Fcom: CMP("0xd8,0xd9"); break;
    case Fucom: CMP("0xdd,0xe9"); break;
    case Ist16: STO("fistps"); break;
    case Ist32: STO("fistpl"); break;
    case Ist64: STO("fistpll"); break;
    case Istt16: STO("fisttps"); break;
    case Istt32: STO("fisttpl"); break;
    case Istt64: STO("fisttpll"); break;
    case St32: STO("fstps"); break;
    case St64: STO("fstpl"); break;
    case Ld32: LDM("flds"); break;
    case Ld64: LDM("fldl"); break;
    case Scale: ST1("fscale"); break;
    case Prem: ST1("fprem"); break;
    case Prem1: ST1("fprem1"); break;
    case Xtract: {
      M80 me{};
      asm volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fxtract\n fnstsw %[sw]\n fstpt %[r]\n fstpt %[e]\n fninit"
                   : [r] "=m"(mr), [e] "=m"(me), [sw] "=m"(sw)
                   : [cw] "m"(cw), [a] "m"(ma)
                   : "memory", "st", "st(1)");
      out = me.sig * 31 + me.se;
      break;
    }
  }
#undef BIN
#undef UN
#undef CMP
#undef STO
#undef ST1
#undef LDM
  r = Float80{mr.sig, mr.se};
  ir = out;
  return sw;
}

// The same through the software implementation; returns flags like host().
uint16_t soft(Op op, Float80 a, Float80 b, uint16_t cw, Float80& r, uint64_t& ir) {
  FpEnv env;
  env.fcw = cw;
  r = Float80{};
  ir = 0;
  int64_t i = 0;
  uint32_t f32 = 0;
  uint64_t f64 = 0;
  switch (op) {
    case Add: r = add(a, b, env); break;
    case Sub: r = sub(a, b, env); break;
    case Mul: r = mul(a, b, env); break;
    case Div: r = div(a, b, env); break;
    case Sqrt: r = sqrt(a, env); break;
    case Rndint: r = roundToInt(a, env); break;
    case Fcom:
    case Fucom: {
      uint16_t cc = conditionCodes(compare(a, b, env, op == Fucom));
      return static_cast<uint16_t>((env.flags & kFlagMask) | cc);
    }
    case Ist16: toInt(a, 2, false, env, i); ir = static_cast<uint16_t>(i); break;
    case Ist32: toInt(a, 4, false, env, i); ir = static_cast<uint32_t>(i); break;
    case Ist64: toInt(a, 8, false, env, i); ir = static_cast<uint64_t>(i); break;
    case Istt16: toInt(a, 2, true, env, i); ir = static_cast<uint16_t>(i); break;
    case Istt32: toInt(a, 4, true, env, i); ir = static_cast<uint32_t>(i); break;
    case Istt64: toInt(a, 8, true, env, i); ir = static_cast<uint64_t>(i); break;
    case St32: toFloat32(a, env, f32); ir = f32; break;
    case St64: toFloat64(a, env, f64); ir = f64; break;
    case Ld32: r = fromFloat32(static_cast<uint32_t>(a.sig), env); break;
    case Ld64: r = fromFloat64(a.sig, env); break;
    case Scale: r = scale(a, b, env); break;
    case Prem:
    case Prem1: {
      bool partial;
      unsigned q;
      r = remainder(a, b, op == Prem1, env, partial, q);
      uint16_t cc = partial ? fsw::C2 : 0;
      if (!partial && !isNaN(r)) {
        cc |= (q & 4) ? fsw::C0 : 0;
        cc |= (q & 2) ? fsw::C3 : 0;
        cc |= (q & 1) ? fsw::C1 : 0;
      }
      return static_cast<uint16_t>((env.flags & fsw::kExceptions) | cc);
    }
    case Xtract: {
      Float80 e;
      extract(a, env, e, r);
      ir = e.sig * 31 + e.se;
      break;
    }
  }
  return env.flags & kFlagMask;
}

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(uint64_t seed) : rng(seed) {}
  uint64_t bits() { return rng(); }
  unsigned below(unsigned n) { return static_cast<unsigned>(rng() % n); }

  // Significands with long runs of equal bits hit rounding ties and carries.
  uint64_t significand() {
    switch (below(6)) {
      case 0: return ~0ull << below(64);
      case 1: return (1ull << 63) | (bits() & ((1ull << below(64)) - 1));
      case 2: {
        uint64_t v = bits();
        unsigned pos = below(64);
        return v | (~0ull >> pos);
      }
      case 3: {
        uint64_t v = bits();
        unsigned pos = below(64);
        return pos ? v & (~0ull << pos) : v;
      }
      default: return bits();
    }
  }
  Float80 value(int nearExp = -1) {
    uint16_t sign = (bits() & 1) ? 0x8000 : 0;
    unsigned k = below(100);
    uint64_t sig = significand() | (1ull << 63);
    if (k < 4) return Float80{0, sign};
    if (k < 7) return Float80{1ull << 63, static_cast<uint16_t>(sign | 0x7FFF)};
    if (k < 10) return Float80{sig | (1ull << 62), static_cast<uint16_t>(sign | 0x7FFF)};  // QNaN
    if (k < 12) {
      uint64_t s = (sig & ~(1ull << 62)) | 1;
      return Float80{s, static_cast<uint16_t>(sign | 0x7FFF)};  // SNaN
    }
    if (k < 18) return Float80{sig >> (1 + below(63)), sign};  // denormal
    if (k < 19) return Float80{sig, sign};                     // pseudo-denormal
    if (k < 20) return Float80{sig >> 1, static_cast<uint16_t>(sign | (1 + below(0x7FFE)))};  // unnormal
    if (k < 21) return Float80{sig >> 1, static_cast<uint16_t>(sign | 0x7FFF)};  // pseudo-NaN/inf
    int e;
    if (k < 28) e = 1 + static_cast<int>(below(80));
    else if (k < 35) e = 0x7FFE - static_cast<int>(below(80));
    else if (nearExp >= 0 && k < 80) e = nearExp + static_cast<int>(below(141)) - 70;
    else e = 0x3FFF + static_cast<int>(below(200)) - 100;
    if (e < 1) e = 1;
    if (e > 0x7FFE) e = 0x7FFE;
    return Float80{sig, static_cast<uint16_t>(sign | e)};
  }
};

void print(const char* what, Float80 a) { std::printf(" %s=%04X:%016llX", what, a.se, (unsigned long long)a.sig); }

int runOp(Op op, int cases, uint64_t seed, bool binary, bool intResult) {
  Gen g(seed);
  int bad = 0;
  static const uint16_t kPcs[] = {0, 1, 2, 3};  // PC=1 is reserved: behaves as 64 bits (measured)
  for (unsigned rc = 0; rc < 4; ++rc) {
    for (uint16_t pc : kPcs) {
      uint16_t cw = static_cast<uint16_t>(0x7F | (pc << 8) | (rc << 10));
      for (int i = 0; i < cases; ++i) {
        Float80 a = g.value();
        Float80 b = binary ? g.value(a.exp() == 0x7FFF ? 0x3FFF : a.exp()) : Float80{};
        if (op == Ld32) a.sig = g.bits() & 0xFFFFFFFF;
        if (op == Ld64) a.sig = g.bits();
        if ((op == Ld32 || op == Ld64) && (g.below(4) == 0)) {
          // Force special exponents in the memory format.
          a.sig = op == Ld32 ? (a.sig & 0x807FFFFF) | ((g.bits() & 1) ? 0x7F800000 : 0)
                             : (a.sig & 0x800FFFFFFFFFFFFFull) | ((g.bits() & 1) ? 0x7FF0000000000000ull : 0);
        }
        Float80 hr, sr;
        uint64_t hi, si;
        uint16_t hf = host(op, a, b, cw, hr, hi);
        uint16_t sf = soft(op, a, b, cw, sr, si);
        uint16_t mask = kFlagMask;
        if (op == Fcom || op == Fucom || op == Prem || op == Prem1) mask |= fsw::C0 | fsw::C2 | fsw::C3;
        bool same = (hf & mask) == (sf & mask) && (intResult ? hi == si : hr == sr) &&
                    (op != Xtract || hi == si);
        if (op == Fcom || op == Fucom) same = (hf & mask) == (sf & mask);
        if (!same) {
          if (++bad <= 8) {
            std::printf("op %d cw %04X:", op, cw);
            print("a", a);
            if (binary) print("b", b);
            if (intResult) std::printf(" host=%llX soft=%llX", (unsigned long long)hi, (unsigned long long)si);
            else { print("host", hr); print("soft", sr); }
            std::printf(" flags host=%04X soft=%04X\n", hf & mask, sf & mask);
          }
        }
      }
    }
  }
  return bad;
}

// Unmasked OE/UE: the result is delivered with a wrapped exponent and the
// exception stays pending, so the host state is taken with FNSAVE (which
// does not trap) instead of FSTP.
uint16_t hostUnmasked(Op op, Float80 a, Float80 b, uint16_t cw, Float80& r) {
  M80 ma{a.sig, a.se, {}}, mb{b.sig, b.se, {}};
  unsigned char buf[108];
#define UBIN(bytes)                                                                     \
  asm volatile("fninit\n fldcw %[cw]\n fldt %[a]\n fldt %[b]\n .byte " bytes         \
               "\n fnsave %[buf]\n fninit"                                             \
               : [buf] "=m"(buf)                                                        \
               : [cw] "m"(cw), [a] "m"(ma), [b] "m"(mb)                                 \
               : "memory", "st", "st(1)")
  switch (op) {
    case Add: UBIN("0xde,0xc1"); break;
    case Sub: UBIN("0xde,0xe9"); break;
    case Mul: UBIN("0xde,0xc9"); break;
    default: UBIN("0xde,0xf9"); break;
  }
#undef UBIN
  uint16_t sw;
  std::memcpy(&sw, buf + 4, 2);
  std::memcpy(&r.sig, buf + 28, 8);
  std::memcpy(&r.se, buf + 36, 2);
  return sw;
}

int runUnmasked(Op op, int cases, uint64_t seed) {
  Gen g(seed);
  int bad = 0, hits = 0;
  for (unsigned rc = 0; rc < 4; ++rc) {
    for (uint16_t pc : {0, 2, 3}) {
      uint16_t cw = static_cast<uint16_t>(0x67 | (pc << 8) | (rc << 10));
      for (int i = 0; i < cases; ++i) {
        // Normal operands whose result lands outside the exponent range.
        uint16_t sa = (g.bits() & 1) ? 0x8000 : 0, sb = (g.bits() & 1) ? 0x8000 : 0;
        bool big = g.bits() & 1;
        int ea, eb;
        if (op == Mul) {
          ea = big ? 0x5FFF + static_cast<int>(g.below(0x2000)) : 1 + static_cast<int>(g.below(0x2000));
          eb = big ? 0x7FFE - static_cast<int>(g.below(0x2000)) : 1 + static_cast<int>(g.below(0x3000));
        } else if (op == Div) {
          ea = big ? 0x7FFE - static_cast<int>(g.below(0x2000)) : 1 + static_cast<int>(g.below(0x2000));
          eb = big ? 1 + static_cast<int>(g.below(0x2000)) : 0x7FFE - static_cast<int>(g.below(0x2000));
        } else {
          ea = big ? 0x7FFE - static_cast<int>(g.below(3)) : 1 + static_cast<int>(g.below(3));
          eb = big ? 0x7FFE - static_cast<int>(g.below(3)) : 1 + static_cast<int>(g.below(3));
        }
        Float80 a{g.significand() | (1ull << 63), static_cast<uint16_t>(sa | ea)};
        Float80 b{g.significand() | (1ull << 63), static_cast<uint16_t>(sb | eb)};
        Float80 hr, sr;
        uint16_t hf = hostUnmasked(op, a, b, cw, hr);
        FpEnv env;
        env.fcw = cw;
        switch (op) {
          case Add: sr = add(a, b, env); break;
          case Sub: sr = sub(a, b, env); break;
          case Mul: sr = mul(a, b, env); break;
          default: sr = div(a, b, env); break;
        }
        uint16_t sf = env.flags;
        if (hf & (fsw::OE | fsw::UE)) ++hits;
        if ((hf & kFlagMask) != (sf & kFlagMask) || hr != sr) {
          if (++bad <= 8) {
            std::printf("unmasked op %d cw %04X:", op, cw);
            print("a", a);
            print("b", b);
            print("host", hr);
            print("soft", sr);
            std::printf(" flags host=%04X soft=%04X\n", hf & kFlagMask, sf & kFlagMask);
          }
        }
      }
    }
  }
  return hits == 0 ? -1 : bad;  // the generator must actually reach OE/UE
}

constexpr int kCases = 5000;  // per RC/PC combination: 60,000 per operation

}  // namespace

TEST_CASE("float80 add/sub/mul/div match the host x87") {
  CHECK(runOp(Add, kCases, 1, true, false) == 0);
  CHECK(runOp(Sub, kCases, 2, true, false) == 0);
  CHECK(runOp(Mul, kCases, 3, true, false) == 0);
  CHECK(runOp(Div, kCases, 4, true, false) == 0);
}

TEST_CASE("float80 unmasked overflow/underflow deliver the wrapped exponent like the host") {
  CHECK(runUnmasked(Add, 500, 31) == 0);
  CHECK(runUnmasked(Sub, 500, 32) == 0);
  CHECK(runUnmasked(Mul, 1000, 33) == 0);
  CHECK(runUnmasked(Div, 1000, 34) == 0);
}

TEST_CASE("float80 sqrt and frndint match the host x87") {
  CHECK(runOp(Sqrt, kCases, 5, false, false) == 0);
  CHECK(runOp(Rndint, kCases, 6, false, false) == 0);
}

TEST_CASE("float80 compares match the host x87") {
  CHECK(runOp(Fcom, kCases, 7, true, false) == 0);
  CHECK(runOp(Fucom, kCases, 8, true, false) == 0);
}

TEST_CASE("float80 integer stores match the host x87") {
  CHECK(runOp(Ist16, kCases / 2, 9, false, true) == 0);
  CHECK(runOp(Ist32, kCases / 2, 10, false, true) == 0);
  CHECK(runOp(Ist64, kCases / 2, 11, false, true) == 0);
  CHECK(runOp(Istt16, kCases / 2, 12, false, true) == 0);
  CHECK(runOp(Istt32, kCases / 2, 13, false, true) == 0);
  CHECK(runOp(Istt64, kCases / 2, 14, false, true) == 0);
}

TEST_CASE("float80 float32/float64 loads and stores match the host x87") {
  CHECK(runOp(St32, kCases, 15, false, true) == 0);
  CHECK(runOp(St64, kCases, 16, false, true) == 0);
  CHECK(runOp(Ld32, kCases / 2, 17, false, false) == 0);
  CHECK(runOp(Ld64, kCases / 2, 18, false, false) == 0);
}

TEST_CASE("float80 fscale, fxtract, fprem and fprem1 match the host x87") {
  CHECK(runOp(Scale, kCases / 2, 19, true, false) == 0);
  CHECK(runOp(Xtract, kCases / 2, 20, false, false) == 0);
  CHECK(runOp(Prem, kCases / 2, 21, true, false) == 0);
  CHECK(runOp(Prem1, kCases / 2, 22, true, false) == 0);
}

TEST_CASE("float80 partial remainders (exponent difference >= 64) match the host x87") {
  Gen g(23);
  int bad = 0;
  for (int i = 0; i < 20000; ++i) {
    int eb = 1 + static_cast<int>(g.below(0x3000));
    int ea = eb + 64 + static_cast<int>(g.below(400));
    Float80 a{g.significand() | (1ull << 63), static_cast<uint16_t>(((g.bits() & 1) ? 0x8000 : 0) | ea)};
    Float80 b{g.significand() | (1ull << 63), static_cast<uint16_t>(((g.bits() & 1) ? 0x8000 : 0) | eb)};
    Op op = (i & 1) ? Prem1 : Prem;
    Float80 hr, sr;
    uint64_t hi, si;
    uint16_t mask = kFlagMask | fsw::C0 | fsw::C2 | fsw::C3;
    uint16_t hf = host(op, a, b, 0x037F, hr, hi), sf = soft(op, a, b, 0x037F, sr, si);
    if ((hf & mask) != (sf & mask) || hr != sr) {
      if (++bad <= 4) {
        print("a", a);
        print("b", b);
        print("host", hr);
        print("soft", sr);
        std::printf(" flags %04X %04X\n", hf & mask, sf & mask);
      }
    }
  }
  CHECK(bad == 0);
}

TEST_CASE("float80 integer loads are exact") {
  CHECK(fromInt(0) == kZero);
  CHECK(fromInt(1) == kOne);
  CHECK(fromInt(-1) == (Float80{1ull << 63, 0xBFFF}));
  CHECK(fromInt(INT64_MIN) == (Float80{1ull << 63, 0xC03E}));
  CHECK(fromInt(3) == (Float80{3ull << 62, 0x4000}));
  FpEnv env;
  int64_t out = 0;
  CHECK(toInt(fromInt(INT64_MIN), 8, false, env, out));
  CHECK(out == INT64_MIN);
  CHECK(env.flags == 0);
  CHECK(toInt(negate(fromInt(INT64_MIN)), 8, false, env, out));  // +2^63: out of range
  CHECK(out == INT64_MIN);
  CHECK(env.flags == fsw::IE);
}
#endif
