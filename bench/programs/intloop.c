// Tight integer loop: a linear congruential generator mixed with shifts,
// rotates and a multiply; registers only.
#include "bench_kernel.h"

uint32_t bench_run(uint32_t n) {
  uint32_t x = 12345, y = 0;
  for (uint32_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    y ^= x >> 7;
    y = (y << 3 | y >> 29) + i;
  }
  return x ^ y;
}
