// Sieve of Eratosthenes over a 1 MiB byte array, n times: memory traffic
// with a data-dependent inner loop.
#include "bench_kernel.h"

enum { kSieveSize = 1 << 20 };
static uint8_t composite[kSieveSize];

uint32_t bench_run(uint32_t n) {
  uint32_t sum = 0;
  for (uint32_t round = 0; round < n; ++round) {
    for (uint32_t i = 0; i < kSieveSize; ++i) composite[i] = 0;
    uint32_t primes = 0;
    for (uint32_t i = 2; i < kSieveSize; ++i) {
      if (composite[i]) continue;
      ++primes;
      for (uint32_t j = i + i; j < kSieveSize; j += i) composite[j] = 1;
    }
    sum = sum * 31 + primes + round;
  }
  return sum;
}
