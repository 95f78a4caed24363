#include "cpu/simd/soft_float.h"

#include <utility>

namespace sv::simd {

namespace {

using u128 = unsigned __int128;

template <class F>
struct Fmt {
  using Bits = typename F::Bits;
  static constexpr int kP = F::kFrac + 1;  // significant bits
  static constexpr int kEmin = 1 - F::kBias;
  static constexpr Bits kFracMask = (Bits{1} << F::kFrac) - 1;
  static constexpr Bits kExpMask = ((Bits{1} << F::kExp) - 1) << F::kFrac;
  static constexpr Bits kSign = Bits{1} << (F::kFrac + F::kExp);
  static constexpr Bits kQuiet = Bits{1} << (F::kFrac - 1);
  static constexpr Bits kDefaultNaN = kSign | kExpMask | kQuiet;  // SDM 4.8.3.7
  static constexpr Bits kMaxFinite = (kExpMask - (Bits{1} << F::kFrac)) | kFracMask;

  static bool sign(Bits a) { return a & kSign; }
  static unsigned expField(Bits a) { return static_cast<unsigned>((a & kExpMask) >> F::kFrac); }
  static bool isNaN(Bits a) { return (a & kExpMask) == kExpMask && (a & kFracMask); }
  static bool isSNaN(Bits a) { return isNaN(a) && !(a & kQuiet); }
  static bool isInf(Bits a) { return (a & ~kSign) == kExpMask; }
  static bool isZero(Bits a) { return (a & ~kSign) == 0; }
  static bool isDenormal(Bits a) { return (a & kExpMask) == 0 && (a & kFracMask); }
  static Bits zero(bool s) { return s ? kSign : 0; }
  static Bits inf(bool s) { return zero(s) | kExpMask; }
};

// A finite value m * 2^exp with an integer significand.
struct Exact {
  bool sign;
  int exp;
  u128 m;
};

template <class F>
Exact unpack(typename F::Bits a) {
  using T = Fmt<F>;
  unsigned ef = T::expField(a);
  u128 m = a & T::kFracMask;
  if (ef) m |= u128{1} << F::kFrac;
  return Exact{T::sign(a), static_cast<int>(ef ? ef : 1) - F::kBias - F::kFrac, m};
}

int msbIndex(u128 v) {
  uint64_t hi = static_cast<uint64_t>(v >> 64);
  return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll(static_cast<uint64_t>(v));
}

// Keeps sig >> shift, rounded per `rc` for a value of sign `sign`; reports
// whether anything nonzero was dropped.
std::pair<u128, bool> roundShift(u128 sig, int shift, bool sign, Rounding rc) {
  if (shift <= 0) return {sig << -shift, false};
  u128 kept, rem, half;
  if (shift >= 129) {
    kept = 0;
    rem = sig;
    half = ~u128{0};  // above anything: never reached
  } else if (shift == 128) {
    kept = 0;
    rem = sig;
    half = u128{1} << 127;
  } else {
    kept = sig >> shift;
    rem = sig & ((u128{1} << shift) - 1);
    half = u128{1} << (shift - 1);
  }
  if (!rem) return {kept, false};
  bool up = false;
  switch (rc) {
    case Rounding::Nearest: up = rem > half || (rem == half && (kept & 1)); break;
    case Rounding::Down: up = sign; break;
    case Rounding::Up: up = !sign; break;
    case Rounding::Zero: break;
  }
  return {kept + (up ? 1 : 0), true};
}

// Rounds the nonzero value sig * 2^(e - 127) (bit 127 of sig set) to the
// format: overflow, tininess after rounding (as x86 detects it, SDM
// 4.9.1.5), FTZ with a masked underflow (SDM 10.2.3.3), UE/PE.
template <class F>
typename F::Bits roundPack(bool sign, int e, u128 sig, SimdEnv& env) {
  using T = Fmt<F>;
  using Bits = typename F::Bits;
  const Rounding rc = env.rounding();
  constexpr int kNormalShift = 128 - T::kP;
  // Rounded to full precision with an unbounded exponent: decides
  // tininess and, for an unmasked OE/UE (the instruction then faults), PE.
  auto [unbounded, unbounded_inexact] = roundShift(sig, kNormalShift, sign, rc);
  bool tiny = e < T::kEmin - 1 || (e == T::kEmin - 1 && (unbounded >> T::kP) == 0);
  const uint32_t unbounded_pe = unbounded_inexact ? mxcsr::PE : 0;
  if (tiny && env.ftz() && env.masked(mxcsr::UE)) {
    env.flags |= mxcsr::UE | mxcsr::PE;
    return T::zero(sign);
  }
  Bits result;
  bool inexact;
  if (e < T::kEmin) {
    auto [kept, lost] = roundShift(sig, kNormalShift + (T::kEmin - e), sign, rc);
    result = static_cast<Bits>(kept);  // a carry into the hidden bit makes the smallest normal
    inexact = lost;
  } else {
    u128 kept = unbounded;
    inexact = unbounded_inexact;
    if (kept >> T::kP) {
      kept >>= 1;
      ++e;
    }
    if (e > F::kBias) {
      // Unmasked, the instruction faults (SDM 11.5.4) and PE tells whether
      // the full-precision result was inexact (measured).
      env.flags |= mxcsr::OE | (env.masked(mxcsr::OE) ? mxcsr::PE : unbounded_pe);
      bool to_inf = rc == Rounding::Nearest || (rc == Rounding::Up && !sign) || (rc == Rounding::Down && sign);
      return to_inf ? T::inf(sign) : (T::zero(sign) | T::kMaxFinite);
    }
    result = (static_cast<Bits>(e + F::kBias) << F::kFrac) | (static_cast<Bits>(kept) & T::kFracMask);
  }
  if (tiny && !env.masked(mxcsr::UE)) {  // unmasked: UE even if exact, PE as for OE above
    env.flags |= mxcsr::UE | unbounded_pe;
    return result | T::zero(sign);
  }
  if (tiny && inexact) env.flags |= mxcsr::UE;
  if (inexact) env.flags |= mxcsr::PE;
  return result | T::zero(sign);
}

template <class F>
typename F::Bits roundExact(const Exact& x, SimdEnv& env) {
  int k = msbIndex(x.m);
  return roundPack<F>(x.sign, x.exp + k, x.m << (127 - k), env);
}

// DAZ: denormal sources read as zero of the same sign, without DE
// (SDM 10.2.3.4).
template <class F>
typename F::Bits daz(typename F::Bits a, const SimdEnv& env) {
  using T = Fmt<F>;
  return env.daz() && T::isDenormal(a) ? T::zero(T::sign(a)) : a;
}

template <class F>
typename F::Bits quiet(typename F::Bits a) {
  return a | Fmt<F>::kQuiet;
}

// SSE NaN rules (SDM Vol. 1, Table 4-7): an SNaN operand raises IE; the
// result is the first source if it is a NaN, else the second, quieted.
template <class F>
bool propagateNaN(typename F::Bits a, typename F::Bits b, SimdEnv& env, typename F::Bits& out) {
  using T = Fmt<F>;
  if (!T::isNaN(a) && !T::isNaN(b)) return false;
  if (T::isSNaN(a) || T::isSNaN(b)) env.flags |= mxcsr::IE;
  out = quiet<F>(T::isNaN(a) ? a : b);
  return true;
}

// The first steps of every two-operand operation: DAZ, then the NaN rules.
template <class F>
bool screenOperands(typename F::Bits& a, typename F::Bits& b, SimdEnv& env, typename F::Bits& out) {
  a = daz<F>(a, env);
  b = daz<F>(b, env);
  return propagateNaN<F>(a, b, env, out);
}

template <class F>
void noteDenormals(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  if (Fmt<F>::isDenormal(a) || Fmt<F>::isDenormal(b)) env.flags |= mxcsr::DE;
}

template <class F>
typename F::Bits invalid(SimdEnv& env) {
  env.flags |= mxcsr::IE;
  return Fmt<F>::kDefaultNaN;
}

template <class F>
typename F::Bits addSigned(typename F::Bits a, typename F::Bits b, bool negate_b, SimdEnv& env) {
  using T = Fmt<F>;
  typename F::Bits out;
  if (screenOperands<F>(a, b, env, out)) return out;
  if (negate_b) b ^= T::kSign;
  noteDenormals<F>(a, b, env);
  if (T::isInf(a) || T::isInf(b)) {
    if (T::isInf(a) && T::isInf(b) && T::sign(a) != T::sign(b)) return invalid<F>(env);
    return T::isInf(a) ? a : b;
  }
  if (T::isZero(a) && T::isZero(b))
    return T::sign(a) == T::sign(b) ? a : T::zero(env.rounding() == Rounding::Down);
  Exact x = unpack<F>(a), y = unpack<F>(b);
  if (T::isZero(a)) return roundExact<F>(y, env);  // FTZ may still flush a denormal
  if (T::isZero(b)) return roundExact<F>(x, env);
  if (x.exp < y.exp || (x.exp == y.exp && x.m < y.m)) std::swap(x, y);
  // Both significands move up 64 bits; the smaller is aligned below with a
  // sticky bit, which leaves far more guard bits than rounding needs.
  u128 mx = x.m << 64, my = y.m << 64;
  int d = x.exp - y.exp;
  if (d >= 128) my = my ? 1 : 0;
  else if (d > 0) my = (my >> d) | ((my & ((u128{1} << d) - 1)) ? 1 : 0);
  u128 m = x.sign == y.sign ? mx + my : mx - my;
  if (m == 0) return T::zero(env.rounding() == Rounding::Down);
  return roundExact<F>(Exact{x.sign, x.exp - 64, m}, env);
}

u128 isqrt(u128 v, u128& rem) {
  u128 root = 0, bit = u128{1} << 126;
  while (bit > v) bit >>= 2;
  while (bit) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  rem = v;
  return root;
}

template <class F>
bool lessThan(typename F::Bits a, typename F::Bits b) {  // ordered, non-NaN operands
  using T = Fmt<F>;
  if (T::isZero(a) && T::isZero(b)) return false;
  bool sa = T::sign(a), sb = T::sign(b);
  if (sa != sb) return sa;
  typename F::Bits ma = a & ~T::kSign, mb = b & ~T::kSign;
  return sa ? ma > mb : ma < mb;
}

template <class F>
typename F::Bits minMax(typename F::Bits a, typename F::Bits b, bool want_max, SimdEnv& env) {
  using T = Fmt<F>;
  a = daz<F>(a, env);
  b = daz<F>(b, env);
  if (T::isNaN(a) || T::isNaN(b)) {
    env.flags |= mxcsr::IE;
    return b;
  }
  noteDenormals<F>(a, b, env);
  bool pick_a = want_max ? lessThan<F>(b, a) : lessThan<F>(a, b);
  return pick_a ? a : b;
}

}  // namespace

template <class F>
typename F::Bits add(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  return addSigned<F>(a, b, false, env);
}

template <class F>
typename F::Bits sub(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  return addSigned<F>(a, b, true, env);
}

template <class F>
typename F::Bits mul(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  using T = Fmt<F>;
  typename F::Bits out;
  if (screenOperands<F>(a, b, env, out)) return out;
  noteDenormals<F>(a, b, env);
  bool s = T::sign(a) != T::sign(b);
  if (T::isInf(a) || T::isInf(b)) {
    if (T::isZero(a) || T::isZero(b)) return invalid<F>(env);
    return T::inf(s);
  }
  if (T::isZero(a) || T::isZero(b)) return T::zero(s);
  Exact x = unpack<F>(a), y = unpack<F>(b);
  return roundExact<F>(Exact{s, x.exp + y.exp, x.m * y.m}, env);
}

template <class F>
typename F::Bits div(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  using T = Fmt<F>;
  typename F::Bits out;
  if (screenOperands<F>(a, b, env, out)) return out;
  bool s = T::sign(a) != T::sign(b);
  // Division by zero reports ZE alone, even for a denormal dividend
  // (measured); otherwise a denormal operand reports DE.
  if (T::isZero(b)) {
    if (T::isZero(a) || T::isInf(a)) return T::isZero(a) ? invalid<F>(env) : T::inf(s);
    env.flags |= mxcsr::ZE;
    return T::inf(s);
  }
  noteDenormals<F>(a, b, env);
  if (T::isInf(a)) return T::isInf(b) ? invalid<F>(env) : T::inf(s);
  if (T::isInf(b)) return T::zero(s);
  if (T::isZero(a)) return T::zero(s);
  Exact x = unpack<F>(a), y = unpack<F>(b);
  // Dividend up to bit 126, divisor at most 53 bits: >= 73 quotient bits,
  // the remainder folded into a sticky bit.
  int sx = 126 - msbIndex(x.m);
  u128 n = x.m << sx;
  u128 q = n / y.m;
  if (n % y.m) q |= 1;
  return roundExact<F>(Exact{s, x.exp - sx - y.exp, q}, env);
}

template <class F>
typename F::Bits sqrt(typename F::Bits a, SimdEnv& env) {
  using T = Fmt<F>;
  a = daz<F>(a, env);
  if (T::isNaN(a)) {
    if (T::isSNaN(a)) env.flags |= mxcsr::IE;
    return quiet<F>(a);
  }
  if (T::isZero(a)) return a;  // sqrt(-0) = -0
  if (T::sign(a)) return invalid<F>(env);  // IE alone, also for a denormal (measured)
  if (T::isInf(a)) return a;
  if (T::isDenormal(a)) env.flags |= mxcsr::DE;
  Exact x = unpack<F>(a);
  int sh = 125 - msbIndex(x.m);
  if ((x.exp - sh) & 1) ++sh;  // an even exponent halves exactly
  u128 rem;
  u128 r = isqrt(x.m << sh, rem);
  int e = (x.exp - sh) / 2;
  if (rem) {  // strictly between r and r + 1: one more bit, set
    r = (r << 1) | 1;
    --e;
  }
  return roundExact<F>(Exact{false, e, r}, env);
}

template <class F>
typename F::Bits min(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  return minMax<F>(a, b, false, env);
}

template <class F>
typename F::Bits max(typename F::Bits a, typename F::Bits b, SimdEnv& env) {
  return minMax<F>(a, b, true, env);
}

template <class F>
Relation compare(typename F::Bits a, typename F::Bits b, bool signaling, SimdEnv& env) {
  using T = Fmt<F>;
  a = daz<F>(a, env);
  b = daz<F>(b, env);
  if (T::isNaN(a) || T::isNaN(b)) {
    if (signaling || T::isSNaN(a) || T::isSNaN(b)) env.flags |= mxcsr::IE;
    return Relation::Unordered;
  }
  noteDenormals<F>(a, b, env);
  if (lessThan<F>(a, b)) return Relation::Less;
  if (lessThan<F>(b, a)) return Relation::Greater;
  return Relation::Equal;
}

template <class F>
bool comparePredicate(typename F::Bits a, typename F::Bits b, unsigned predicate, SimdEnv& env) {
  // LT, LE, NLT, NLE signal on QNaN; EQ, UNORD, NEQ, ORD only on SNaN
  // (SDM Vol. 2, CMPPS, Table 3-7).
  unsigned p = predicate & 7;
  bool signaling = p == 1 || p == 2 || p == 5 || p == 6;
  Relation r = compare<F>(a, b, signaling, env);
  bool un = r == Relation::Unordered;
  switch (p) {
    case 0: return r == Relation::Equal;
    case 1: return r == Relation::Less;
    case 2: return r == Relation::Less || r == Relation::Equal;
    case 3: return un;
    case 4: return r != Relation::Equal;
    case 5: return !(r == Relation::Less);
    case 6: return !(r == Relation::Less || r == Relation::Equal);
    default: return !un;
  }
}

uint64_t f32ToF64(uint32_t a, SimdEnv& env) {
  using S = Fmt<F32>;
  using D = Fmt<F64>;
  a = daz<F32>(a, env);
  bool s = S::sign(a);
  if (S::isNaN(a)) {
    if (S::isSNaN(a)) env.flags |= mxcsr::IE;
    return D::inf(s) | D::kQuiet | (static_cast<uint64_t>(a & S::kFracMask) << 29);
  }
  if (S::isInf(a)) return D::inf(s);
  if (S::isZero(a)) return D::zero(s);
  if (S::isDenormal(a)) env.flags |= mxcsr::DE;
  return roundExact<F64>(unpack<F32>(a), env);  // exact: never rounds
}

uint32_t f64ToF32(uint64_t a, SimdEnv& env) {
  using S = Fmt<F32>;
  using D = Fmt<F64>;
  a = daz<F64>(a, env);
  bool s = D::sign(a);
  if (D::isNaN(a)) {
    if (D::isSNaN(a)) env.flags |= mxcsr::IE;
    return S::inf(s) | S::kQuiet | static_cast<uint32_t>((a & D::kFracMask) >> 29);
  }
  if (D::isInf(a)) return S::inf(s);
  if (D::isZero(a)) return S::zero(s);
  if (D::isDenormal(a)) env.flags |= mxcsr::DE;
  return roundExact<F32>(unpack<F64>(a), env);
}

template <class F>
typename F::Bits fromInt(int64_t v, SimdEnv& env) {
  if (v == 0) return 0;
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return roundExact<F>(Exact{v < 0, 0, mag}, env);
}

template <class F>
int64_t toInt(typename F::Bits a, unsigned bits, bool truncate, SimdEnv& env) {
  using T = Fmt<F>;
  const int64_t indefinite = static_cast<int64_t>(~0ull << (bits - 1));
  a = daz<F>(a, env);
  if (T::isNaN(a) || T::isInf(a)) {
    env.flags |= mxcsr::IE;
    return indefinite;
  }
  if (T::isZero(a)) return 0;
  Exact x = unpack<F>(a);
  if (x.exp > 0 && msbIndex(x.m) + x.exp >= 64) {
    env.flags |= mxcsr::IE;
    return indefinite;
  }
  auto [mag, inexact] = roundShift(x.m, -x.exp, x.sign, truncate ? Rounding::Zero : env.rounding());
  u128 limit = u128{1} << (bits - 1);
  if (x.sign ? mag > limit : mag >= limit) {
    env.flags |= mxcsr::IE;
    return indefinite;
  }
  if (inexact) env.flags |= mxcsr::PE;
  uint64_t m = static_cast<uint64_t>(mag);
  return x.sign ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
}

template <class F>
typename F::Bits roundToIntegral(typename F::Bits a, Rounding mode, bool suppress_inexact, SimdEnv& env) {
  using T = Fmt<F>;
  a = daz<F>(a, env);
  if (T::isNaN(a)) {
    if (T::isSNaN(a)) env.flags |= mxcsr::IE;
    return quiet<F>(a);
  }
  if (T::isInf(a) || T::isZero(a)) return a;
  Exact x = unpack<F>(a);
  if (x.exp >= 0) return a;  // already integral
  auto [n, inexact] = roundShift(x.m, -x.exp, x.sign, mode);
  if (inexact && !suppress_inexact) env.flags |= mxcsr::PE;
  if (n == 0) return T::zero(x.sign);
  SimdEnv exact_env = env;  // an integer below 2^53 packs exactly
  return roundExact<F>(Exact{x.sign, 0, n}, exact_env);
}

namespace {
// The estimate's bits: the exact value rounded toward zero, the low 11
// fraction bits cleared; tiny results are flushed, denormal inputs are zero.
uint32_t truncateEstimate(uint32_t v) { return Fmt<F32>::isNaN(v) ? v : v & ~0x7FFu; }
SimdEnv estimateEnv() { return SimdEnv{(mxcsr::kDefault | mxcsr::DAZ | mxcsr::FZ) | (3u << mxcsr::kRcShift), 0}; }
}  // namespace

uint32_t reciprocalEstimate(uint32_t a) {
  SimdEnv env = estimateEnv();
  return truncateEstimate(div<F32>(0x3F800000u, a, env));
}

uint32_t reciprocalSqrtEstimate(uint32_t a) {
  SimdEnv env = estimateEnv();
  using S = Fmt<F32>;
  a = daz<F32>(a, env);
  if (S::isNaN(a)) return quiet<F32>(a);
  if (S::isZero(a)) return S::inf(S::sign(a));
  if (S::sign(a)) return S::kDefaultNaN;
  // In double the square root and the division lose far less than 2^-12.
  uint64_t d = f32ToF64(a, env);
  uint64_t r = div<F64>(0x3FF0000000000000ull, sqrt<F64>(d, env), env);
  return truncateEstimate(f64ToF32(r, env));
}

template uint32_t add<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t add<F64>(uint64_t, uint64_t, SimdEnv&);
template uint32_t sub<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t sub<F64>(uint64_t, uint64_t, SimdEnv&);
template uint32_t mul<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t mul<F64>(uint64_t, uint64_t, SimdEnv&);
template uint32_t div<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t div<F64>(uint64_t, uint64_t, SimdEnv&);
template uint32_t sqrt<F32>(uint32_t, SimdEnv&);
template uint64_t sqrt<F64>(uint64_t, SimdEnv&);
template uint32_t min<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t min<F64>(uint64_t, uint64_t, SimdEnv&);
template uint32_t max<F32>(uint32_t, uint32_t, SimdEnv&);
template uint64_t max<F64>(uint64_t, uint64_t, SimdEnv&);
template Relation compare<F32>(uint32_t, uint32_t, bool, SimdEnv&);
template Relation compare<F64>(uint64_t, uint64_t, bool, SimdEnv&);
template bool comparePredicate<F32>(uint32_t, uint32_t, unsigned, SimdEnv&);
template bool comparePredicate<F64>(uint64_t, uint64_t, unsigned, SimdEnv&);
template uint32_t fromInt<F32>(int64_t, SimdEnv&);
template uint64_t fromInt<F64>(int64_t, SimdEnv&);
template int64_t toInt<F32>(uint32_t, unsigned, bool, SimdEnv&);
template int64_t toInt<F64>(uint64_t, unsigned, bool, SimdEnv&);
template uint32_t roundToIntegral<F32>(uint32_t, Rounding, bool, SimdEnv&);
template uint64_t roundToIntegral<F64>(uint64_t, Rounding, bool, SimdEnv&);

}  // namespace sv::simd
