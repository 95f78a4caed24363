// The Machine's chipset paths: PAM remapping of the BIOS area stays
// coherent with the TLB and translated code, and guest-requested resets.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "vmm/machine.h"

using namespace sv;

namespace {
// A 4 KiB BIOS (mapped at 0xFF000 and below 4 GiB): `code` at F000:F000,
// `sub` at F000:F200, the reset vector jumps to F000:F000.
struct TempBios {
  std::string path;
  TempBios(const std::vector<uint8_t>& code, const std::vector<uint8_t>& sub = {}) {
    std::vector<uint8_t> image(4096, 0xF4);
    std::copy(code.begin(), code.end(), image.begin());
    std::copy(sub.begin(), sub.end(), image.begin() + 0x200);
    const uint8_t reset[] = {0xEA, 0x00, 0xF0, 0x00, 0xF0};
    std::copy(std::begin(reset), std::end(reset), image.begin() + 0xFF0);
    char tmpl[] = "/tmp/sv_machine_chipset_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, image.data(), image.size()) == static_cast<ssize_t>(image.size()));
    close(fd);
    path = tmpl;
  }
  ~TempBios() { std::remove(path.c_str()); }
};

MachineConfig config(const std::string& bios, Accel accel) {
  MachineConfig c;
  c.ram_bytes = 1 << 20;
  c.bios_path = bios;
  c.debug_exit = DebugExitConfig{};
  c.max_instructions = 1'000'000;
  c.no_reboot = true;
  c.accel = accel;
  return c;
}

// Calls F000:F200 (mov al, 0x11; retf) from ROM; sets PAM0 = 0x20 (read
// ROM, write RAM), copies the page to RAM patching the immediate to 0x22,
// calls again (still ROM: 0x11); sets PAM0 = 0x30 (RAM) and calls again
// (0x22). Exits with 0 (status 1) when all three agree, else 1 (status 3).
const std::vector<uint8_t> kPamProgram = {
    0xFA, 0x9A, 0x00, 0xF2, 0x00, 0xF0, 0x88, 0xC3, 0x66, 0xB8, 0x58, 0x00, 0x00, 0x80, 0xBA, 0xF8, 0x0C, 0x66,
    0xEF, 0xBA, 0xFD, 0x0C, 0xB0, 0x20, 0xEE, 0xB8, 0x00, 0xF0, 0x8E, 0xD8, 0x8E, 0xC0, 0xBE, 0x00, 0xF0, 0xBF,
    0x00, 0xF0, 0xB9, 0x00, 0x10, 0xF3, 0xA4, 0xC6, 0x06, 0x01, 0xF2, 0x22, 0x9A, 0x00, 0xF2, 0x00, 0xF0, 0x88,
    0xC7, 0xBA, 0xFD, 0x0C, 0xB0, 0x30, 0xEE, 0x9A, 0x00, 0xF2, 0x00, 0xF0, 0x88, 0xC1, 0xB0, 0x01, 0x81, 0xFB,
    0x11, 0x11, 0x75, 0x07, 0x80, 0xF9, 0x22, 0x75, 0x02, 0xB0, 0x00, 0xE6, 0xF4, 0xF4};
const std::vector<uint8_t> kSub = {0xB0, 0x11, 0xCB};

// Runs "mov al, 0x11; retf" from RAM at 0:7000 (twice, so the JIT has it),
// then has fw_cfg DMA the first signature byte 'Q' over the immediate and
// calls again: a stale translation would still return 0x11. Exits with 0
// (status 1) when the second result is 0x51 and the descriptor's control
// word was cleared, else 1 (status 3).
const std::vector<uint8_t> kDmaOverCodeProgram = {
    0xFA, 0x31, 0xC0, 0x8E, 0xD8, 0x8E, 0xD0, 0xBC, 0x00, 0x50, 0x66, 0xC7, 0x06, 0x00, 0x70, 0xB0, 0x11, 0xCB,
    0x00, 0x9A, 0x00, 0x70, 0x00, 0x00, 0x88, 0xC3, 0x9A, 0x00, 0x70, 0x00, 0x00, 0x66, 0xC7, 0x06, 0x00, 0x60,
    0x00, 0x00, 0x00, 0x0A, 0x66, 0xC7, 0x06, 0x04, 0x60, 0x00, 0x00, 0x00, 0x01, 0x66, 0xC7, 0x06, 0x08, 0x60,
    0x00, 0x00, 0x00, 0x00, 0x66, 0xC7, 0x06, 0x0C, 0x60, 0x00, 0x00, 0x70, 0x01, 0x66, 0x31, 0xC0, 0xBA, 0x14,
    0x05, 0x66, 0xEF, 0x66, 0xB8, 0x00, 0x00, 0x60, 0x00, 0xBA, 0x18, 0x05, 0x66, 0xEF, 0x9A, 0x00, 0x70, 0x00,
    0x00, 0x88, 0xC1, 0xB0, 0x01, 0x80, 0xFB, 0x11, 0x75, 0x0F, 0x80, 0xF9, 0x51, 0x75, 0x0A, 0x66, 0x83, 0x3E,
    0x00, 0x60, 0x00, 0x75, 0x02, 0xB0, 0x00, 0xE6, 0xF4, 0xF4};
}  // namespace

TEST_CASE("machine: PAM switches the BIOS area between ROM and RAM coherently (interpreter and JIT)") {
  TempBios bios(kPamProgram, kSub);
  for (Accel accel : {Accel::Interp, Accel::Jit}) {
    CAPTURE(static_cast<int>(accel));
    Machine m(config(bios.path, accel));
    CHECK(m.run() == 1);
    CHECK(m.memory().ramHost()[0xFF201] == 0x22);
  }
}

TEST_CASE("machine: a fw_cfg DMA write over translated code drops it (interpreter and JIT)") {
  TempBios bios(kDmaOverCodeProgram);
  for (Accel accel : {Accel::Interp, Accel::Jit}) {
    CAPTURE(static_cast<int>(accel));
    Machine m(config(bios.path, accel));
    CHECK(m.run() == 1);
    CHECK(m.memory().ramHost()[0x7001] == 'Q');
  }
}

TEST_CASE("machine: port 0x92 bit 0 and 0xCF9 reset the machine, or stop it under -no-reboot") {
  // mov al, 1; out 0x92, al; hlt
  TempBios fast_reset({0xB0, 0x01, 0xE6, 0x92, 0xF4});
  {
    Machine m(config(fast_reset.path, Accel::Interp));
    CHECK(m.run() == 0);
    CHECK(m.stopMessage().find("guest requested a system reset") != std::string::npos);
    CHECK(m.stopMessage().find("-no-reboot") != std::string::npos);
  }
  // mov dx, 0xCF9; mov al, 6; out dx, al; hlt
  TempBios rcr({0xBA, 0xF9, 0x0C, 0xB0, 0x06, 0xEE, 0xF4});
  {
    Machine m(config(rcr.path, Accel::Interp));
    CHECK(m.run() == 0);
    CHECK(m.stopMessage().find("guest requested a system reset") != std::string::npos);
  }
  // Without -no-reboot the machine starts over from the reset vector: the
  // same program keeps resetting until the instruction limit.
  {
    MachineConfig c = config(fast_reset.path, Accel::Interp);
    c.no_reboot = false;
    c.max_instructions = 1000;
    Machine m(c);
    CHECK(m.run() == 1);
    CHECK(m.stopMessage().find("instruction limit") != std::string::npos);
  }
}

// Enables the PIIX4 PM block at 0x600 through PCI config (00:01.3 PMBA,
// PMREGMISC) and writes SLP_TYP 0 | SLP_EN to PM1a_CNT: ACPI S5 ends the
// VM with status 0 (without it, the HLT with IF=0 would stop it instead).
TEST_CASE("ACPI S5 through the PIIX4 PM block powers the machine off with exit status 0") {
  const std::vector<uint8_t> code = {
      0xFA,                                      // cli
      0x66, 0xB8, 0x40, 0x0B, 0x00, 0x80,        // mov eax, 0x80000B40 (00:01.3, PMBA)
      0xBA, 0xF8, 0x0C, 0x66, 0xEF,              // mov dx, 0xCF8; out dx, eax
      0x66, 0xB8, 0x01, 0x06, 0x00, 0x00,        // mov eax, 0x601
      0xBA, 0xFC, 0x0C, 0x66, 0xEF,              // mov dx, 0xCFC; out dx, eax
      0x66, 0xB8, 0x80, 0x0B, 0x00, 0x80,        // mov eax, 0x80000B80 (PMREGMISC)
      0xBA, 0xF8, 0x0C, 0x66, 0xEF,              // out
      0xB0, 0x01, 0xBA, 0xFC, 0x0C, 0xEE,        // mov al, 1; mov dx, 0xCFC; out dx, al
      0xB8, 0x00, 0x20, 0xBA, 0x04, 0x06, 0xEF,  // mov ax, 0x2000; mov dx, 0x604; out dx, ax
      0xF4};
  TempBios bios(code);
  for (Accel accel : {Accel::Interp, Accel::Jit}) {
    Machine m(config(bios.path, accel));
    CHECK(m.run() == 0);
    CHECK(m.stopMessage() == "guest powered off (ACPI S5)");
  }
}

TEST_CASE("the board offers its ACPI tables to firmware over fw_cfg") {
  TempBios bios({0xF4});
  Machine m(config(bios.path, Accel::Interp));
  for (const char* f : {"etc/acpi/tables", "etc/acpi/rsdp", "etc/table-loader"}) {
    bool found = false;
    const std::vector<uint8_t>* dir = m.fwCfg().item(fwcfg::kFileDir);
    REQUIRE(dir != nullptr);
    for (size_t at = 4; at + 64 <= dir->size(); at += 64)
      if (std::string(reinterpret_cast<const char*>(&(*dir)[at + 8])) == f) found = true;
    CHECK_MESSAGE(found, f);
  }
}
