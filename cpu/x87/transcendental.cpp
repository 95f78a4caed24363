#include "cpu/x87/transcendental.h"

#include "cpu/x87/wide_real.h"

namespace sv::x87 {

namespace {

using u128 = WideReal::u128;

constexpr u128 k128(uint64_t hi, uint64_t lo) { return (static_cast<u128>(hi) << 64) | lo; }

// Constants to 128 bits, round to nearest.
const WideReal kPi{false, 1, k128(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull)};
const WideReal kLog2e{false, 0, k128(0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E89ull)};
const WideReal kLn2{false, -1, k128(0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull)};
const WideReal kWideOne = WideReal::fromU64(1);
constexpr u128 kSqrt2Sig = k128(0xB504F333F9DE6484ull, 0x597D89B3754ABE9Full);  // sqrt(2), e = 0
// The 66-bit pi of the x87's argument reduction (SDM Vol. 1, 8.3.10): pi ~ kPi66 * 2^-64.
constexpr u128 kPi66 = k128(0x3ull, 0x243F6A8885A308D3ull);

constexpr int32_t kBias = 16383;

WideReal wide(Float80 a) {
  int32_t exp = a.exp() ? a.exp() : 1;  // denormals have the minimum exponent
  return WideReal::make(a.sign(), exp - kBias, static_cast<u128>(a.sig) << 64);
}

Float80 rounded(const WideReal& w, FpEnv& env) {
  if (w.zero()) return Float80{0, 0};
  return detail::roundExtended(w.neg, w.e, w.m, env);
}

Float80 signedZero(bool neg) { return Float80{0, static_cast<uint16_t>(neg ? 0x8000 : 0)}; }
Float80 signedInf(bool neg) { return Float80{0x8000000000000000ull, static_cast<uint16_t>(neg ? 0xFFFF : 0x7FFF)}; }

// Adds terms of a series until they no longer touch the sum's 128 bits.
// `next(k, term)` produces term k from term k-1.
template <typename Next>
WideReal series(WideReal first, Next next) {
  WideReal sum = first, term = first;
  for (uint64_t k = 1; k < 200; ++k) {
    term = next(k, term);
    if (term.zero()) break;
    sum = sum + term;
    if (term.e < sum.e - 130) break;
  }
  return sum;
}

// sin and cos for |r| <= pi/4 (Taylor series).
WideReal sinSmall(const WideReal& r) {
  WideReal r2 = r * r;
  return series(r, [&](uint64_t k, const WideReal& t) { return -(t * r2 / WideReal::fromU64((2 * k) * (2 * k + 1))); });
}
WideReal cosSmall(const WideReal& r) {
  WideReal r2 = r * r;
  return series(kWideOne, [&](uint64_t k, const WideReal& t) { return -(t * r2 / WideReal::fromU64((2 * k - 1) * (2 * k))); });
}

// atan(z) and atanh(z) for |z| <= 1/2: z -+ z^3/3 + z^5/5 ...
WideReal oddPowerSeries(const WideReal& z, bool alternate) {
  WideReal z2 = alternate ? -(z * z) : z * z;
  WideReal power = z, sum = z;
  for (uint64_t k = 1; k < 200; ++k) {
    power = power * z2;
    WideReal term = power / WideReal::fromU64(2 * k + 1);
    if (term.zero()) break;
    sum = sum + term;
    if (term.e < sum.e - 130) break;
  }
  return sum;
}

// atan(t) for 0 <= t <= 1; above 1/2 through atan(t) = pi/4 + atan((t-1)/(t+1)).
WideReal atanUnit(const WideReal& t) {
  if (t.e <= -2) return oddPowerSeries(t, true);  // t < 1/2
  return kPi.scaled(-2) + oddPowerSeries((t - kWideOne) / (t + kWideOne), true);
}

// expm1(t) = t + t^2/2! + ... for |t| < 1/2.
WideReal expm1Small(const WideReal& t) {
  return series(t, [&](uint64_t k, const WideReal& term) { return term * t / WideReal::fromU64(k + 1); });
}

// log2(w) for w > 0: k + 2 atanh((m-1)/(m+1)) log2(e), m in [sqrt(1/2), sqrt(2)).
WideReal log2Positive(const WideReal& w) {
  int32_t k = w.e;
  WideReal m{false, 0, w.m};
  if (m.m >= kSqrt2Sig) {
    m.e = -1;
    ++k;
  }
  WideReal frac = oddPowerSeries((m - kWideOne) / (m + kWideOne), false).scaled(1) * kLog2e;
  return WideReal::fromInt(k) + frac;
}

// Operand screening shared by the one-operand instructions: true when the
// result is decided (NaN, unsupported, unmasked denormal) in `out`.
bool screen1(Float80 a, FpEnv& env, Float80& out) {
  switch (classify(a)) {
    case Class::Unsupported: out = detail::invalidOperation(env); return true;
    case Class::QNaN:
    case Class::SNaN: out = detail::propagateNaN(a, a, env); return true;
    case Class::Denormal:
      env.flags |= fsw::DE;
      if (!env.masked(fsw::DE)) {
        env.suppress = true;
        out = a;
        return true;
      }
      return false;
    default: return false;
  }
}

// Reduces |a| < 2^63 (finite, nonzero) by multiples of pi66/2, exactly:
// |a| = k * pi66/2 + r with |r| <= pi66/4. Returns r (sign of a dropped).
WideReal reduce(Float80 a, uint64_t& k) {
  WideReal w = wide(a);
  w.neg = false;
  k = 0;
  if (w.e < -1 || (w.e == -1 && w.m <= kPi.m)) return w;  // |a| <= pi/4 (pi/4 has pi's significand)
  // |a| = M * 2^E; a / (pi66/2) = (M << (E + 65)) / kPi66, E + 65 in [1, 64].
  int32_t exp = a.exp() ? a.exp() : 1;
  int shift = exp - kBias - 63 + 65;
  u128 n = static_cast<u128>(a.sig) << shift;
  u128 q = n / kPi66;
  u128 rem = n - q * kPi66;
  k = static_cast<uint64_t>(q);
  if (rem * 2 > kPi66) {
    ++k;
    return WideReal::make(true, 127 - 65, kPi66 - rem);
  }
  return WideReal::make(false, 127 - 65, rem);
}

bool inTrigRange(Float80 a) { return a.exp() < kBias + 63; }

}  // namespace

bool sinCos(Float80 a, FpEnv& env, Float80* sin, Float80* cos) {
  Float80 decided;
  Class c = classify(a);
  if (c == Class::Infinity) decided = detail::invalidOperation(env);
  if (c == Class::Infinity || screen1(a, env, decided)) {
    if (sin) *sin = decided;
    if (cos) *cos = decided;
    return true;
  }
  if (c == Class::Zero) {
    if (sin) *sin = a;
    if (cos) *cos = Float80{0x8000000000000000ull, 0x3FFF};
    return true;
  }
  if (!inTrigRange(a)) return false;
  uint64_t k;
  WideReal r = reduce(a, k);
  WideReal s = sinSmall(r), co = cosSmall(r);
  // sin(k pi/2 + r) and cos(k pi/2 + r) by quadrant; sin is odd in a.
  WideReal sv = (k & 1) ? co : s, cv = (k & 1) ? s : co;
  if (k & 2) sv = -sv;
  if ((k + 1) & 2) cv = -cv;
  if (a.sign()) sv = -sv;
  // FSINCOS rounds sin, then cos; C1 reflects the last rounding.
  if (sin) *sin = rounded(sv, env);
  if (cos) *cos = rounded(cv, env);
  return true;
}

bool tan(Float80 a, FpEnv& env, Float80& out) {
  Class c = classify(a);
  if (c == Class::Infinity) {
    out = detail::invalidOperation(env);
    return true;
  }
  if (screen1(a, env, out)) return true;
  if (c == Class::Zero) {
    out = a;
    return true;
  }
  if (!inTrigRange(a)) return false;
  uint64_t k;
  WideReal r = reduce(a, k);
  WideReal s = sinSmall(r), co = cosSmall(r);
  WideReal t = (k & 1) ? -(co / s) : s / co;
  if (a.sign()) t = -t;
  out = rounded(t, env);
  return true;
}

Float80 atan2(Float80 y, Float80 x, FpEnv& env) {
  Float80 out;
  if (detail::screenOperands(y, x, env, out)) return out;
  Class cy = classify(y), cx = classify(x);
  const bool ny = y.sign(), nx = x.sign();
  WideReal angle;
  if (cy == Class::Zero) {
    if (!nx) return signedZero(ny);  // atan2(+-0, +x) = +-0
    angle = kPi;                     // atan2(+-0, -x) = +-pi
  } else if (cy == Class::Infinity) {
    if (cx == Class::Infinity) angle = nx ? kPi.scaled(-2) * WideReal::fromU64(3) : kPi.scaled(-2);
    else angle = kPi.scaled(-1);
  } else if (cx == Class::Zero) {
    angle = kPi.scaled(-1);
  } else if (cx == Class::Infinity) {
    if (!nx) return signedZero(ny);
    angle = kPi;
  } else {
    WideReal a = wide(y), b = wide(x);
    a.neg = b.neg = false;
    bool steep = a.e > b.e || (a.e == b.e && a.m > b.m);
    angle = steep ? kPi.scaled(-1) - atanUnit(b / a) : atanUnit(a / b);
    if (nx) angle = kPi - angle;
  }
  if (ny) angle = -angle;
  return rounded(angle, env);
}

Float80 exp2m1(Float80 x, FpEnv& env) {
  Float80 out;
  if (screen1(x, env, out)) return out;
  switch (classify(x)) {
    case Class::Zero: return x;
    case Class::Infinity: return x.sign() ? Float80{0x8000000000000000ull, 0xBFFF} : x;  // -1 or +inf
    default: break;
  }
  WideReal w = wide(x);
  // Outside -1 <= x <= 1 the SDM leaves the result undefined; the x87 we
  // measured returns the operand with PE, and so do we.
  if (w.e > 0 || (w.e == 0 && w.m != kWideOne.m)) {
    env.flags |= fsw::PE;
    return x;
  }
  // x = n + f with |f| <= 1/2; 2^x - 1 = 2^n (1 + expm1(f ln2)) - 1.
  int64_t n = 0;
  if (w.e >= -1) {  // |x| >= 1/2: n = round(|x|), ties away (either way |f| <= 1/2)
    n = w.e == -1 ? 1
                  : static_cast<int64_t>((w.m >> (127 - w.e)) + ((w.m >> (126 - w.e)) & 1));
    if (w.neg) n = -n;
  }
  WideReal f = w - WideReal::fromInt(n);
  WideReal em1 = f.zero() ? WideReal{} : expm1Small(f * kLn2);
  WideReal result = n == 0 ? em1 : (kWideOne + em1).scaled(static_cast<int32_t>(n)) - kWideOne;
  return rounded(result, env);
}

Float80 ylog2x(Float80 y, Float80 x, FpEnv& env) {
  Class cy = classify(y), cx = classify(x);
  const bool ny = y.sign();
  if (cx == Class::Unsupported || cy == Class::Unsupported) return detail::invalidOperation(env);
  if (isNaN(x) || isNaN(y)) return detail::propagateNaN(y, x, env);
  // SDM FYL2X table. A negative x and a zero x are decided before a
  // denormal operand is reported (measured on the host x87).
  if (x.sign() && cx != Class::Zero) return detail::invalidOperation(env);
  if (cx == Class::Zero) {
    if (cy == Class::Zero) return detail::invalidOperation(env);
    if (cy != Class::Infinity) env.flags |= fsw::ZE;  // finite / 0
    if (cy != Class::Infinity && !env.masked(fsw::ZE)) {
      env.suppress = true;
      return x;
    }
    return signedInf(!ny);
  }
  Float80 out;
  if (detail::screenOperands(y, x, env, out)) return out;  // denormal operands
  if (cx == Class::Infinity) {
    if (cy == Class::Zero) return detail::invalidOperation(env);
    return signedInf(ny);
  }
  WideReal l = log2Positive(wide(x));  // finite x > 0
  if (l.zero()) {  // x = 1
    if (cy == Class::Infinity) return detail::invalidOperation(env);
    return signedZero(ny);
  }
  if (cy == Class::Infinity) return signedInf(ny != l.neg);
  if (cy == Class::Zero) return signedZero(ny != l.neg);
  return rounded(wide(y) * l, env);
}

Float80 ylog2xp1(Float80 y, Float80 x, FpEnv& env) {
  Float80 out;
  if (detail::screenOperands(y, x, env, out)) return out;
  Class cy = classify(y), cx = classify(x);
  const bool ny = y.sign(), nx = x.sign();
  // SDM FYL2XP1 table: x = +-0 gives a zero signed like y * x; infinite y
  // times a zero logarithm is invalid.
  if (cx == Class::Zero) {
    if (cy == Class::Infinity) return detail::invalidOperation(env);
    return signedZero(ny != nx);
  }
  if (cx == Class::Infinity) {
    if (nx) return detail::invalidOperation(env);
    if (cy == Class::Zero) return detail::invalidOperation(env);
    return signedInf(ny);
  }
  // Outside the SDM's domain (|x| < 1 - sqrt(2)/2) the result is undefined;
  // it is y * log2(1 + x) where that exists.
  WideReal w = wide(x);
  WideReal onePlus = kWideOne + w;
  if (onePlus.neg) return detail::invalidOperation(env);
  if (onePlus.zero()) return ylog2x(y, Float80{0, 0}, env);
  // In the domain, 2 atanh(x / (2 + x)) log2(e) keeps the small x exact.
  WideReal l = w.e <= -2 ? oddPowerSeries(w / (onePlus + kWideOne), false).scaled(1) * kLog2e
                         : log2Positive(onePlus);
  if (cy == Class::Infinity) return signedInf(ny != l.neg);
  if (cy == Class::Zero) return signedZero(ny != l.neg);
  return rounded(wide(y) * l, env);
}

}  // namespace sv::x87
