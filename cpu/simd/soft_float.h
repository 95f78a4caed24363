// Portable IEEE 754 binary32/binary64 arithmetic with the exact behaviour of
// SSE/SSE2 (Intel SDM Vol. 1, 4.8, 4.9, 10.2.3 and 11.5): MXCSR rounding
// control, DAZ, FTZ, the six exception flags, SSE's NaN rules (Table 4-7:
// a NaN first source wins, SNaNs are quieted, invalid operations give the
// negative "default NaN") and integer conversion with the integer
// indefinite. Plain integer arithmetic only: identical on every host.
//
// Every operation takes a SimdEnv holding MXCSR and ORs the exceptions it
// detects into env.flags (MXCSR bit positions 0..5). The caller decides
// from those flags whether an unmasked exception means #XM (the result is
// then not written, SDM 11.5.4).
#pragma once

#include <cstdint>

namespace sv::simd {

namespace mxcsr {
constexpr uint32_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint32_t DAZ = 1u << 6, FZ = 1u << 15;
constexpr uint32_t kFlags = 0x3F;
constexpr uint32_t kMaskShift = 7;  // IM..PM in bits 7..12
constexpr uint32_t kRcShift = 13;
constexpr uint32_t kPreComputation = IE | DE | ZE;
constexpr uint32_t kDefault = 0x1F80;
// Bits that may be set: everything below bit 16 (DAZ is supported).
constexpr uint32_t kWritable = 0xFFFF;
}  // namespace mxcsr

enum class Rounding : uint8_t { Nearest = 0, Down = 1, Up = 2, Zero = 3 };

struct SimdEnv {
  uint32_t control = mxcsr::kDefault;  // MXCSR as the instruction sees it
  uint32_t flags = 0;                  // exceptions this instruction detected
  Rounding rounding() const { return static_cast<Rounding>((control >> mxcsr::kRcShift) & 3); }
  bool daz() const { return control & mxcsr::DAZ; }
  bool ftz() const { return control & mxcsr::FZ; }
  bool masked(uint32_t e) const { return (control >> mxcsr::kMaskShift) & e; }
};

// The two formats. Bits is the storage type.
struct F32 {
  using Bits = uint32_t;
  static constexpr int kFrac = 23, kExp = 8, kBias = 127;
};
struct F64 {
  using Bits = uint64_t;
  static constexpr int kFrac = 52, kExp = 11, kBias = 1023;
};

template <class F> typename F::Bits add(typename F::Bits a, typename F::Bits b, SimdEnv& env);
template <class F> typename F::Bits sub(typename F::Bits a, typename F::Bits b, SimdEnv& env);
template <class F> typename F::Bits mul(typename F::Bits a, typename F::Bits b, SimdEnv& env);
template <class F> typename F::Bits div(typename F::Bits a, typename F::Bits b, SimdEnv& env);
template <class F> typename F::Bits sqrt(typename F::Bits a, SimdEnv& env);
// MINPS/MAXPS family: any NaN operand signals IE; a NaN or two zeros give
// the second operand (SDM Vol. 2, MINPS).
template <class F> typename F::Bits min(typename F::Bits a, typename F::Bits b, SimdEnv& env);
template <class F> typename F::Bits max(typename F::Bits a, typename F::Bits b, SimdEnv& env);

enum class Relation : uint8_t { Less, Equal, Greater, Unordered };
// signaling: any NaN raises IE (COMISS, CMPLTPS ...); otherwise only SNaN.
template <class F> Relation compare(typename F::Bits a, typename F::Bits b, bool signaling, SimdEnv& env);
// CMPPS predicate 0..7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD).
template <class F> bool comparePredicate(typename F::Bits a, typename F::Bits b, unsigned predicate, SimdEnv& env);

// Conversions between the formats (CVTSS2SD is exact, CVTSD2SS rounds).
uint64_t f32ToF64(uint32_t a, SimdEnv& env);
uint32_t f64ToF32(uint64_t a, SimdEnv& env);
// Integer -> float, rounded per MXCSR.
template <class F> typename F::Bits fromInt(int64_t v, SimdEnv& env);
// Float -> 32- or 64-bit integer (`bits`), truncating or per MXCSR. NaN and
// out-of-range values raise IE and give the integer indefinite (only the
// sign bit set).
template <class F> int64_t toInt(typename F::Bits a, unsigned bits, bool truncate, SimdEnv& env);
// ROUNDPS/ROUNDSS (SSE4.1): to an integral value per `mode`; PE unless
// `suppress_inexact`.
template <class F>
typename F::Bits roundToIntegral(typename F::Bits a, Rounding mode, bool suppress_inexact, SimdEnv& env);

// RCPPS/RSQRTPS: the architecture leaves the bits implementation-specific
// (relative error <= 1.5 * 2^-12). We return the exact reciprocal (square
// root reciprocal) truncated to 12 significant bits, which meets the bound
// on every host the same way. No flags; denormal inputs count as zero.
uint32_t reciprocalEstimate(uint32_t a);
uint32_t reciprocalSqrtEstimate(uint32_t a);

}  // namespace sv::simd
