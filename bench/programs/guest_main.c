// The guest side of a bench program: reads n from the multiboot command
// line ("n=NUMBER"), runs the kernel, prints "checksum XXXXXXXX" on COM1
// and ends the machine through isa-debug-exit (port 0xF4, value 0: exit
// status 1 on QEMU and softvisor alike).
#include <stddef.h>

#include "bench_kernel.h"

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

static void putc_serial(char c) {
  while (!(inb(0x3FD) & 0x20)) {  // THR empty
  }
  outb(0x3F8, (uint8_t)c);
}

static void puts_serial(const char* s) {
  while (*s) putc_serial(*s++);
}

static uint32_t parseN(const char* cmdline) {
  uint32_t n = 1;
  for (const char* p = cmdline; p && *p; ++p) {
    if (p[0] == 'n' && p[1] == '=') {
      n = 0;
      for (p += 2; *p >= '0' && *p <= '9'; ++p) n = n * 10 + (uint32_t)(*p - '0');
      break;
    }
  }
  return n;
}

// gcc may emit calls to these even in freestanding code.
void* memcpy(void* d, const void* s, size_t len) {
  uint8_t* dp = d;
  const uint8_t* sp = s;
  while (len--) *dp++ = *sp++;
  return d;
}
void* memset(void* d, int v, size_t len) {
  uint8_t* dp = d;
  while (len--) *dp++ = (uint8_t)v;
  return d;
}

void guest_main(const uint32_t* mbi) {
  const char* cmdline = (mbi[0] & 4) ? (const char*)mbi[4] : 0;  // flags bit 2: cmdline at offset 16
  uint32_t sum = bench_run(parseN(cmdline));
  char text[] = "checksum 00000000\n";
  for (int i = 0; i < 8; ++i) text[9 + i] = "0123456789abcdef"[(sum >> (28 - 4 * i)) & 0xF];
  puts_serial(text);
  outb(0xF4, 0);
}
