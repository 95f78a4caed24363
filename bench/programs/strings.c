// memcpy/memset/strlen-style string work on 64 KiB buffers: REP MOVSD,
// REP STOSD (the same instructions in both builds: inline assembly) and a
// byte scan loop.
#include "bench_kernel.h"

enum { kWords = 16384 };
static uint32_t src[kWords], dst[kWords];

static void copyWords(uint32_t* d, const uint32_t* s, unsigned long count) {
  __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(count) : : "memory");
}
static void fillWords(uint32_t* d, uint32_t v, unsigned long count) {
  __asm__ volatile("rep stosl" : "+D"(d), "+c"(count) : "a"(v) : "memory");
}

uint32_t bench_run(uint32_t n) {
  uint32_t sum = 0;
  for (uint32_t i = 0; i < kWords; ++i) src[i] = i * 2654435761u;
  for (uint32_t round = 0; round < n; ++round) {
    src[round % kWords] = round;
    copyWords(dst, src, kWords);
    const uint8_t* bytes = (const uint8_t*)dst;
    uint32_t len = 0;  // strlen from a rotating start
    for (uint32_t at = round % 4096; bytes[at + len] != 0 && len < 4096; ++len) {
    }
    sum = sum * 33 + dst[(round * 7) % kWords] + len;
    fillWords(dst, round, kWords / 2);
    sum ^= dst[round % (kWords / 2)];
  }
  return sum;
}
