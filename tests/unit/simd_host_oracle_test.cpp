// The SSE soft float (cpu/simd/soft_float.*) against the host's own SSE
// instructions: thousands of random and special operands under random
// MXCSR settings (rounding mode, DAZ, FTZ, all exceptions masked), result
// bits and the six exception flags compared. The seed of the host oracle;
// only on x86-64 hosts.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <ios>
#include <random>
#include <string>

#include "cpu/simd/soft_float.h"

#if defined(__x86_64__)

using namespace sv::simd;

namespace {

// One host instruction between LDMXCSR and STMXCSR, so nothing the compiler
// schedules can run under the test's MXCSR or disturb the flags.
#define HOST_BINARY(name, insn, T)                                                      \
  T name(T a, T b, uint32_t csr, uint32_t& flags) {                                     \
    uint32_t out;                                                                       \
    asm volatile("ldmxcsr %[c]\n\t" insn " %[b], %[a]\n\tstmxcsr %[o]"                   \
                 : [a] "+x"(a), [o] "=m"(out)                                           \
                 : [b] "x"(b), [c] "m"(csr));                                           \
    flags = out & mxcsr::kFlags;                                                        \
    return a;                                                                           \
  }

HOST_BINARY(hostAddss, "addss", float)
HOST_BINARY(hostSubss, "subss", float)
HOST_BINARY(hostMulss, "mulss", float)
HOST_BINARY(hostDivss, "divss", float)
HOST_BINARY(hostMinss, "minss", float)
HOST_BINARY(hostMaxss, "maxss", float)
HOST_BINARY(hostSqrtss, "sqrtss", float)
HOST_BINARY(hostAddsd, "addsd", double)
HOST_BINARY(hostSubsd, "subsd", double)
HOST_BINARY(hostMulsd, "mulsd", double)
HOST_BINARY(hostDivsd, "divsd", double)
HOST_BINARY(hostMinsd, "minsd", double)
HOST_BINARY(hostMaxsd, "maxsd", double)
HOST_BINARY(hostSqrtsd, "sqrtsd", double)

// Conversions: one source register, one destination of another kind.
#define HOST_CONVERT(name, insn, To, From, dc, sc)                                \
  To name(From a, uint32_t csr, uint32_t& flags) {                              \
    uint32_t out;                                                               \
    To r{};                                                                     \
    asm volatile("ldmxcsr %[c]\n\t" insn " %[a], %[r]\n\tstmxcsr %[o]"           \
                 : [r] dc(r), [o] "=m"(out)                                     \
                 : [a] sc(a), [c] "m"(csr));                                    \
    flags = out & mxcsr::kFlags;                                                \
    return r;                                                                   \
  }

HOST_CONVERT(hostCvtss2sd, "cvtss2sd", double, float, "+x", "x")
HOST_CONVERT(hostCvtsd2ss, "cvtsd2ss", float, double, "+x", "x")
HOST_CONVERT(hostCvtss2si32, "cvtss2si", int32_t, float, "=r", "x")
HOST_CONVERT(hostCvttss2si32, "cvttss2si", int32_t, float, "=r", "x")
HOST_CONVERT(hostCvtss2si64, "cvtss2si", int64_t, float, "=r", "x")
HOST_CONVERT(hostCvttss2si64, "cvttss2si", int64_t, float, "=r", "x")
HOST_CONVERT(hostCvtsd2si32, "cvtsd2si", int32_t, double, "=r", "x")
HOST_CONVERT(hostCvttsd2si32, "cvttsd2si", int32_t, double, "=r", "x")
HOST_CONVERT(hostCvtsd2si64, "cvtsd2si", int64_t, double, "=r", "x")
HOST_CONVERT(hostCvttsd2si64, "cvttsd2si", int64_t, double, "=r", "x")
HOST_CONVERT(hostCvtsi2ss32, "cvtsi2ssl", float, int32_t, "+x", "r")
HOST_CONVERT(hostCvtsi2ss64, "cvtsi2ssq", float, int64_t, "+x", "r")
HOST_CONVERT(hostCvtsi2sd64, "cvtsi2sdq", double, int64_t, "+x", "r")

// CMPSS with each predicate, and COMISS/UCOMISS's EFLAGS.
template <unsigned kPredicate>
uint32_t hostCmpss(float a, float b, uint32_t csr, uint32_t& flags) {
  uint32_t out;
  asm volatile("ldmxcsr %[c]\n\tcmpss %[p], %[b], %[a]\n\tstmxcsr %[o]"
               : [a] "+x"(a), [o] "=m"(out)
               : [b] "x"(b), [c] "m"(csr), [p] "i"(kPredicate));
  flags = out & mxcsr::kFlags;
  uint32_t bits;
  std::memcpy(&bits, &a, 4);
  return bits;
}

template <bool kSignaling>
uint64_t hostComisd(double a, double b, uint32_t csr, uint32_t& flags) {
  uint32_t out;
  uint64_t rflags;
  if (kSignaling)
    asm volatile("ldmxcsr %[c]\n\tcomisd %[b], %[a]\n\tpushfq\n\tpopq %[f]\n\tstmxcsr %[o]"
                 : [f] "=r"(rflags), [o] "=m"(out) : [a] "x"(a), [b] "x"(b), [c] "m"(csr) : "cc");
  else
    asm volatile("ldmxcsr %[c]\n\tucomisd %[b], %[a]\n\tpushfq\n\tpopq %[f]\n\tstmxcsr %[o]"
                 : [f] "=r"(rflags), [o] "=m"(out) : [a] "x"(a), [b] "x"(b), [c] "m"(csr) : "cc");
  flags = out & mxcsr::kFlags;
  return rflags & 0x8D5;  // OF SF ZF AF PF CF
}

template <class T, class B>
T asFloat(B bits) {
  T f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
template <class B, class T>
B asBits(T f) {
  B b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// Operands: specials, boundary values and random bit patterns, with the
// second operand often close to the first (cancellation, ties).
template <class B>
struct OperandGen {
  std::mt19937_64 rng;
  static constexpr bool kSingle = sizeof(B) == 4;
  static constexpr int kFrac = kSingle ? 23 : 52;
  static constexpr B kSign = B{1} << (sizeof(B) * 8 - 1);
  static constexpr B kExpMask = kSingle ? B(0x7F800000u) : B(0x7FF0000000000000ull);

  explicit OperandGen(uint64_t seed) : rng(seed) {}

  B special() {
    const B frac_mask = (B{1} << kFrac) - 1;
    switch (rng() % 12) {
      case 0: return 0;
      case 1: return kExpMask;                                            // inf
      case 2: return kExpMask | (B{1} << (kFrac - 1)) | (rng() & 0xFF);    // QNaN
      case 3: return kExpMask | ((rng() & frac_mask & ~(B{1} << (kFrac - 1))) | 1);  // SNaN
      case 4: return static_cast<B>(rng()) & frac_mask;                    // denormal or 0
      case 5: return B{1} << kFrac;                                        // min normal
      case 6: return kExpMask - 1;                                         // max finite
      case 7: return (B{1} << kFrac) - 1;                                  // max denormal
      case 8: return kSingle ? B(0x3F800000u) : B(0x3FF0000000000000ull);  // 1.0
      case 9: return (B{1} << kFrac) + (static_cast<B>(rng()) & (frac_mask >> 2));  // tiny normals
      case 10: return kExpMask - 1 - (static_cast<B>(rng()) & frac_mask);  // huge
      default: return 1;
    }
  }
  B any() {
    B v = rng() % 4 == 0 ? special() : static_cast<B>(rng());
    return rng() % 2 ? v ^ kSign : v;
  }
  B near(B a) {
    switch (rng() % 4) {
      case 0: return a ^ kSign;
      case 1: return a + static_cast<B>(rng() % 5) - 2;
      case 2: return (a & ~kExpMask) | (((a & kExpMask) + (static_cast<B>(rng() % 64) << kFrac)) & kExpMask);
      default: return any();
    }
  }
  uint32_t csr() {
    uint32_t c = mxcsr::kDefault | (static_cast<uint32_t>(rng() % 4) << mxcsr::kRcShift);
    if (rng() % 3 == 0) c |= mxcsr::DAZ;
    if (rng() % 3 == 0) c |= mxcsr::FZ;
    return c;
  }
};

template <class B, class T, class Host, class Soft>
void compareBinary(const char* name, Host host, Soft soft, uint64_t seed, int count) {
  OperandGen<B> g(seed);
  int mismatches = 0;
  for (int i = 0; i < count && mismatches < 10; ++i) {
    B a = g.any(), b = g.rng() % 2 ? g.near(a) : g.any();
    uint32_t csr = g.csr();
    uint32_t host_flags;
    B want = asBits<B>(host(asFloat<T>(a), asFloat<T>(b), csr, host_flags));
    SimdEnv env{csr, 0};
    B got = soft(a, b, env);
    if (got != want || env.flags != host_flags) {
      ++mismatches;
      INFO(std::string(name) << " a=" << std::hex << uint64_t(a) << " b=" << uint64_t(b) << " csr=" << csr << " want "
                << uint64_t(want) << "/" << host_flags << " got " << uint64_t(got) << "/" << env.flags);
      CHECK(false);
    }
  }
  CHECK(mismatches == 0);
}

template <class B, class T, class R, class Host, class Soft>
void compareUnary(const char* name, Host host, Soft soft, uint64_t seed, int count) {
  OperandGen<B> g(seed);
  int mismatches = 0;
  for (int i = 0; i < count && mismatches < 10; ++i) {
    B a = g.any();
    uint32_t csr = g.csr();
    uint32_t host_flags;
    R want;
    auto h = host(asFloat<T>(a), csr, host_flags);
    std::memcpy(&want, &h, sizeof want);
    SimdEnv env{csr, 0};
    R got = soft(a, env);
    if (got != want || env.flags != host_flags) {
      ++mismatches;
      INFO(std::string(name) << " a=" << std::hex << uint64_t(a) << " csr=" << csr << " want " << uint64_t(want)
                             << "/" << host_flags << " got " << uint64_t(got) << "/" << env.flags);
      CHECK(false);
    }
  }
  CHECK(mismatches == 0);
}

template <class I, class R, class Host, class Soft>
void compareFromInt(const char* name, Host host, Soft soft, uint64_t seed, int count) {
  OperandGen<uint64_t> g(seed);
  int mismatches = 0;
  for (int i = 0; i < count && mismatches < 10; ++i) {
    uint64_t raw = g.rng();
    I v = static_cast<I>(g.rng() % 2 ? raw : raw >> (g.rng() % 64));
    uint32_t csr = g.csr();
    uint32_t host_flags;
    auto h = host(v, csr, host_flags);
    R want;
    std::memcpy(&want, &h, sizeof want);
    SimdEnv env{csr, 0};
    R got = soft(static_cast<int64_t>(v), env);
    if (got != want || env.flags != host_flags) {
      ++mismatches;
      INFO(std::string(name) << " v=" << int64_t(v) << " csr=" << csr << " want " << uint64_t(want) << "/"
                             << host_flags << " got " << uint64_t(got) << "/" << env.flags);
      CHECK(false);
    }
  }
  CHECK(mismatches == 0);
}

constexpr int kCases = 20000;

}  // namespace

TEST_CASE("simd host oracle: single-precision arithmetic") {
  compareBinary<uint32_t, float>("addss", hostAddss, add<F32>, 1, kCases);
  compareBinary<uint32_t, float>("subss", hostSubss, sub<F32>, 2, kCases);
  compareBinary<uint32_t, float>("mulss", hostMulss, mul<F32>, 3, kCases);
  compareBinary<uint32_t, float>("divss", hostDivss, div<F32>, 4, kCases);
  compareBinary<uint32_t, float>("minss", hostMinss, min<F32>, 5, kCases);
  compareBinary<uint32_t, float>("maxss", hostMaxss, max<F32>, 6, kCases);
  compareBinary<uint32_t, float>(
      "sqrtss", hostSqrtss, [](uint32_t, uint32_t b, SimdEnv& e) { return sqrt<F32>(b, e); }, 7, kCases);
}

TEST_CASE("simd host oracle: double-precision arithmetic") {
  compareBinary<uint64_t, double>("addsd", hostAddsd, add<F64>, 11, kCases);
  compareBinary<uint64_t, double>("subsd", hostSubsd, sub<F64>, 12, kCases);
  compareBinary<uint64_t, double>("mulsd", hostMulsd, mul<F64>, 13, kCases);
  compareBinary<uint64_t, double>("divsd", hostDivsd, div<F64>, 14, kCases);
  compareBinary<uint64_t, double>("minsd", hostMinsd, min<F64>, 15, kCases);
  compareBinary<uint64_t, double>("maxsd", hostMaxsd, max<F64>, 16, kCases);
  compareBinary<uint64_t, double>(
      "sqrtsd", hostSqrtsd, [](uint64_t, uint64_t b, SimdEnv& e) { return sqrt<F64>(b, e); }, 17, kCases);
}

TEST_CASE("simd host oracle: conversions") {
  compareUnary<uint32_t, float, uint64_t>("cvtss2sd", hostCvtss2sd, f32ToF64, 21, kCases);
  compareUnary<uint64_t, double, uint32_t>("cvtsd2ss", hostCvtsd2ss, f64ToF32, 22, kCases);
  auto toI32 = [](auto fn, bool t) {
    return [fn, t](auto a, SimdEnv& e) { return static_cast<int32_t>(fn(a, 32, t, e)); };
  };
  auto toI64 = [](auto fn, bool t) { return [fn, t](auto a, SimdEnv& e) { return fn(a, 64, t, e); }; };
  compareUnary<uint32_t, float, int32_t>("cvtss2si32", hostCvtss2si32, toI32(toInt<F32>, false), 23, kCases);
  compareUnary<uint32_t, float, int32_t>("cvttss2si32", hostCvttss2si32, toI32(toInt<F32>, true), 24, kCases);
  compareUnary<uint32_t, float, int64_t>("cvtss2si64", hostCvtss2si64, toI64(toInt<F32>, false), 25, kCases);
  compareUnary<uint32_t, float, int64_t>("cvttss2si64", hostCvttss2si64, toI64(toInt<F32>, true), 26, kCases);
  compareUnary<uint64_t, double, int32_t>("cvtsd2si32", hostCvtsd2si32, toI32(toInt<F64>, false), 27, kCases);
  compareUnary<uint64_t, double, int32_t>("cvttsd2si32", hostCvttsd2si32, toI32(toInt<F64>, true), 28, kCases);
  compareUnary<uint64_t, double, int64_t>("cvtsd2si64", hostCvtsd2si64, toI64(toInt<F64>, false), 29, kCases);
  compareUnary<uint64_t, double, int64_t>("cvttsd2si64", hostCvttsd2si64, toI64(toInt<F64>, true), 30, kCases);
  compareFromInt<int32_t, uint32_t>("cvtsi2ss32", hostCvtsi2ss32, fromInt<F32>, 31, kCases);
  compareFromInt<int64_t, uint32_t>("cvtsi2ss64", hostCvtsi2ss64, fromInt<F32>, 32, kCases);
  compareFromInt<int64_t, uint64_t>("cvtsi2sd64", hostCvtsi2sd64, fromInt<F64>, 33, kCases);
}

template <unsigned kPredicate>
void compareCmpss(uint64_t seed) {
  compareBinary<uint32_t, float>(
      "cmpss", [](float a, float b, uint32_t c, uint32_t& f) { return asFloat<float>(hostCmpss<kPredicate>(a, b, c, f)); },
      [](uint32_t a, uint32_t b, SimdEnv& e) { return comparePredicate<F32>(a, b, kPredicate, e) ? ~0u : 0u; }, seed,
      kCases / 4);
}

TEST_CASE("simd host oracle: compares") {
  compareCmpss<0>(40);
  compareCmpss<1>(41);
  compareCmpss<2>(42);
  compareCmpss<3>(43);
  compareCmpss<4>(44);
  compareCmpss<5>(45);
  compareCmpss<6>(46);
  compareCmpss<7>(47);
  auto eflags = [](Relation r) -> uint64_t {
    switch (r) {
      case Relation::Unordered: return 0x45;
      case Relation::Less: return 0x01;
      case Relation::Equal: return 0x40;
      default: return 0;
    }
  };
  compareBinary<uint64_t, double>(
      "comisd", [](double a, double b, uint32_t c, uint32_t& f) { return asFloat<double>(hostComisd<true>(a, b, c, f)); },
      [&](uint64_t a, uint64_t b, SimdEnv& e) { return eflags(compare<F64>(a, b, true, e)); }, 48, kCases);
  compareBinary<uint64_t, double>(
      "ucomisd",
      [](double a, double b, uint32_t c, uint32_t& f) { return asFloat<double>(hostComisd<false>(a, b, c, f)); },
      [&](uint64_t a, uint64_t b, SimdEnv& e) { return eflags(compare<F64>(a, b, false, e)); }, 49, kCases);
}

#endif  // __x86_64__
