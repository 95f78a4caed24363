// The host side of a bench program: n from argv[1], the checksum on stdout.
#include <stdio.h>
#include <stdlib.h>

#include "bench_kernel.h"

int main(int argc, char** argv) {
  uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1;
  printf("checksum %08x\n", bench_run(n));
  return 0;
}
