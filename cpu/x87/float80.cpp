// Software x87 extended-precision arithmetic. See float80.h.
//
// Internally a finite nonzero value is (sign, E, sig) with the leading 1 in
// bit 127 of a 128-bit significand: value = sig * 2^(E - 127). Rounding is
// done once, by roundGeneric, for every destination format (80-bit with
// precision control, float64, float32), which mirrors how the x87 rounds: to
// p significand bits at a fixed position, denormalising first when the
// exponent is below the format's minimum (so PC=24 denormals keep the PC=24
// rounding position, as on hardware).
#include "cpu/x87/float80.h"

#include <utility>

namespace sv::x87 {

namespace {

using u128 = unsigned __int128;

constexpr int kBias = 16383;
constexpr int kEmin = 1 - kBias;  // -16382
constexpr int kEmax = 0x7FFE - kBias;
constexpr int kWrap = 24576;  // exponent bias adjust for unmasked OE/UE (SDM 4.9.1.4)
constexpr uint64_t kInt = 0x8000000000000000ull;
constexpr uint64_t kQuiet = 0x4000000000000000ull;

int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }
int clz128(u128 v) {
  uint64_t hi = static_cast<uint64_t>(v >> 64);
  return hi ? clz64(hi) : 64 + clz64(static_cast<uint64_t>(v));
}

u128 shiftRightJam(u128 v, int n) {
  if (n <= 0) return v;
  if (n >= 128) return v != 0;
  return (v >> n) | ((v << (128 - n)) != 0);
}

struct Unpacked {
  Class cls;
  bool sign;
  int32_t e;     // unbiased exponent of bit 63 (finite nonzero only)
  uint64_t sig;  // normalised (bit 63 set) for Normal/Denormal
};

Unpacked unpack(Float80 a) {
  Unpacked u{classify(a), a.sign(), 0, a.sig};
  if (u.cls == Class::Normal) {
    u.e = a.exp() - kBias;
  } else if (u.cls == Class::Denormal) {
    // Denormals and pseudo-denormals both have the minimum exponent.
    int s = clz64(a.sig);
    u.sig = a.sig << s;
    u.e = kEmin - s;
  }
  return u;
}

Float80 pack(bool sign, uint16_t exp, uint64_t sig) {
  return Float80{sig, static_cast<uint16_t>((sign ? 0x8000 : 0) | exp)};
}
Float80 infinity(bool sign) { return pack(sign, 0x7FFF, kInt); }
Float80 zero(bool sign) { return pack(sign, 0, 0); }

// Signals IE and returns the real indefinite.
Float80 invalid(FpEnv& env) {
  env.flags |= fsw::IE;
  if (!env.masked(fsw::IE)) env.suppress = true;
  return kIndefinite;
}

// x87 NaN propagation (SDM Vol. 1, Table 4-7): an SNaN is quieted with IE; of
// two NaNs a QNaN beats an SNaN, else the larger significand wins.
Float80 propagateNaN(Float80 a, Float80 b, FpEnv& env) {
  bool an = isNaN(a), bn = isNaN(b);
  bool as = an && !(a.sig & kQuiet), bs = bn && !(b.sig & kQuiet);
  if (as || bs) {
    env.flags |= fsw::IE;
    if (!env.masked(fsw::IE)) env.suppress = true;
  }
  Float80 qa{a.sig | kQuiet, a.se}, qb{b.sig | kQuiet, b.se};
  if (!bn) return qa;
  if (!an) return qb;
  if (as != bs) return as ? qb : qa;
  uint64_t ma = a.sig & ~kInt, mb = b.sig & ~kInt;
  if (ma != mb) return ma > mb ? qa : qb;
  return a.se < b.se ? qa : qb;
}

struct RoundResult {
  int32_t e;   // unbiased exponent of bit 127 (format minimum if denormal)
  u128 sig;    // bit 127 clear => denormal or zero
  bool inf;
};

// Rounds sign * sig * 2^(E-127) (sig normalised; E = exponent of bit 127) to p bits in [emin, emax].
// `wrapOnUnmasked`: arithmetic into a register, where unmasked OE/UE deliver
// the exponent-wrapped result; otherwise (memory formats) they suppress.
RoundResult roundGeneric(bool sign, int32_t e, u128 sig, int p, int emin, int emax, FpEnv& env,
                         bool wrapOnUnmasked) {
  const unsigned rc = env.rc();
  const int lowBits = 128 - p;
  const u128 unit = static_cast<u128>(1) << lowBits;
  const u128 lowMask = unit - 1;
  const u128 half = unit >> 1;
  // Rounds sig at the fixed position; returns true when it carried out.
  auto roundAt = [&](u128& s, bool& inexact, bool& up) {
    u128 low = s & lowMask;
    inexact = low != 0;
    bool inc = false;
    switch (rc) {
      case 0: inc = low > half || (low == half && (s & unit)); break;
      case 1: inc = sign && inexact; break;
      case 2: inc = !sign && inexact; break;
      default: break;
    }
    up = inc;
    s &= ~lowMask;
    if (inc) {
      s += unit;
      if (s == 0) {
        s = static_cast<u128>(1) << 127;
        return true;
      }
    }
    return false;
  };

  bool inexact = false, up = false;
  if (e < emin) {
    // Tininess is detected after rounding (with unbounded exponent).
    u128 t = sig;
    bool ti, tu;
    bool carry = roundAt(t, ti, tu);
    bool tiny = !(carry && e + 1 >= emin);
    bool maskedUE = env.masked(fsw::UE);
    if (!maskedUE && tiny) {
      env.flags |= fsw::UE;
      if (!wrapOnUnmasked) {
        env.suppress = true;
        return RoundResult{e, sig, false};
      }
      // Deliver the rounded result with the exponent wrapped up.
      if (carry) ++e;
      if (ti) env.flags |= fsw::PE;
      if (tu) env.flags |= fsw::C1;
      return RoundResult{e + kWrap, t, false};
    }
    sig = shiftRightJam(sig, emin - e);
    e = emin;
    roundAt(sig, inexact, up);
    // A denormal that rounds up to the minimum normal simply gets bit 127.
    if (inexact) {
      env.flags |= fsw::PE;
      if (tiny) env.flags |= fsw::UE;
    }
    if (up) env.flags |= fsw::C1;
    return RoundResult{e, sig, false};
  }
  if (roundAt(sig, inexact, up)) ++e;
  if (e > emax) {
    env.flags |= fsw::OE;
    if (!env.masked(fsw::OE)) {
      if (!wrapOnUnmasked) {  // memory store: nothing stored, OE alone (measured)
        env.suppress = true;
        return RoundResult{e, sig, false};
      }
      if (inexact) env.flags |= fsw::PE;
      if (up) env.flags |= fsw::C1;
      return RoundResult{e - kWrap, sig, false};
    }
    env.flags |= fsw::PE;
    bool toInf = rc == 0 || (rc == 1 && sign) || (rc == 2 && !sign);
    if (toInf) {
      env.flags |= fsw::C1;
      return RoundResult{emax + 1, 0, true};
    }
    return RoundResult{emax, ~lowMask, false};
  }
  if (inexact) env.flags |= fsw::PE;
  if (up) env.flags |= fsw::C1;
  return RoundResult{e, sig, false};
}

int precisionBits(const FpEnv& env) {
  switch (env.pc()) {
    case 0: return 24;
    case 2: return 53;
    default: return 64;
  }
}

// Rounds to the 80-bit format (p bits of precision, 15-bit exponent range).
Float80 round80(bool sign, int32_t e, u128 sig, int p, FpEnv& env) {
  if (sig == 0) return zero(sign);
  int s = clz128(sig);
  sig <<= s;
  e -= s;
  RoundResult r = roundGeneric(sign, e, sig, p, kEmin, kEmax, env, true);
  if (r.inf) return infinity(sign);
  uint64_t hi = static_cast<uint64_t>(r.sig >> 64);
  if (!(hi & kInt)) return pack(sign, 0, hi);
  return pack(sign, static_cast<uint16_t>((r.e + kBias) & 0x7FFF), hi);
}

// Common operand screening for two-operand arithmetic. Returns true when the
// result is already decided (NaN/unsupported/unmasked denormal) in `out`.
bool screen2(Float80 a, Float80 b, const Unpacked& ua, const Unpacked& ub, FpEnv& env, Float80& out) {
  if (ua.cls == Class::Unsupported || ub.cls == Class::Unsupported) {
    out = invalid(env);
    return true;
  }
  bool an = ua.cls == Class::QNaN || ua.cls == Class::SNaN;
  bool bn = ub.cls == Class::QNaN || ub.cls == Class::SNaN;
  if (an || bn) {
    out = propagateNaN(a, b, env);
    return true;
  }
  if (ua.cls == Class::Denormal || ub.cls == Class::Denormal) {
    env.flags |= fsw::DE;
    if (!env.masked(fsw::DE)) {
      env.suppress = true;
      out = a;
      return true;
    }
  }
  return false;
}

Float80 addImpl(Float80 a, Float80 b, bool negateB, FpEnv& env) {
  Unpacked ua = unpack(a), ub = unpack(b);
  Float80 out;
  if (screen2(a, b, ua, ub, env, out)) return out;
  if (negateB) ub.sign = !ub.sign;
  if (ua.cls == Class::Infinity || ub.cls == Class::Infinity) {
    if (ua.cls == Class::Infinity && ub.cls == Class::Infinity && ua.sign != ub.sign) return invalid(env);
    return infinity(ua.cls == Class::Infinity ? ua.sign : ub.sign);
  }
  const int p = precisionBits(env);
  if (ua.cls == Class::Zero && ub.cls == Class::Zero)
    return zero(ua.sign == ub.sign ? ua.sign : env.rc() == 1);
  if (ua.cls == Class::Zero) return round80(ub.sign, ub.e, static_cast<u128>(ub.sig) << 64, p, env);
  if (ub.cls == Class::Zero) return round80(ua.sign, ua.e, static_cast<u128>(ua.sig) << 64, p, env);
  // Align the smaller magnitude to the larger; 64 guard bits plus a sticky
  // bit make the (single) final rounding exact.
  if (ub.e > ua.e || (ub.e == ua.e && ub.sig > ua.sig)) std::swap(ua, ub);
  u128 x = static_cast<u128>(ua.sig) << 64;
  u128 y = shiftRightJam(static_cast<u128>(ub.sig) << 64, ua.e - ub.e);
  int32_t e = ua.e;  // exponent of bit 127 of r
  u128 r;
  if (ua.sign == ub.sign) {
    // Make room for the carry by pre-shifting one bit.
    x >>= 1;
    y = shiftRightJam(y, 1);
    r = x + y;
    e = ua.e + 1;
  } else {
    r = x - y;
    if (r == 0) return zero(env.rc() == 1);
  }
  return round80(ua.sign, e, r, p, env);
}

}  // namespace

Class classify(Float80 a) {
  uint16_t e = a.exp();
  if (e == 0x7FFF) {
    if (!(a.sig & kInt)) return Class::Unsupported;  // pseudo-infinity / pseudo-NaN
    if ((a.sig << 1) == 0) return Class::Infinity;
    return (a.sig & kQuiet) ? Class::QNaN : Class::SNaN;
  }
  if (e == 0) return a.sig == 0 ? Class::Zero : Class::Denormal;
  return (a.sig & kInt) ? Class::Normal : Class::Unsupported;  // unnormal
}

Float80 negate(Float80 a) { return Float80{a.sig, static_cast<uint16_t>(a.se ^ 0x8000)}; }
Float80 abs(Float80 a) { return Float80{a.sig, static_cast<uint16_t>(a.se & 0x7FFF)}; }

Float80 add(Float80 a, Float80 b, FpEnv& env) { return addImpl(a, b, false, env); }
Float80 sub(Float80 a, Float80 b, FpEnv& env) { return addImpl(a, b, true, env); }

Float80 mul(Float80 a, Float80 b, FpEnv& env) {
  Unpacked ua = unpack(a), ub = unpack(b);
  Float80 out;
  if (screen2(a, b, ua, ub, env, out)) return out;
  bool sign = ua.sign != ub.sign;
  bool az = ua.cls == Class::Zero, bz = ub.cls == Class::Zero;
  bool ai = ua.cls == Class::Infinity, bi = ub.cls == Class::Infinity;
  if (ai || bi) {
    if (az || bz) return invalid(env);
    return infinity(sign);
  }
  if (az || bz) return zero(sign);
  // (sigA * 2^(ea-63)) * (sigB * 2^(eb-63)) = P * 2^(ea+eb-126): bit 127 of P
  // has exponent ea+eb+1.
  u128 prod = static_cast<u128>(ua.sig) * ub.sig;
  return round80(sign, ua.e + ub.e + 1, prod, precisionBits(env), env);
}

Float80 div(Float80 a, Float80 b, FpEnv& env) {
  Unpacked ua = unpack(a), ub = unpack(b);
  Float80 out;
  if (ub.cls == Class::Zero && (ua.cls == Class::Normal || ua.cls == Class::Denormal)) {
    // Divide-by-zero is detected before the denormal-operand check (measured).
    env.flags |= fsw::ZE;
    if (!env.masked(fsw::ZE)) env.suppress = true;
    return infinity(ua.sign != ub.sign);
  }
  if (screen2(a, b, ua, ub, env, out)) return out;
  bool sign = ua.sign != ub.sign;
  bool az = ua.cls == Class::Zero, bz = ub.cls == Class::Zero;
  bool ai = ua.cls == Class::Infinity, bi = ub.cls == Class::Infinity;
  if (ai) {
    if (bi) return invalid(env);
    return infinity(sign);
  }
  if (bi) return zero(sign);
  if (bz) {
    if (az) return invalid(env);
    env.flags |= fsw::ZE;
    if (!env.masked(fsw::ZE)) env.suppress = true;
    return infinity(sign);
  }
  if (az) return zero(sign);
  // Long division to 128 quotient bits plus a sticky bit.
  u128 num = static_cast<u128>(ua.sig) << 64;
  int32_t e = ua.e - ub.e;  // exponent of the quotient's bit 127 when sigA >= sigB
  if (ua.sig < ub.sig) {
    --e;
  } else {
    num >>= 1;
  }
  // num / sigB is in [2^63, 2^64).
  u128 q1 = num / ub.sig;
  u128 rem = num % ub.sig;
  u128 num2 = rem << 64;
  u128 q2 = num2 / ub.sig;
  u128 rem2 = num2 % ub.sig;
  u128 q = (q1 << 64) | q2 | (rem2 != 0);
  return round80(sign, e, q, precisionBits(env), env);
}

namespace {
// floor(sqrt(n)) for a 128-bit n, bit by bit.
uint64_t isqrt128(u128 n, u128& remOut) {
  u128 res = 0;
  u128 bit = static_cast<u128>(1) << 126;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= res + bit) {
      n -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  remOut = n;
  return static_cast<uint64_t>(res);
}
}  // namespace

Float80 sqrt(Float80 a, FpEnv& env) {
  Unpacked ua = unpack(a);
  switch (ua.cls) {
    case Class::Unsupported: return invalid(env);
    case Class::QNaN:
    case Class::SNaN: return propagateNaN(a, a, env);
    case Class::Zero: return a;
    case Class::Infinity: return ua.sign ? invalid(env) : a;
    case Class::Denormal:
      if (ua.sign) return invalid(env);  // IE takes precedence over DE
      env.flags |= fsw::DE;
      if (!env.masked(fsw::DE)) {
        env.suppress = true;
        return a;
      }
      break;
    default: break;
  }
  if (ua.sign) return invalid(env);
  // value = sig * 2^(e-63); scale sig by 2^k (k in {63,64}) so e-63-k is even.
  int k = ((ua.e - 63 - 64) & 1) ? 63 : 64;
  u128 n = static_cast<u128>(ua.sig) << k;
  u128 rem;
  uint64_t r = isqrt128(n, rem);
  // sqrt(n) = r + f with f > 1/2 iff rem > r (f = 1/2 exactly is impossible).
  u128 sig = static_cast<u128>(r) << 64;
  if (rem > r) sig |= (static_cast<u128>(1) << 63) | 1;
  else if (rem != 0) sig |= 1;
  // sqrt(value) = (sig * 2^-64) * 2^((e-63-k)/2): bit 127 exponent below.
  int32_t e = 63 + (ua.e - 63 - k) / 2;
  return round80(false, e, sig, precisionBits(env), env);
}

namespace {
// Rounds |value| to an integer per rounding mode `rc`; value = sig*2^(e-63),
// e <= 63.
u128 roundMagnitude(bool sign, int32_t e, uint64_t sig, unsigned rc, bool& inexact, bool& up) {
  u128 v = static_cast<u128>(sig) << 64;  // fixed point: 64 integer . 64 fraction bits
  int shift = 63 - e;                     // >= 0
  v = shiftRightJam(v, shift);
  uint64_t frac = static_cast<uint64_t>(v);
  u128 ip = v >> 64;
  inexact = frac != 0;
  bool inc = false;
  switch (rc) {
    case 0: inc = frac > kInt || (frac == kInt && (ip & 1)); break;
    case 1: inc = sign && inexact; break;
    case 2: inc = !sign && inexact; break;
    default: break;
  }
  up = inc;
  return ip + inc;
}
}  // namespace

Float80 roundToInt(Float80 a, FpEnv& env) {
  Unpacked ua = unpack(a);
  switch (ua.cls) {
    case Class::Unsupported: return invalid(env);
    case Class::QNaN:
    case Class::SNaN: return propagateNaN(a, a, env);
    case Class::Zero:
    case Class::Infinity: return a;
    case Class::Denormal:
      env.flags |= fsw::DE;
      if (!env.masked(fsw::DE)) {
        env.suppress = true;
        return a;
      }
      break;
    default: break;
  }
  if (ua.e >= 63) return a;
  bool inexact, up;
  u128 m = roundMagnitude(ua.sign, ua.e, ua.sig, env.rc(), inexact, up);
  if (inexact) env.flags |= fsw::PE;
  if (up) env.flags |= fsw::C1;
  if (m == 0) return zero(ua.sign);
  return round80(ua.sign, 127, m, 64, env);
}

uint16_t conditionCodes(Relation r) {
  switch (r) {
    case Relation::Less: return fsw::C0;
    case Relation::Equal: return fsw::C3;
    case Relation::Greater: return 0;
    default: return fsw::C0 | fsw::C2 | fsw::C3;
  }
}

Relation compare(Float80 a, Float80 b, FpEnv& env, bool quiet) {
  Unpacked ua = unpack(a), ub = unpack(b);
  auto nanOrBad = [](Class c) { return c == Class::QNaN || c == Class::SNaN || c == Class::Unsupported; };
  if (nanOrBad(ua.cls) || nanOrBad(ub.cls)) {
    bool raise = !quiet || ua.cls != Class::QNaN || ub.cls != Class::QNaN;
    if (quiet) {
      raise = ua.cls == Class::SNaN || ub.cls == Class::SNaN || ua.cls == Class::Unsupported ||
              ub.cls == Class::Unsupported;
    }
    if (raise) {
      env.flags |= fsw::IE;
      if (!env.masked(fsw::IE)) env.suppress = true;
    }
    return Relation::Unordered;
  }
  if (ua.cls == Class::Denormal || ub.cls == Class::Denormal) {
    env.flags |= fsw::DE;
    if (!env.masked(fsw::DE)) env.suppress = true;
  }
  // Map to a sortable key: zeros equal, infinities beyond every finite.
  auto mag = [](const Unpacked& u) -> u128 {
    if (u.cls == Class::Zero) return 0;
    if (u.cls == Class::Infinity) return ~static_cast<u128>(0);
    return (static_cast<u128>(static_cast<uint32_t>(u.e + 0x10000)) << 64) | u.sig;
  };
  u128 ma = mag(ua), mb = mag(ub);
  if (ma == 0 && mb == 0) return Relation::Equal;
  bool sa = ua.sign && ma != 0, sb = ub.sign && mb != 0;
  if (sa != sb) return sa ? Relation::Less : Relation::Greater;
  if (ma == mb) return Relation::Equal;
  bool less = (ma < mb) != sa;
  return less ? Relation::Less : Relation::Greater;
}

Float80 fromInt(int64_t v) {
  if (v == 0) return kZero;
  bool sign = v < 0;
  uint64_t m = sign ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int s = clz64(m);
  return pack(sign, static_cast<uint16_t>(63 - s + kBias), m << s);
}

bool toInt(Float80 a, unsigned bytes, bool truncate, FpEnv& env, int64_t& out) {
  const int64_t indefinite = static_cast<int64_t>(~0ull << (bytes * 8 - 1));
  Unpacked ua = unpack(a);
  auto bad = [&] {
    env.flags |= fsw::IE;
    out = indefinite;
    if (!env.masked(fsw::IE)) {
      env.suppress = true;
      return false;
    }
    return true;
  };
  switch (ua.cls) {
    case Class::Zero: out = 0; return true;
    case Class::Normal:
    case Class::Denormal: break;
    default: return bad();
  }
  if (ua.e > 63) return bad();  // e == 63 still admits -2^63
  bool inexact, up;
  u128 m = roundMagnitude(ua.sign, ua.e, ua.sig, truncate ? 3 : env.rc(), inexact, up);
  u128 limit = static_cast<u128>(1) << (bytes * 8 - 1);
  if (ua.sign ? m > limit : m >= limit) return bad();
  if (inexact) env.flags |= fsw::PE;
  if (up) env.flags |= fsw::C1;
  uint64_t r = static_cast<uint64_t>(m);
  out = static_cast<int64_t>(ua.sign ? 0 - r : r);
  return true;
}

namespace {
// Loads an IEEE binary format with `fracBits` fraction bits and exponent
// bias `bias` into the 80-bit format (exact).
Float80 fromIeee(uint64_t v, int fracBits, int expBits, FpEnv& env, bool quiet) {
  bool sign = (v >> (fracBits + expBits)) & 1;
  uint64_t expMax = (1ull << expBits) - 1;
  uint64_t ex = (v >> fracBits) & expMax;
  uint64_t frac = v & ((1ull << fracBits) - 1);
  int bias = static_cast<int>(expMax >> 1);
  if (ex == expMax) {
    if (frac == 0) return infinity(sign);
    uint64_t sig = kInt | (frac << (63 - fracBits));
    if (!(sig & kQuiet) && quiet) {
      env.flags |= fsw::IE;
      if (!env.masked(fsw::IE)) env.suppress = true;
      sig |= kQuiet;
    }
    return pack(sign, 0x7FFF, sig);
  }
  if (ex == 0) {
    if (frac == 0) return zero(sign);
    env.flags |= fsw::DE;
    if (!env.masked(fsw::DE)) env.suppress = true;
    int s = clz64(frac);
    // value = frac * 2^(1-bias-fracBits); leading bit at 63-s.
    int e = (63 - s) + 1 - bias - fracBits;
    return pack(sign, static_cast<uint16_t>(e + kBias), frac << s);
  }
  int e = static_cast<int>(ex) - bias;
  return pack(sign, static_cast<uint16_t>(e + kBias), kInt | (frac << (63 - fracBits)));
}

bool toIeee(Float80 a, int fracBits, int expBits, FpEnv& env, uint64_t& out) {
  Unpacked ua = unpack(a);
  uint64_t signBit = static_cast<uint64_t>(ua.sign) << (fracBits + expBits);
  uint64_t expMax = (1ull << expBits) - 1;
  int bias = static_cast<int>(expMax >> 1);
  uint64_t infBits = expMax << fracBits;
  switch (ua.cls) {
    case Class::Zero: out = signBit; return true;
    case Class::Infinity: out = signBit | infBits; return true;
    case Class::Unsupported:
      invalid(env);
      out = (1ull << (fracBits + expBits)) | infBits | (1ull << (fracBits - 1));
      return !env.suppress;
    case Class::QNaN:
    case Class::SNaN:
      if (ua.cls == Class::SNaN) {
        env.flags |= fsw::IE;
        if (!env.masked(fsw::IE)) {
          env.suppress = true;
          return false;
        }
      }
      out = signBit | infBits | ((ua.sig | kQuiet) << 1 >> (64 - fracBits));
      return true;
    default: break;  // a denormal source raises no DE on FST (measured)
  }
  RoundResult r = roundGeneric(ua.sign, ua.e, static_cast<u128>(ua.sig) << 64, fracBits + 1, 1 - bias,
                               bias, env, false);
  if (env.suppress) return false;
  if (r.inf) {
    out = signBit | infBits;
    return true;
  }
  uint64_t hi = static_cast<uint64_t>(r.sig >> 64);
  uint64_t frac = (hi << 1) >> (64 - fracBits);
  uint64_t ex = (hi & kInt) ? static_cast<uint64_t>(r.e + bias) : 0;
  out = signBit | (ex << fracBits) | frac;
  return true;
}
}  // namespace

Float80 fromFloat32(uint32_t v, FpEnv& env, bool quiet) { return fromIeee(v, 23, 8, env, quiet); }
Float80 fromFloat64(uint64_t v, FpEnv& env, bool quiet) { return fromIeee(v, 52, 11, env, quiet); }
bool toFloat32(Float80 a, FpEnv& env, uint32_t& out) {
  uint64_t o = 0;
  bool ok = toIeee(a, 23, 8, env, o);
  out = static_cast<uint32_t>(o);
  return ok;
}
bool toFloat64(Float80 a, FpEnv& env, uint64_t& out) { return toIeee(a, 52, 11, env, out); }

Float80 roundConstant(uint64_t sig, uint64_t extra, uint16_t se, const FpEnv& env) {
  bool sign = se >> 15;
  bool inc = false;
  switch (env.rc()) {
    case 0: inc = extra > kInt || (extra == kInt && (sig & 1)); break;
    case 1: inc = sign && extra; break;
    case 2: inc = !sign && extra; break;
    default: break;
  }
  return Float80{sig + inc, se};  // no constant has an all-ones significand
}

namespace {
// Shared screening for one-result operations on (a, b); true = decided.
bool screenNaN(Float80 a, Float80 b, FpEnv& env, Float80& out) {
  Class ca = classify(a), cb = classify(b);
  if (ca == Class::Unsupported || cb == Class::Unsupported) {
    out = invalid(env);
    return true;
  }
  if (ca == Class::QNaN || ca == Class::SNaN || cb == Class::QNaN || cb == Class::SNaN) {
    out = propagateNaN(a, b, env);
    return true;
  }
  if (ca == Class::Denormal || cb == Class::Denormal) {
    env.flags |= fsw::DE;
    if (!env.masked(fsw::DE)) {
      env.suppress = true;
      out = a;
      return true;
    }
  }
  return false;
}
}  // namespace

Float80 scale(Float80 a, Float80 b, FpEnv& env) {
  Float80 out;
  if (screenNaN(a, b, env, out)) return out;
  Unpacked ua = unpack(a), ub = unpack(b);
  if (ub.cls == Class::Infinity) {
    if (!ub.sign) return ua.cls == Class::Zero ? invalid(env) : infinity(ua.sign);
    return ua.cls == Class::Infinity ? invalid(env) : zero(ua.sign);
  }
  if (ua.cls == Class::Zero || ua.cls == Class::Infinity) return a;
  int32_t n = 0;
  if (ub.cls != Class::Zero) {
    if (ub.e >= 20) {
      n = ub.sign ? -(1 << 20) : (1 << 20);  // far beyond the exponent range either way
    } else if (ub.e >= 0) {
      n = static_cast<int32_t>(ub.sig >> (63 - ub.e));
      if (ub.sign) n = -n;
    }
  }
  int32_t e = ua.e + n;
  // Beyond what the +/-24576 exponent wrap can represent, unmasked OE/UE
  // deliver infinity / zero whatever the rounding mode (measured).
  if (!env.masked(fsw::OE) && e > kEmax + kWrap) {
    env.flags |= fsw::OE | fsw::PE | fsw::C1;
    return infinity(ua.sign);
  }
  if (!env.masked(fsw::UE) && e < kEmin - kWrap) {
    env.flags |= fsw::UE | fsw::PE;
    return zero(ua.sign);
  }
  return round80(ua.sign, e, static_cast<u128>(ua.sig) << 64, 64, env);
}

void extract(Float80 a, FpEnv& env, Float80& exponent, Float80& significand) {
  Unpacked ua = unpack(a);
  switch (ua.cls) {
    case Class::Unsupported: exponent = significand = invalid(env); return;
    case Class::QNaN:
    case Class::SNaN: exponent = significand = propagateNaN(a, a, env); return;
    case Class::Zero:
      env.flags |= fsw::ZE;
      if (!env.masked(fsw::ZE)) env.suppress = true;
      exponent = infinity(true);
      significand = a;
      return;
    case Class::Infinity:
      exponent = infinity(false);
      significand = a;
      return;
    case Class::Denormal:
      env.flags |= fsw::DE;
      if (!env.masked(fsw::DE)) env.suppress = true;
      break;
    default: break;
  }
  exponent = fromInt(ua.e);
  significand = pack(ua.sign, 0x3FFF, ua.sig);
}

Float80 remainder(Float80 a, Float80 b, bool ieee, FpEnv& env, bool& partial, unsigned& q) {
  partial = false;
  q = 0;
  Float80 out;
  Unpacked ua = unpack(a), ub = unpack(b);
  if (!isNaN(a) && !isNaN(b) && ua.cls != Class::Unsupported && ub.cls != Class::Unsupported &&
      (ua.cls == Class::Infinity || ub.cls == Class::Zero)) {
    return invalid(env);  // detected before the denormal-operand check (measured)
  }
  if (screenNaN(a, b, env, out)) return out;
  if (ua.cls == Class::Zero) return a;
  // An unchanged dividend is still delivered normalised (pseudo-denormals).
  Float80 same = round80(ua.sign, ua.e, static_cast<u128>(ua.sig) << 64, 64, env);
  if (ub.cls == Class::Infinity) return same;
  int32_t d = ua.e - ub.e;
  if (d < 0) {
    if (!ieee || d < -1 || ua.sig <= ub.sig) return same;
    // |b|/2 < |a| < |b|: the nearest quotient is 1.
    q = 1;
    u128 r = (static_cast<u128>(ub.sig) << 1) - ua.sig;  // scaled by 2^(ea-63)
    return round80(!ua.sign, ua.e + 64, r, 64, env);
  }
  int shift = d;
  if (d >= 64) {
    // Partial remainder (SDM FPREM): reduce the exponent difference by a
    // number between 32 and 63 and report C2 = 1.
    partial = true;
    shift = 32 + (d % 32);
  }
  u128 num = static_cast<u128>(ua.sig) << shift;  // shift <= 63: fits
  u128 quot = num / ub.sig;
  u128 r = num % ub.sig;
  bool sign = ua.sign;
  if (ieee && !partial) {
    u128 twice = r << 1;
    if (twice > ub.sig || (twice == ub.sig && (quot & 1))) {
      r = ub.sig - r;
      ++quot;
      sign = !sign;
    }
  }
  if (!partial) q = static_cast<unsigned>(quot & 7);
  if (r == 0) return zero(ua.sign);
  // r is in units of 2^(eb-63+d-shift).
  return round80(sign, ub.e + (d - shift) + 64, r, 64, env);
}

namespace detail {
Float80 roundExtended(bool sign, int32_t e, u128 sig, FpEnv& env) { return round80(sign, e, sig, 64, env); }
Float80 invalidOperation(FpEnv& env) { return invalid(env); }
Float80 propagateNaN(Float80 a, Float80 b, FpEnv& env) { return x87::propagateNaN(a, b, env); }
bool screenOperands(Float80 a, Float80 b, FpEnv& env, Float80& out) {
  return screen2(a, b, unpack(a), unpack(b), env, out);
}
}  // namespace detail

}  // namespace sv::x87
