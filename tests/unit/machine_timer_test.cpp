// The Machine's run loop with timer devices: a halted CPU waits for the
// next timer deadline (deterministic mode jumps virtual time), and stops
// with a clear message when nothing can wake it.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "vmm/machine.h"

using namespace sv;

namespace {
// A 4 KiB BIOS image: `code` at F000:F000, the reset vector jumps there,
// `handler` at F000:F100.
struct TempBios {
  std::string path;
  TempBios(const std::vector<uint8_t>& code, const std::vector<uint8_t>& handler = {}) {
    std::vector<uint8_t> image(4096, 0xF4);
    std::copy(code.begin(), code.end(), image.begin());
    std::copy(handler.begin(), handler.end(), image.begin() + 0x100);
    const uint8_t reset[] = {0xEA, 0x00, 0xF0, 0x00, 0xF0};  // jmp F000:F000
    std::copy(std::begin(reset), std::end(reset), image.begin() + 0xFF0);
    char tmpl[] = "/tmp/sv_machine_timer_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size()));
    close(fd);
    path = tmpl;
  }
  ~TempBios() { std::remove(path.c_str()); }
};

MachineConfig deterministic(const std::string& bios) {
  MachineConfig c;
  c.ram_bytes = 1 << 20;
  c.bios_path = bios;
  c.icount_shift = 4;
  c.debug_exit = DebugExitConfig{};
  c.max_instructions = 1'000'000;
  return c;
}

const std::vector<uint8_t> kProgramPit = {0xB0, 0x34, 0xE6, 0x43, 0xB0, 0x00, 0xE6, 0x40, 0xE6, 0x40};  // mode 2, 65536
}  // namespace

TEST_CASE("machine: halted with IF=1 and no armed timer stops") {
  TempBios bios({0xFB, 0xF4, 0xEB, 0xFD});  // sti; hlt; jmp hlt
  Machine m(deterministic(bios.path));
  CHECK(m.run() == 0);
  CHECK(m.stopMessage().find("no device can wake it") != std::string::npos);
}

TEST_CASE("machine: halted with IF=0 stops even with a timer armed") {
  std::vector<uint8_t> code = kProgramPit;
  code.insert(code.end(), {0xFA, 0xF4});  // cli; hlt
  TempBios bios(code);
  Machine m(deterministic(bios.path));
  CHECK(m.run() == 0);
  CHECK(m.stopMessage().find("with interrupts disabled") != std::string::npos);
}

TEST_CASE("machine: a timer whose IRQ is masked cannot wake a halted CPU forever") {
  std::vector<uint8_t> code = kProgramPit;  // the PIC is unprogrammed: all masked
  code.insert(code.end(), {0xFB, 0xF4, 0xEB, 0xFD});
  TempBios bios(code);
  Machine m(deterministic(bios.path));
  CHECK(m.run() == 0);
  CHECK(m.stopMessage().find("nothing woke it in 60 s of virtual time") != std::string::npos);
  CHECK(m.clock().nowNs() >= 60'000'000'000ull);
}

TEST_CASE("machine: IRQ0 wakes HLT, deterministic time jumps to each tick") {
  std::vector<uint8_t> code = {
      0x31, 0xC0, 0x8E, 0xD8,                    // xor ax,ax; mov ds,ax
      0xC7, 0x06, 0x20, 0x00, 0x00, 0xF1,        // IVT[8] = F000:F100
      0xC7, 0x06, 0x22, 0x00, 0x00, 0xF0,
      0xC6, 0x06, 0x00, 0x05, 0x00,              // ticks = 0
      0xB0, 0x11, 0xE6, 0x20, 0xB0, 0x08, 0xE6, 0x21,  // ICW1, ICW2 = 08h
      0xB0, 0x04, 0xE6, 0x21, 0xB0, 0x01, 0xE6, 0x21,  // ICW3, ICW4
      0xB0, 0xFE, 0xE6, 0x21,                    // unmask IRQ0
  };
  code.insert(code.end(), kProgramPit.begin(), kProgramPit.end());
  code.insert(code.end(), {0xFB, 0xF4, 0x80, 0x3E, 0x00, 0x05, 0x03, 0x72, 0xF7,  // sti; hlt until ticks == 3
                           0xB0, 0x01, 0xE6, 0xF4});                            // debug-exit 1 -> status 3
  const std::vector<uint8_t> handler = {0xFE, 0x06, 0x00, 0x05, 0xB0, 0x20, 0xE6, 0x20, 0xCF};  // ++ticks; EOI; iret
  TempBios bios(code, handler);
  Machine m(deterministic(bios.path));
  CHECK(m.run() == 3);
  // Three periods of 65536 input clocks at 1.193182 MHz: 164.78 ms, reached
  // by jumps of the clock (a few hundred instructions ran).
  const uint64_t now = m.clock().nowNs();
  CHECK(now >= 3 * Pit8254::nsOfTick(65536));
  CHECK(now < 3 * Pit8254::nsOfTick(65536) + 100'000);
  CHECK(m.cpu().stats().retired < 200);
  CHECK(m.cpu().stats().interrupts == 3);
}
