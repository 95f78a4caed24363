// Floating point on the x87: long double (80-bit in both builds, so the
// checksum is bit-identical) adds, multiplies and divides.
#include "bench_kernel.h"

uint32_t bench_run(uint32_t n) {
  long double a = 1.0L, s = 0.0L;
  for (int32_t i = 0; i < (int32_t)n; ++i) {
    long double x = (long double)(i + 1);
    s += 1.0L / x;
    a = a * 1.0000001L + s / (x + 3.0L);
    if (a > 1e6L) a *= 1e-6L;
  }
  long double r = (s + a) * 1e6L;
  // To 31 bits without a libgcc call (32-bit builds have no inline
  // long double -> 64-bit conversion).
  while (r >= 2147483648.0L) r -= 2147483648.0L;
  return (uint32_t)(int32_t)r;
}
