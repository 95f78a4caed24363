// One benchmark kernel: the same C source is built twice, as a 32-bit
// freestanding multiboot guest (guest_start.asm + guest_main.c) and as a
// native host program (native_main.c), and both print bench_run(n)'s
// checksum, so a run on either side is known to have done the same work.
// The work is linear in n (the bench subtracts a tiny-n run's time to
// remove boot and process start-up).
#pragma once

#include <stdint.h>

uint32_t bench_run(uint32_t n);
