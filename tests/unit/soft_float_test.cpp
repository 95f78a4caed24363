// cpu/simd/soft_float with hand-computed values: SSE's NaN rules, DAZ/FTZ,
// the four rounding modes, overflow and underflow flags, integer
// conversion with the indefinite, min/max and compare predicates. Runs on
// every host (the host comparison is simd_host_oracle_test.cpp).
#include <doctest/doctest.h>

#include "cpu/simd/soft_float.h"

using namespace sv::simd;

namespace {

SimdEnv env(Rounding rc = Rounding::Nearest, uint32_t extra = 0) {
  return SimdEnv{mxcsr::kDefault | (static_cast<uint32_t>(rc) << mxcsr::kRcShift) | extra, 0};
}

constexpr uint32_t kOne = 0x3F800000, kTwo = 0x40000000, kThree = 0x40400000;
constexpr uint32_t kQNaNa = 0x7FC0000A, kQNaNb = 0xFFC0000B, kSNaN = 0x7F80000C;
constexpr uint32_t kDefaultNaN = 0xFFC00000, kInf = 0x7F800000, kMax = 0x7F7FFFFF;

}  // namespace

TEST_CASE("soft float: NaN propagation (first source, SNaN quieting, default NaN)") {
  SimdEnv e = env();
  CHECK(add<F32>(kQNaNa, kQNaNb, e) == kQNaNa);
  CHECK(e.flags == 0);
  CHECK(add<F32>(kOne, kSNaN, e) == (kSNaN | 0x00400000));
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(mul<F32>(kSNaN, kQNaNb, e) == (kSNaN | 0x00400000));  // the first source, even if signalling
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(sub<F32>(kInf, kInf, e) == kDefaultNaN);
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(div<F64>(0, 0, e) == 0xFFF8000000000000ull);
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(sqrt<F32>(0xBF800000, e) == kDefaultNaN);
  CHECK(sqrt<F32>(0x80000000, e) == 0x80000000);  // sqrt(-0) = -0
  e = env();
  CHECK(div<F32>(kOne, 0x80000000, e) == 0xFF800000);
  CHECK(e.flags == mxcsr::ZE);
}

TEST_CASE("soft float: rounding modes and inexact") {
  const uint32_t tiny_half = 0x33800000;  // 2^-24: half an ulp of 1.0
  SimdEnv e = env();
  CHECK(add<F32>(kOne, tiny_half, e) == kOne);  // tie to even
  CHECK(e.flags == mxcsr::PE);
  e = env(Rounding::Up);
  CHECK(add<F32>(kOne, tiny_half, e) == 0x3F800001);
  e = env(Rounding::Down);
  CHECK(add<F32>(kOne, tiny_half, e) == kOne);
  e = env(Rounding::Down);
  CHECK(sub<F32>(kOne, kOne, e) == 0x80000000);  // exact zero is -0 when rounding down
  e = env();
  CHECK(sub<F32>(kOne, kOne, e) == 0);
  // 1/3 = 0x3EAAAAAA.AAA..: nearest and up give ...AB, down and zero ...AA.
  e = env();
  CHECK(div<F32>(kOne, kThree, e) == 0x3EAAAAAB);
  e = env(Rounding::Up);
  CHECK(div<F32>(kOne, kThree, e) == 0x3EAAAAAB);
  e = env(Rounding::Zero);
  CHECK(div<F32>(kOne, kThree, e) == 0x3EAAAAAA);
  e = env(Rounding::Down);
  CHECK(div<F32>(0xBF800000, kThree, e) == 0xBEAAAAAB);
  CHECK(e.flags == mxcsr::PE);
}

TEST_CASE("soft float: overflow, underflow, DAZ and FTZ") {
  SimdEnv e = env();
  CHECK(mul<F32>(kMax, kTwo, e) == kInf);
  CHECK(e.flags == (mxcsr::OE | mxcsr::PE));
  e = env(Rounding::Zero);
  CHECK(mul<F32>(kMax, kTwo, e) == kMax);
  e = env(Rounding::Down);
  CHECK(mul<F32>(kMax, kTwo, e) == kMax);
  CHECK(mul<F32>(kMax | 0x80000000, kTwo, e) == 0xFF800000);
  // 2^-100 * 2^-30 = 2^-130: an exact denormal, no flags when UE is masked.
  const uint32_t p100 = 0x0D800000, p30 = 0x30800000, p130 = 0x00080000;
  e = env();
  CHECK(mul<F32>(p100, p30, e) == p130);
  CHECK(e.flags == 0);
  e = env(Rounding::Nearest, mxcsr::FZ);  // FTZ flushes it, with UE and PE
  CHECK(mul<F32>(p100, p30, e) == 0);
  CHECK(e.flags == (mxcsr::UE | mxcsr::PE));
  // With UE unmasked a tiny exact result still signals UE.
  e = SimdEnv{mxcsr::kDefault & ~(mxcsr::UE << mxcsr::kMaskShift), 0};
  mul<F32>(p100, p30, e);
  CHECK(e.flags == mxcsr::UE);
  // A denormal operand: DE without DAZ; with DAZ it is zero and silent.
  e = env();
  CHECK(add<F32>(1, 0, e) == 1);
  CHECK(e.flags == mxcsr::DE);
  e = env(Rounding::Nearest, mxcsr::DAZ);
  CHECK(add<F32>(0x80000001, 0, e) == 0);  // -0 + +0 = +0
  CHECK(e.flags == 0);
  // Tininess after rounding: just below 2^-126 rounding up to it is not tiny.
  e = env(Rounding::Up);
  CHECK(mul<F64>(0x000FFFFFFFFFFFFFull, 0x3FF0000000000001ull, e) == 0x0010000000000000ull);
  CHECK(e.flags == (mxcsr::DE | mxcsr::PE));
}

TEST_CASE("soft float: conversions and the integer indefinite") {
  SimdEnv e = env();
  CHECK(toInt<F32>(0x4F000000, 32, false, e) == INT32_MIN);  // 2^31: out of range
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(toInt<F32>(0xCF000000, 32, false, e) == INT32_MIN);  // -2^31: exact
  CHECK(e.flags == 0);
  CHECK(toInt<F32>(0x40200000, 32, false, e) == 2);  // 2.5 -> 2 (even)
  CHECK(e.flags == mxcsr::PE);
  e = env();
  CHECK(toInt<F32>(0xC02CCCCD, 32, true, e) == -2);  // -2.7 truncated
  CHECK(toInt<F64>(0x43E0000000000000ull, 64, true, e) == INT64_MIN);  // 2^63
  CHECK(toInt<F64>(0x7FF8000000000000ull, 32, false, e) == INT32_MIN);
  e = env();
  CHECK(f64ToF32(0x7FF0000000000001ull, e) == 0x7FC00000);  // SNaN quieted, payload's top kept
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(f32ToF64(1, e) == 0x36A0000000000000ull);  // smallest denormal, exactly
  CHECK(e.flags == mxcsr::DE);
  e = env();
  CHECK(fromInt<F32>(16777217, e) == 0x4B800000);  // 2^24 + 1 rounds to even
  CHECK(e.flags == mxcsr::PE);
  e = env();
  CHECK(roundToIntegral<F32>(0x40200000, Rounding::Nearest, false, e) == kTwo);
  CHECK(e.flags == mxcsr::PE);
  e = env();
  CHECK(roundToIntegral<F32>(0xBF000000, Rounding::Up, true, e) == 0x80000000);  // -0.5 up: -0, no PE
  CHECK(e.flags == 0);
}

TEST_CASE("soft float: MIN/MAX and compare predicates") {
  SimdEnv e = env();
  CHECK(min<F32>(0, 0x80000000, e) == 0x80000000);  // two zeros: the second
  CHECK(max<F32>(0x80000000, 0, e) == 0);
  CHECK(min<F32>(kQNaNa, kOne, e) == kOne);  // a NaN: the second, with IE
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(max<F32>(kOne, kTwo, e) == kTwo);
  CHECK(e.flags == 0);
  CHECK(comparePredicate<F32>(kQNaNa, kOne, 0, e) == false);  // EQ: quiet
  CHECK(comparePredicate<F32>(kQNaNa, kOne, 4, e) == true);   // NEQ
  CHECK(comparePredicate<F32>(kQNaNa, kOne, 3, e) == true);   // UNORD
  CHECK(e.flags == 0);
  CHECK(comparePredicate<F32>(kQNaNa, kOne, 5, e) == true);  // NLT signals on QNaN
  CHECK(e.flags == mxcsr::IE);
  e = env();
  CHECK(compare<F32>(0x80000000, 0, true, e) == Relation::Equal);
  CHECK(compare<F32>(kOne, kTwo, true, e) == Relation::Less);
  CHECK(compare<F32>(kSNaN, kOne, false, e) == Relation::Unordered);
  CHECK(e.flags == mxcsr::IE);
}
