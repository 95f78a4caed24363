// Portable software implementation of x87 80-bit extended-precision
// arithmetic (Intel SDM Vol. 1, chapters 4 and 8). No host floating point is
// used, so results are bit-identical on every host (the design requires
// AArch64 hosts to match x86 ones).
//
// Every operation takes an FpEnv holding the control word (rounding control,
// precision control, exception masks) and ORs the exception flags it raises
// into env.flags using the FSW bit positions (IE..PE, plus C1 for "rounded
// up"). Masked responses are returned as the x87 produces them; for unmasked
// OE/UE arithmetic results the exponent is biased by -/+24576 (SDM 4.9.1.4/5).
// env.suppress tells the caller not to write the destination (unmasked IE,
// DE or ZE; unmasked OE/UE on a memory-format store).
//
// Behaviour the SDM leaves open (exception priorities, NaN choice, C1) was
// measured on the host x87; tests/unit/float80_test.cpp compares every
// operation bit for bit with it.
#pragma once

#include <cstdint>

namespace sv::x87 {

struct Float80 {
  uint64_t sig = 0;       // explicit integer bit in bit 63
  uint16_t se = 0;        // sign (bit 15) and 15-bit biased exponent
  bool operator==(const Float80&) const = default;
  bool sign() const { return se >> 15; }
  uint16_t exp() const { return se & 0x7FFF; }
};

// FSW exception bits (SDM Vol. 1, 8.1.3) and C1.
namespace fsw {
constexpr uint16_t IE = 1 << 0, DE = 1 << 1, ZE = 1 << 2, OE = 1 << 3, UE = 1 << 4, PE = 1 << 5;
constexpr uint16_t SF = 1 << 6, ES = 1 << 7;
constexpr uint16_t C0 = 1 << 8, C1 = 1 << 9, C2 = 1 << 10, C3 = 1 << 14, B = 1 << 15;
constexpr uint16_t kExceptions = 0x3F;
}  // namespace fsw

struct FpEnv {
  uint16_t fcw = 0x037F;
  uint16_t flags = 0;  // exceptions raised (fsw:: bits) and C1 if rounded up
  // Set when an unmasked IE/DE/ZE (or, for memory-format stores, OE/UE)
  // means the destination must be left unchanged.
  bool suppress = false;
  bool masked(uint16_t e) const { return (fcw & e) != 0; }
  unsigned rc() const { return (fcw >> 10) & 3; }  // 0 nearest, 1 down, 2 up, 3 zero
  unsigned pc() const { return (fcw >> 8) & 3; }   // 0: 24 bits, 2: 53, 3: 64 (1 reserved = 64)
};

// Frequently used constants.
constexpr Float80 kIndefinite{0xC000000000000000ull, 0xFFFF};  // "real indefinite" QNaN
constexpr Float80 kZero{0, 0};
constexpr Float80 kOne{0x8000000000000000ull, 0x3FFF};

enum class Class : uint8_t { Zero, Denormal, Normal, Infinity, QNaN, SNaN, Unsupported };
Class classify(Float80 a);
inline bool isNaN(Float80 a) { auto c = classify(a); return c == Class::QNaN || c == Class::SNaN; }

// Arithmetic; precision control applies (SDM 8.1.5.2).
Float80 add(Float80 a, Float80 b, FpEnv& env);
Float80 sub(Float80 a, Float80 b, FpEnv& env);
Float80 mul(Float80 a, Float80 b, FpEnv& env);
Float80 div(Float80 a, Float80 b, FpEnv& env);
Float80 sqrt(Float80 a, FpEnv& env);

// Round to integral value per RC (FRNDINT); no precision control.
Float80 roundToInt(Float80 a, FpEnv& env);

// Comparison result as the x87 reports it in C3/C2/C0.
enum class Relation : uint8_t { Less, Equal, Greater, Unordered };
// quiet = FUCOM semantics (only SNaN/unsupported raise IE); otherwise any NaN
// raises IE (FCOM). Denormal operands raise DE.
Relation compare(Float80 a, Float80 b, FpEnv& env, bool quiet);
// C3/C2/C0 bits for a relation.
uint16_t conditionCodes(Relation r);

// Integer conversions. FILD is always exact.
Float80 fromInt(int64_t v);
// FIST/FISTTP: `bytes` is 2, 4 or 8; truncate=true for FISTTP. Out of range,
// NaN and infinity raise IE and give the integer indefinite (min value).
// Returns false when IE is unmasked (nothing must be stored).
bool toInt(Float80 a, unsigned bytes, bool truncate, FpEnv& env, int64_t& out);

// Memory real formats. Loads are exact (SNaN -> QNaN with IE, denormal -> DE).
// quiet=false keeps an SNaN signalling (for arithmetic with a memory operand,
// where the operation itself applies the NaN rules).
Float80 fromFloat32(uint32_t v, FpEnv& env, bool quiet = true);
Float80 fromFloat64(uint64_t v, FpEnv& env, bool quiet = true);
// Stores round per RC (no precision control). Return false when an unmasked
// exception (IE, OE, UE; SDM 4.9.1.4/5) forbids the store.
bool toFloat32(Float80 a, FpEnv& env, uint32_t& out);
bool toFloat64(Float80 a, FpEnv& env, uint64_t& out);

// FSCALE / FXTRACT / FPREM / FPREM1 helpers (SDM Vol. 2 instruction pages).
Float80 scale(Float80 a, Float80 b, FpEnv& env);
// FXTRACT: exponent (as a real) and significand (exponent 0x3FFF).
void extract(Float80 a, FpEnv& env, Float80& exponent, Float80& significand);
// FPREM (round=false, truncating quotient) / FPREM1 (round=true, IEEE).
// Returns the partial remainder; sets `partial` if C2 must be set and `q`
// to the low three quotient bits (C0=q2, C3=q1, C1=q0).
Float80 remainder(Float80 a, Float80 b, bool ieee, FpEnv& env, bool& partial, unsigned& q);

// Load-constant rounding (FLDPI etc., SDM 8.3.8): the constant's first 64
// significand bits and the next 64 are rounded per RC without raising PE.
Float80 roundConstant(uint64_t sig, uint64_t extra, uint16_t se, const FpEnv& env);

Float80 negate(Float80 a);
Float80 abs(Float80 a);

// Building blocks shared with the other x87 modules (transcendental.cpp).
namespace detail {
// Rounds sign * sig * 2^(e-127) per RC to 64-bit precision (the
// transcendentals ignore precision control, SDM 8.1.5.2), with the usual
// OE/UE/PE/C1 reporting.
Float80 roundExtended(bool sign, int32_t e, unsigned __int128 sig, FpEnv& env);
// IE and the real indefinite (suppress when IE is unmasked).
Float80 invalidOperation(FpEnv& env);
// x87 NaN propagation for one or two operands (SDM Vol. 1, Table 4-7).
Float80 propagateNaN(Float80 a, Float80 b, FpEnv& env);
// Two-operand screening of the arithmetic instructions: unsupported -> IE,
// NaNs propagated, denormals -> DE (suppressing when unmasked). Returns true
// when that decided the result (in `out`).
bool screenOperands(Float80 a, Float80 b, FpEnv& env, Float80& out);
}  // namespace detail

}  // namespace sv::x87
