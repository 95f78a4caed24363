// The x87 transcendental instructions (Intel SDM Vol. 2: F2XM1, FYL2X,
// FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS; Vol. 1, 8.3.10), in portable
// software arithmetic. Results are computed with 128-bit significands and
// rounded once to the 64-bit extended significand per RC (precision control
// does not apply to them), so they are within one ulp and usually correctly
// rounded. As on Intel processors, FSIN/FCOS/FSINCOS/FPTAN reduce their
// argument with a 66-bit approximation of pi (SDM Vol. 1, 8.3.10), and
// operands with |x| >= 2^63 are left unchanged with C2 set.
#pragma once

#include "cpu/x87/float80.h"

namespace sv::x87 {

// FSIN / FCOS / FSINCOS / FPTAN. Return false when |a| >= 2^63 (the caller
// sets C2 and changes nothing). Null outputs are not computed.
bool sinCos(Float80 a, FpEnv& env, Float80* sin, Float80* cos);
bool tan(Float80 a, FpEnv& env, Float80& out);

// FPATAN: the angle of (x, y) = atan(y / x) in (-pi, pi], with the signed
// zero/infinity cases of the SDM's FPATAN table.
Float80 atan2(Float80 y, Float80 x, FpEnv& env);

// F2XM1: 2^x - 1 (defined by the SDM for -1 <= x <= 1; computed for any x).
Float80 exp2m1(Float80 x, FpEnv& env);

// FYL2X: y * log2(x). FYL2XP1: y * log2(x + 1).
Float80 ylog2x(Float80 y, Float80 x, FpEnv& env);
Float80 ylog2xp1(Float80 y, Float80 x, FpEnv& env);

}  // namespace sv::x87
