// A 128-bit-significand binary floating-point number for the x87
// transcendentals: enough guard bits that one final rounding to the 64-bit
// extended significand is correct except in astronomically rare hard cases.
// Plain integer arithmetic only, so results are identical on every host.
// Operations truncate (error below 2^-126 relative per operation).
#pragma once

#include <cstdint>

namespace sv::x87 {

struct WideReal {
  using u128 = unsigned __int128;
  bool neg = false;
  int32_t e = 0;  // value = m * 2^(e - 127)
  u128 m = 0;     // 0, or normalised with bit 127 set

  bool zero() const { return m == 0; }

  static WideReal make(bool neg, int32_t e, u128 m) {
    WideReal r{neg, e, m};
    if (m == 0) return WideReal{};
    while (!(r.m >> 127)) {
      r.m <<= 1;
      --r.e;
    }
    return r;
  }
  static WideReal fromU64(uint64_t v) { return make(false, 127, v); }
  static WideReal fromInt(int64_t v) {
    WideReal r = fromU64(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
    r.neg = v < 0 && r.m;
    return r;
  }
  WideReal operator-() const {
    WideReal r = *this;
    if (m) r.neg = !neg;
    return r;
  }
  WideReal scaled(int32_t k) const {  // * 2^k
    WideReal r = *this;
    if (m) r.e += k;
    return r;
  }
};

inline WideReal operator*(const WideReal& a, const WideReal& b) {
  using u128 = WideReal::u128;
  if (a.zero() || b.zero()) return WideReal{};
  constexpr u128 kLo = ~static_cast<uint64_t>(0);
  u128 ah = a.m >> 64, al = a.m & kLo, bh = b.m >> 64, bl = b.m & kLo;
  u128 hh = ah * bh, hl = ah * bl, lh = al * bh, ll = al * bl;
  u128 mid = (hl & kLo) + (lh & kLo) + (ll >> 64);
  u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
  int32_t e = a.e + b.e + 1;
  if (!(hi >> 127)) {  // product in [2^254, 2^255): one more bit from below
    hi = (hi << 1) | ((mid >> 63) & 1);
    --e;
  }
  return WideReal{a.neg != b.neg, e, hi};
}

inline WideReal operator+(const WideReal& a, const WideReal& b) {
  using u128 = WideReal::u128;
  if (a.zero()) return b;
  if (b.zero()) return a;
  const WideReal& big = (a.e > b.e || (a.e == b.e && a.m >= b.m)) ? a : b;
  const WideReal& small = &big == &a ? b : a;
  int32_t d = big.e - small.e;
  u128 sm = d >= 128 ? 0 : small.m >> d;
  if (big.neg == small.neg) {
    u128 s = big.m + sm;
    if (s < big.m) return WideReal{big.neg, big.e + 1, (s >> 1) | (static_cast<u128>(1) << 127)};
    return WideReal{big.neg, big.e, s};
  }
  return WideReal::make(big.neg, big.e, big.m - sm);
}

inline WideReal operator-(const WideReal& a, const WideReal& b) { return a + (-b); }

// Restoring division of the significands, 128 quotient bits.
inline WideReal operator/(const WideReal& a, const WideReal& b) {
  using u128 = WideReal::u128;
  if (a.zero() || b.zero()) return WideReal{};  // callers never divide by zero
  u128 r = a.m, q = 0;
  int32_t e = a.e - b.e;
  bool carry = false;
  if (r < b.m) {  // quotient below 1: start one bit further down
    carry = r >> 127;
    r <<= 1;
    --e;
  }
  for (int i = 0; i < 128; ++i) {
    q <<= 1;
    if (carry || r >= b.m) {
      r -= b.m;
      q |= 1;
    }
    carry = r >> 127;
    r <<= 1;
  }
  return WideReal{a.neg != b.neg, e, q};
}

}  // namespace sv::x87
