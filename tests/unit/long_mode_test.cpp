// IA-32e mode transitions and the 64-bit system instructions, at the
// instruction level (Intel SDM Vol. 3A 9.8.5, Vol. 2 SYSCALL/SYSRET,
// SYSENTER/SYSEXIT, SWAPGS, LTR). The guest test tests/guest/long_mode.asm
// covers the rest end to end.
#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>
#include <vector>

#include "cpu/cpu.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

using namespace sv;
using sv::testing::FixedClock;
using sv::testing::NullPorts;

namespace {

// Flat protected mode, ready for IA-32e mode: CR3 = a 4-level identity map
// of the first 2 MiB (one 2 MiB page), CR4.PAE set, EFER.LME set but paging
// off. GDT: 08 64-bit code, 10 data, 18 32-bit code. Vector v of either IDT
// (legacy at 0x4000, 16-byte gates at 0x5000) goes to 0x600 + v, a HLT, so
// the vector of a fault can be read off the final RIP (one fault per rig:
// the next exec would write over the handlers).
struct LongRig {
  static constexpr uint64_t kCode = 0x10000, kTraps = 0x600;
  PhysicalMemory mem{2 << 20};
  NullPorts ports;
  FixedClock clock;
  Cpu cpu{mem, ports, clock};

  uint8_t* ram() { return mem.ramHost(); }
  void put64(uint64_t at, uint64_t v) { std::memcpy(ram() + at, &v, 8); }

  LongRig() {
    cpu.reset();
    CpuState& s = cpu.state;
    put64(0x1000, 0x2000 | 7);  // PML4
    put64(0x2000, 0x3000 | 7);  // PDPT
    put64(0x3000, 0x87);        // 2 MiB page at 0
    put64(0x800 + 0x08, 0x00AF9B000000FFFFull);
    put64(0x800 + 0x10, 0x00CF93000000FFFFull);
    put64(0x800 + 0x18, 0x00CF9B000000FFFFull);
    for (unsigned v = 0; v < 32; ++v) {
      uint64_t target = kTraps + v;
      ram()[target] = 0xF4;
      uint64_t legacy = (target & 0xFFFF) | (0x18ull << 16) | (0x8Eull << 40);
      put64(0x4000 + 8 * v, legacy);
      put64(0x5000 + 16 * v, (target & 0xFFFF) | (0x08ull << 16) | (0x8Eull << 40));
      put64(0x5000 + 16 * v + 8, 0);
    }
    s.gdtr = TableRegister{0x800, 0x1F, 0};
    s.idtr = TableRegister{0x4000, 32 * 8 - 1, 0};
    s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x18, 0xC9B};
    for (uint8_t r : {DS, ES, SS, FS, GS}) s.seg[r] = SegmentCache{0, 0xFFFFFFFF, 0x10, 0xC93};
    s.gpr[RSP] = 0x9000;
    s.rip = kCode;
    cpu.setPagingRegisters(s.cr0 | cr0::PE, 0x1000, cr4::PAE, efer::LME);
  }

  // Runs `code` + HLT at RIP. Returns the delivered vector, or -1.
  int exec(std::initializer_list<uint8_t> code) {
    uint64_t at = cpu.state.rip;
    for (uint8_t b : code) ram()[at++] = b;
    ram()[at] = 0xF4;
    cpu.state.halted = 0;
    cpu.run(64);
    uint64_t rip = cpu.state.rip;
    if (rip > kTraps && rip <= kTraps + 32) return static_cast<int>(rip - kTraps - 1);
    return -1;
  }

  // Enters 64-bit mode directly (the guest test enters it instruction by instruction).
  void enter64() {
    CpuState& s = cpu.state;
    cpu.setPagingRegisters(s.cr0 | cr0::PG, s.cr3, s.cr4, s.efer | efer::LMA);
    s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x08, 0xA9B};
    s.idtr = TableRegister{0x5000, 32 * 16 - 1, 0};
    cpu.updateMode();
  }
};

constexpr uint8_t kMovCr0Eax[] = {0x0F, 0x22, 0xC0};

}  // namespace

TEST_CASE("long mode: CR0.PG activates IA-32e mode only with PAE, LMA follows PG") {
  LongRig r;
  CHECK(r.cpu.mode() == CpuMode::Protected);
  // No PAE: #GP(0), nothing changes.
  r.cpu.setPagingRegisters(r.cpu.state.cr0, r.cpu.state.cr3, 0, r.cpu.state.efer);
  r.cpu.state.gpr[RAX] = r.cpu.state.cr0 | cr0::PG;
  CHECK(r.exec({kMovCr0Eax[0], kMovCr0Eax[1], kMovCr0Eax[2]}) == vec::GP);
  CHECK((r.cpu.state.cr0 & cr0::PG) == 0);
  CHECK((r.cpu.state.efer & efer::LMA) == 0);
  // With PAE: LMA = 1, compatibility mode (CS.L = 0), 4-level paging.
  LongRig r2;
  r2.cpu.state.gpr[RAX] = r2.cpu.state.cr0 | cr0::PG;
  CHECK(r2.exec({0x0F, 0x22, 0xC0}) == -1);
  CHECK((r2.cpu.state.efer & efer::LMA) != 0);
  CHECK(r2.cpu.mode() == CpuMode::Compat);
  CHECK(r2.cpu.tlb().control().mode == PagingMode::Long4);
  // Clearing PAE while LMA = 1: #GP(0).
  r2.cpu.state.idtr = TableRegister{0x5000, 32 * 16 - 1, 0};
  r2.cpu.state.gpr[RAX] = 0;
  CHECK(r2.exec({0x0F, 0x22, 0xE0}) == vec::GP);  // mov cr4, eax
  CHECK((r2.cpu.state.cr4 & cr4::PAE) != 0);
  // Clearing PG from compatibility mode leaves IA-32e mode.
  LongRig r3;
  r3.cpu.state.gpr[RAX] = r3.cpu.state.cr0 | cr0::PG;
  CHECK(r3.exec({0x0F, 0x22, 0xC0, 0x0F, 0x20, 0xC3, 0x81, 0xE3, 0xFF, 0xFF, 0xFF, 0x7F, 0x0F, 0x22, 0xC3}) == -1);
  CHECK((r3.cpu.state.efer & efer::LMA) == 0);
  CHECK(r3.cpu.mode() == CpuMode::Protected);
}

TEST_CASE("long mode: EFER.LME cannot change while paging is on, CS.L blocks activation") {
  LongRig r;
  r.enter64();
  r.cpu.state.gpr[RCX] = 0xC0000080;
  r.cpu.state.gpr[RAX] = 0;  // clear LME
  r.cpu.state.gpr[RDX] = 0;
  CHECK(r.exec({0x0F, 0x30}) == vec::GP);
  CHECK((r.cpu.state.efer & efer::LME) != 0);
  // CR0.PG set while CS.L = 1 (only reachable by a hand-made state): #GP.
  LongRig r2;
  r2.cpu.state.seg[CS].attr = 0xA9B;
  r2.cpu.state.gpr[RAX] = r2.cpu.state.cr0 | cr0::PG;
  CHECK(r2.exec({0x0F, 0x22, 0xC0}) == vec::GP);
}

TEST_CASE("long mode: 64-bit mode ignores DS/ES/SS bases, checks canonical addresses") {
  LongRig r;
  r.enter64();
  r.cpu.state.seg[DS].base = 0x100000;
  r.cpu.state.seg[FS].base = 0x20000;
  r.put64(0x30000, 0x1111);
  r.put64(0x50000, 0x2222);
  r.cpu.state.gpr[RBX] = 0x30000;
  CHECK(r.exec({0x48, 0x8B, 0x03, 0x64, 0x48, 0x8B, 0x0B}) == -1);  // mov rax,[rbx] ; mov rcx,[fs:rbx]
  CHECK(r.cpu.state.gpr[RAX] == 0x1111);
  CHECK(r.cpu.state.gpr[RCX] == 0x2222);
  LongRig r2;
  r2.enter64();
  r2.cpu.state.gpr[RBX] = 0x0000800000000000ull;
  CHECK(r2.exec({0x48, 0x8B, 0x03}) == vec::GP);
  LongRig r3;
  r3.enter64();
  r3.cpu.state.gpr[RBP] = 0x00007FFFFFFFFFFCull;  // the last byte crosses into non-canonical
  CHECK(r3.exec({0x48, 0x8B, 0x45, 0x00}) == vec::SS);
}

TEST_CASE("long mode: SYSCALL/SYSRET need 64-bit mode and EFER.SCE, SWAPGS needs 64-bit mode") {
  for (bool swapgs : {false, true}) {
    LongRig r;  // compatibility mode
    r.cpu.state.gpr[RAX] = r.cpu.state.cr0 | cr0::PG;
    CHECK(r.exec({0x0F, 0x22, 0xC0}) == -1);
    r.cpu.state.idtr = TableRegister{0x5000, 32 * 16 - 1, 0};
    r.cpu.state.efer |= efer::SCE;
    if (swapgs) CHECK(r.exec({0x0F, 0x01, 0xF8}) == vec::UD);
    else CHECK(r.exec({0x0F, 0x05}) == vec::UD);  // SYSCALL in compatibility mode (Intel)
  }
  LongRig r2;
  r2.enter64();
  CHECK(r2.exec({0x0F, 0x05}) == vec::UD);  // SCE = 0
  LongRig r3;
  r3.enter64();
  CpuState& s = r3.cpu.state;
  s.efer |= efer::SCE;
  s.msr.star = (0x20ull << 48) | (0x08ull << 32);
  s.msr.lstar = 0x12000;
  s.msr.sfmask = flag::DF | flag::IF;
  s.rflags |= flag::DF | flag::IF;
  r3.ram()[0x12000] = 0xF4;
  uint64_t after = s.rip + 2;
  r3.exec({0x0F, 0x05});
  CHECK(s.rip == 0x12001);
  CHECK(s.gpr[RCX] == after);
  CHECK((s.gpr[R11] & (flag::DF | flag::IF)) == (flag::DF | flag::IF));
  CHECK((s.rflags & (flag::DF | flag::IF)) == 0);
  CHECK(s.seg[CS].selector == 0x08);
  CHECK(s.seg[SS].selector == 0x10);
  CHECK(r3.cpu.mode() == CpuMode::Long64);
  // SYSRET without REX.W: compatibility mode at CPL 3, CS = STAR[63:48] | 3.
  s.gpr[RCX] = 0x13000;
  s.gpr[R11] = 0x202;
  r3.ram()[0x13000] = 0xEB;  // jmp $ (HLT would fault at CPL 3)
  r3.ram()[0x13001] = 0xFE;
  r3.exec({0x0F, 0x07});
  CHECK(s.rip == 0x13000);
  CHECK(s.seg[CS].selector == (0x20 | 3));
  CHECK(s.seg[SS].selector == (0x28 | 3));
  CHECK(r3.cpu.mode() == CpuMode::Compat);
  CHECK(r3.cpu.cpl() == 3);
  CHECK((s.rflags & flag::IF) != 0);
}

TEST_CASE("long mode: SYSENTER/SYSEXIT in protected mode and their 64-bit forms") {
  LongRig r;
  CpuState& s = r.cpu.state;
  s.msr.sysenter_cs = 0x40;
  s.msr.sysenter_esp = 0x8000;
  s.msr.sysenter_eip = 0x14000;
  r.ram()[0x14000] = 0xF4;
  s.rflags |= flag::IF;
  r.exec({0x0F, 0x34});  // SYSENTER
  CHECK(s.rip == 0x14001);
  CHECK(s.seg[CS].selector == 0x40);
  CHECK(s.seg[SS].selector == 0x48);
  CHECK(s.gpr[RSP] == 0x8000);
  CHECK((s.rflags & flag::IF) == 0);
  CHECK(r.cpu.mode() == CpuMode::Protected);
  // SYSEXIT: CPL 3 at EDX with ESP = ECX, CS = SYSENTER_CS + 16.
  s.gpr[RCX] = 0x7000;
  s.gpr[RDX] = 0x15000;
  r.ram()[0x15000] = 0xEB;  // jmp $ (HLT would fault at CPL 3)
  r.ram()[0x15001] = 0xFE;
  r.exec({0x0F, 0x35});
  CHECK(s.rip == 0x15000);
  CHECK(s.seg[CS].selector == (0x50 | 3));
  CHECK(s.seg[SS].selector == (0x58 | 3));
  CHECK(s.gpr[RSP] == 0x7000);
  CHECK(r.cpu.cpl() == 3);
  // In IA-32e mode SYSENTER enters 64-bit code; REX.W SYSEXIT returns to
  // 64-bit code at CS + 32 and needs canonical RCX/RDX.
  LongRig r2;
  r2.enter64();
  CpuState& t = r2.cpu.state;
  t.msr.sysenter_cs = 0x40;
  t.msr.sysenter_esp = 0x8000;
  t.msr.sysenter_eip = 0x14000;
  r2.ram()[0x14000] = 0xF4;
  r2.exec({0x0F, 0x34});
  CHECK(r2.cpu.mode() == CpuMode::Long64);
  CHECK(t.rip == 0x14001);
  t.rip = 0x16000;
  t.gpr[RCX] = 0x7000;
  t.gpr[RDX] = 0x0000800000000000ull;
  CHECK(r2.exec({0x48, 0x0F, 0x35}) == vec::GP);
  t.rip = 0x16000;
  t.gpr[RDX] = 0x15000;
  r2.ram()[0x15000] = 0xEB;
  r2.ram()[0x15001] = 0xFE;
  r2.exec({0x48, 0x0F, 0x35});
  CHECK(t.seg[CS].selector == (0x60 | 3));
  CHECK(t.seg[SS].selector == (0x68 | 3));
  CHECK(r2.cpu.mode() == CpuMode::Long64);
  CHECK(t.rip == 0x15000);
}

TEST_CASE("long mode: LTR loads a 16-byte TSS descriptor with a 64-bit base") {
  LongRig r;
  r.enter64();
  // 0x20: 64-bit TSS, base 0x0000123400005000, limit 0x67; upper half at 0x28.
  r.put64(0x800 + 0x20, 0x0000890000000067ull | (0x5000ull << 16));
  r.put64(0x800 + 0x28, 0x1234);
  r.cpu.state.gdtr.limit = 0x2F;
  r.cpu.state.gpr[RAX] = 0x20;
  CHECK(r.exec({0x0F, 0x00, 0xD8}) == -1);  // ltr ax
  CHECK(r.cpu.state.tr.base == 0x0000123400005000ull);
  CHECK((r.cpu.state.tr.attr & 0xF) == 0xB);  // busy
  // A non-zero type in the upper half is #GP(selector).
  LongRig r2;
  r2.enter64();
  r2.put64(0x800 + 0x20, 0x0000890000000067ull);
  r2.put64(0x800 + 0x28, 0x00000F0000000000ull);
  r2.cpu.state.gdtr.limit = 0x2F;
  r2.cpu.state.gpr[RAX] = 0x20;
  CHECK(r2.exec({0x0F, 0x00, 0xD8}) == vec::GP);
}

TEST_CASE("long mode: instructions invalid in 64-bit mode are #UD") {
  const std::vector<std::vector<uint8_t>> invalid = {
      {0x06},                    // PUSH ES
      {0x0E},                    // PUSH CS
      {0x17},                    // POP SS
      {0x1F},                    // POP DS
      {0x27},                    // DAA
      {0x2F},                    // DAS
      {0x37},                    // AAA
      {0x3F},                    // AAS
      {0x60},                    // PUSHA
      {0x61},                    // POPA
      {0x82, 0xC0, 0x01},        // the 0x82 alias of group 1
      {0x9A, 0, 0, 0, 0, 8, 0},  // CALL ptr16:32
      {0xCE},                    // INTO
      {0xD4, 0x0A},              // AAM
      {0xD5, 0x0A},              // AAD
      {0xEA, 0, 0, 0, 0, 8, 0},  // JMP ptr16:32
  };
  for (const auto& code : invalid) {
    LongRig r;
    r.enter64();
    uint64_t at = r.cpu.state.rip;
    std::memcpy(r.ram() + at, code.data(), code.size());
    r.ram()[at + code.size()] = 0xF4;
    r.cpu.run(64);
    CAPTURE(static_cast<unsigned>(code[0]));
    CHECK(r.cpu.state.rip == LongRig::kTraps + vec::UD + 1);
  }
  // 0x63 is MOVSXD in 64-bit mode (ARPL elsewhere).
  LongRig r;
  r.enter64();
  r.cpu.state.gpr[RBX] = 0x80000000;
  CHECK(r.exec({0x48, 0x63, 0xC3}) == -1);  // movsxd rax, ebx
  CHECK(r.cpu.state.gpr[RAX] == 0xFFFFFFFF80000000ull);
}

TEST_CASE("long mode: IRETQ to CPL 3 keeps the FS/GS bases of null selectors (WRMSR-set TLS base)") {
  // Linux runs 64-bit processes with FS = 0 and the TLS base in
  // IA32_FS_BASE: the IRET step that nulls data segments the new CPL may
  // not use changes the selector, never the base (SDM "IRET").
  LongRig r;
  r.put64(0x800 + 0x20, 0x00AFFB000000FFFFull);  // 23: 64-bit code, DPL 3
  r.put64(0x800 + 0x28, 0x00CFF3000000FFFFull);  // 2B: data, DPL 3
  r.cpu.state.gdtr.limit = 0x2F;
  r.enter64();
  const uint8_t code[] = {
      0x31, 0xC0,                          // xor eax, eax
      0x8E, 0xE0,                          // mov fs, eax
      0xB9, 0x00, 0x01, 0x00, 0xC0,        // mov ecx, IA32_FS_BASE
      0xB8, 0x00, 0x50, 0x34, 0x12,        // mov eax, 0x12345000
      0x31, 0xD2,                          // xor edx, edx
      0x0F, 0x30,                          // wrmsr
      0x6A, 0x2B,                          // push 0x2B (SS)
      0x68, 0x00, 0x80, 0x00, 0x00,        // push 0x8000 (RSP)
      0x6A, 0x02,                          // push 2 (RFLAGS)
      0x6A, 0x23,                          // push 0x23 (CS)
      0x68, 0x00, 0x00, 0x02, 0x00,        // push 0x20000 (RIP)
      0x48, 0xCF,                          // iretq
  };
  std::memcpy(r.ram() + LongRig::kCode, code, sizeof code);
  r.cpu.state.seg[GS].base = 0xABC000;  // GS = 10 (DPL 0): nulled, base kept
  r.cpu.run(12);
  CHECK(r.cpu.state.rip == 0x20000);
  CHECK(r.cpu.state.seg[CS].selector == 0x23);
  CHECK(r.cpu.mode() == CpuMode::Long64);
  CHECK(r.cpu.state.seg[FS].selector == 0);
  CHECK(r.cpu.state.seg[FS].base == 0x12345000);
  CHECK(r.cpu.state.seg[GS].selector == 0);
  CHECK(r.cpu.state.seg[GS].base == 0xABC000);
  CHECK(r.cpu.state.seg[DS].selector == 0);
}

TEST_CASE("long mode: ENDBR64/ENDBR32 and RDSSPQ/RDSSPD are NOPs without CET") {
  // glibc's static busybox starts its functions with ENDBR64 (amd64 /init).
  LongRig r;
  r.enter64();
  r.cpu.state.gpr[RAX] = 0x1122334455667788ull;
  const uint64_t start = r.cpu.state.rip;
  CHECK(r.exec({0xF3, 0x0F, 0x1E, 0xFA,          // endbr64
                0xF3, 0x0F, 0x1E, 0xFB,          // endbr32
                0xF3, 0x48, 0x0F, 0x1E, 0xC8,    // rdsspq rax
                0xF3, 0x0F, 0x1E, 0xC8}) == -1);  // rdsspd eax
  CHECK(r.cpu.state.rip == start + 18);  // halted after the HLT
  CHECK(r.cpu.state.gpr[RAX] == 0x1122334455667788ull);
}
