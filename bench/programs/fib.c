// Recursive calls: fib(24) n times (about 75 000 calls each).
#include "bench_kernel.h"

// noinline/noclone/no-ipa: the calls themselves are the benchmark.
__attribute__((noinline, noipa)) static uint32_t fib(uint32_t k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }

uint32_t bench_run(uint32_t n) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < n; ++i) sum += fib(24) ^ i;
  return sum;
}
