// Control-transfer and system instructions in real mode, beyond what the
// 286 SingleStepTests reach: 32-bit forms, CPUID, MSRs, control and debug
// registers, descriptor-table registers.
#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>
#include <string>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"
#include "tests/unit/real_mode_rig.h"

using namespace sv;
using sv::testing::FixedClock;
using sv::testing::NullPorts;

namespace {

// The shared real-mode rig (tests/unit/real_mode_rig.h), with CR0.NE and
// EDX as the CPU's reset leaves them clear, and code run from wherever
// CS:IP points now.
struct Rig : sv::testing::RealModeRig {
  Rig() {
    cpu.state.cr0 &= ~cr0::NE;
    cpu.state.gpr[RDX] = 0;
    cpu.updateMode();
  }

  uint8_t* ram() { return mem.ramHost(); }

  // Runs `code` (followed by HLT) until the CPU halts. Returns the vector of
  // the event that was delivered, or -1 if the code ran to its HLT.
  int exec(std::initializer_list<uint8_t> code) {
    uint64_t at = cpu.state.seg[CS].base + cpu.state.rip;
    for (uint8_t b : code) ram()[at++] = b;
    ram()[at] = 0xF4;
    cpu.run(64);
    const CpuState& s = cpu.state;
    if (s.seg[CS].selector == 0 && s.rip > kTraps && s.rip <= kTraps + 256) return static_cast<int>(s.rip - kTraps - 1);
    return -1;
  }
  uint32_t eax() const { return static_cast<uint32_t>(cpu.state.gpr[RAX]); }
};

std::string cpuidString(std::initializer_list<uint32_t> regs) {
  std::string s;
  for (uint32_t r : regs) s.append(reinterpret_cast<const char*>(&r), 4);
  return s.substr(0, s.find('\0'));
}

}  // namespace

TEST_CASE("CPUID: vendor, signature, honest feature bits, brand, out-of-range leaves") {
  CpuidResult l0 = cpuidQuery(0, 0);
  CHECK(l0.eax == 7);
  CHECK(cpuidString({l0.ebx, l0.edx, l0.ecx}) == "GenuineIntel");
  CpuidResult l1 = cpuidQuery(1, 0);
  CHECK(l1.eax == cpuidSignature());
  CHECK(((l1.eax >> 8) & 0xF) == 6);
  CHECK((l1.edx & (1u << 4)) != 0);   // TSC
  CHECK((l1.edx & (1u << 5)) != 0);   // MSR
  CHECK((l1.edx & 1u) == 1);          // FPU: the whole x87, transcendentals included
  CHECK((l1.edx & (1u << 3)) != 0);   // PSE   (the page walker implements these)
  CHECK((l1.edx & (1u << 6)) != 0);   // PAE
  CHECK((l1.edx & (1u << 13)) != 0);  // PGE
  CHECK((l1.edx & (1u << 17)) != 0);  // PSE-36
  CHECK((l1.edx & (1u << 1)) != 0);   // VME (with PVI), cpu/virtual_interrupts.cpp
  CHECK((l1.edx & (1u << 9)) == 0);   // no APIC
  CHECK((l1.edx & (1u << 23)) != 0);  // MMX  (cpu/interp/sse_*.cpp)
  CHECK((l1.edx & (1u << 24)) != 0);  // FXSR
  CHECK((l1.edx & (1u << 25)) != 0);  // SSE
  CHECK((l1.edx & (1u << 26)) != 0);  // SSE2
  CHECK((l1.ecx & (1u << 0)) != 0);   // SSE3
  CHECK((l1.ecx & (1u << 9)) != 0);   // SSSE3
  CHECK((l1.ecx & (1u << 19)) != 0);  // SSE4.1
  CHECK((l1.ecx & (1u << 20)) != 0);  // SSE4.2
  CHECK((l1.ecx & (1u << 23)) != 0);  // POPCNT
  CHECK((l1.ecx & (1u << 26)) == 0);  // no XSAVE
  CHECK((l1.ecx & (1u << 27)) == 0);  // no OSXSAVE
  CHECK((l1.ecx & (1u << 28)) == 0);  // no AVX
  CHECK(cpuidQuery(0x80000000, 0).eax == 0x80000008);
  CHECK((cpuidQuery(0x80000001, 0).edx & (1u << 29)) != 0);  // LM: cpu/long_mode_transfer.cpp, 4-level paging
  CHECK((cpuidQuery(0x80000001, 0).edx & (1u << 11)) != 0);  // SYSCALL/SYSRET
  CHECK((cpuidQuery(0x80000001, 0).edx & (1u << 26)) != 0);  // 1 GiB pages: PagingControl::page1gb
  CHECK((cpuidQuery(0x80000001, 0).edx & (1u << 27)) != 0);  // RDTSCP
  CHECK((cpuidQuery(0x80000001, 0).ecx & 1u) != 0);          // LAHF/SAHF in 64-bit mode
  CHECK((cpuidQuery(0x80000001, 0).edx & (1u << 20)) != 0);  // NX
  CHECK((cpuidQuery(0x80000001, 0).ecx & (1u << 5)) != 0);   // LZCNT (ABM)
  CHECK(cpuidQuery(0x80000008, 0).eax == (40u | (48u << 8)));  // MAXPHYADDR agrees with the walker
  std::string brand;
  for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
    CpuidResult r = cpuidQuery(leaf, 0);
    for (uint32_t v : {r.eax, r.ebx, r.ecx, r.edx}) brand.append(reinterpret_cast<const char*>(&v), 4);
  }
  CHECK(std::string(brand.c_str()) == "softvisor virtual CPU");
  // Leaf 7: SMEP and SMAP (with STAC/CLAC), IA32_ARCH_CAPABILITIES,
  // nothing else; one subleaf.
  CpuidResult l7 = cpuidQuery(7, 0);
  CHECK(l7.eax == 0);
  CHECK(l7.ebx == ((1u << 7) | (1u << 20)));
  CHECK(l7.ecx == 0);
  CHECK(l7.edx == (1u << 29));
  CpuidResult l7s1 = cpuidQuery(7, 1);
  CHECK((l7s1.eax | l7s1.ebx | l7s1.ecx | l7s1.edx) == 0);
  CHECK(cpuidQuery(2, 0).eax == 1);  // AL = 1, null descriptors
  CHECK(cpuidQuery(4, 0).eax == 0);  // no deterministic cache leaves
  // Above the basic or extended maximum: the highest basic leaf (Intel).
  for (uint32_t leaf : {8u, 0x40000000u, 0x80000009u}) {
    CpuidResult r = cpuidQuery(leaf, 0);
    CHECK(r.eax == l7.eax);
    CHECK(r.ebx == l7.ebx);
  }
}

TEST_CASE("CPUID instruction writes EAX/EBX/ECX/EDX") {
  Rig r;
  r.cpu.state.gpr[RAX] = 0;
  CHECK(r.exec({0x0F, 0xA2}) == -1);
  CHECK(r.eax() == 7);
  CHECK(static_cast<uint32_t>(r.cpu.state.gpr[RBX]) == 0x756E6547);  // "Genu"
}

TEST_CASE("MOV CR0: reserved combinations fault, PE enters protected mode, ET is hardwired") {
  Rig r;
  r.cpu.state.gpr[RAX] = 0x80000000;  // PG without PE
  CHECK(r.exec({0x0F, 0x22, 0xC0}) == vec::GP);
  Rig r2;
  r2.cpu.state.gpr[RAX] = 0x20000000;  // NW without CD
  CHECK(r2.exec({0x0F, 0x22, 0xC0}) == vec::GP);
  Rig r3;
  r3.cpu.state.gpr[RAX] = 0x00000001;  // PE; reserved bit 6 ignored below
  r3.cpu.state.gpr[RAX] |= 0x40;
  r3.exec({0x0F, 0x22, 0xC0});
  CHECK(r3.cpu.state.cr0 == (cr0::PE | cr0::ET));
  CHECK(r3.cpu.mode() == CpuMode::Protected);
}

TEST_CASE("MOV CR4: bits of unadvertised features are reserved") {
  Rig r;
  r.cpu.state.gpr[RAX] = cr4::VME | cr4::PVI;  // advertised (CPUID.1:EDX.VME): accepted
  CHECK(r.exec({0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3}) == -1);
  CHECK(r.cpu.state.gpr[RBX] == (cr4::VME | cr4::PVI));
  Rig r1;
  r1.cpu.state.gpr[RAX] = cr4::OSXSAVE;  // no XSAVE: reserved
  CHECK(r1.exec({0x0F, 0x22, 0xE0}) == vec::GP);
  Rig r4;
  r4.cpu.state.gpr[RAX] = cr4::OSFXSR | cr4::OSXMMEXCPT;  // FXSR and SSE advertised: accepted
  CHECK(r4.exec({0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3}) == -1);
  CHECK(r4.cpu.state.gpr[RBX] == (cr4::OSFXSR | cr4::OSXMMEXCPT));
  Rig r3;
  r3.cpu.state.gpr[RAX] = cr4::PAE | cr4::PSE | cr4::PGE;  // advertised: accepted
  CHECK(r3.exec({0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3}) == -1);
  CHECK(r3.cpu.state.gpr[RBX] == (cr4::PAE | cr4::PSE | cr4::PGE));
  Rig r2;
  r2.cpu.state.gpr[RAX] = cr4::TSD;
  CHECK(r2.exec({0x0F, 0x22, 0xE0, 0x0F, 0x20, 0xE3}) == -1);  // mov cr4,eax; mov ebx,cr4
  CHECK(r2.cpu.state.gpr[RBX] == cr4::TSD);
}

TEST_CASE("MOV DRn: DR6/DR7 fixed bits, DR4/DR5 aliases, DR7.GD traps") {
  Rig r;
  r.cpu.state.gpr[RAX] = 0;
  CHECK(r.exec({0x0F, 0x23, 0xF0, 0x0F, 0x21, 0xE3}) == -1);  // mov dr6,eax; mov ebx,dr4
  CHECK(r.cpu.state.gpr[RBX] == 0xFFFF0FF0);
  Rig r2;
  r2.cpu.state.gpr[RAX] = 1u << 13;  // GD
  CHECK(r2.exec({0x0F, 0x23, 0xF8, 0x0F, 0x21, 0xC3}) == vec::DB);
  CHECK((r2.cpu.state.dr[6] & (1u << 13)) != 0);  // BD
  CHECK((r2.cpu.state.dr[7] & (1u << 13)) == 0);  // GD cleared for the handler
}

TEST_CASE("LGDT keeps 24 base bits with a 16-bit operand, 32 with 66h, SGDT stores 32") {
  Rig r;
  const uint8_t desc[6] = {0xFF, 0x7F, 0x78, 0x56, 0x34, 0x12};
  std::memcpy(r.ram() + Rig::kData, desc, 6);
  CHECK(r.exec({0x0F, 0x01, 0x16, 0x00, 0x00}) == -1);  // lgdt [0]
  CHECK(r.cpu.state.gdtr.base == 0x345678);
  CHECK(r.cpu.state.gdtr.limit == 0x7FFF);
  Rig r2;
  std::memcpy(r2.ram() + Rig::kData, desc, 6);
  CHECK(r2.exec({0x66, 0x0F, 0x01, 0x1E, 0x00, 0x00,      // lidt [0] (32-bit)
                 0x0F, 0x01, 0x0E, 0x10, 0x00}) == -1);  // sidt [10h] (16-bit)
  CHECK(r2.cpu.state.idtr.base == 0x12345678);
  CHECK(std::memcmp(r2.ram() + Rig::kData + 0x10, desc, 6) == 0);
}

TEST_CASE("SMSW: 16 bits to memory or r16, the low 32 bits to r32, LMSW never clears PE") {
  Rig r;
  r.cpu.state.gpr[RAX] = 0xAAAAAAAA;
  r.cpu.state.gpr[RBX] = 0xAAAAAAAA;
  CHECK(r.exec({0x0F, 0x01, 0xE0, 0x66, 0x0F, 0x01, 0xE3}) == -1);  // smsw ax; smsw ebx
  CHECK(r.cpu.state.gpr[RAX] == 0xAAAA0010);
  CHECK(r.cpu.state.gpr[RBX] == 0x60000010);
  Rig r2;
  r2.cpu.state.cr0 |= cr0::PE;
  r2.cpu.updateMode();
  r2.cpu.state.seg[CS].attr = segattr::REAL_CODE;  // CPL 0 code as the real->PE switch leaves it
  r2.cpu.state.gpr[RAX] = 0x000E;                  // MP EM TS, PE clear
  CHECK(r2.exec({0x0F, 0x01, 0xF0}) == -1);        // lmsw ax
  CHECK((r2.cpu.state.cr0 & 0xF) == 0xF);
}

TEST_CASE("RDMSR/WRMSR: homed MSRs, TSC, EFER, reserved values and unknown indices") {
  Rig r;
  r.cpu.state.gpr[RCX] = 0x1B;
  CHECK(r.exec({0x0F, 0x32}) == -1);
  CHECK(r.eax() == 0xFEE00900);
  Rig r2;
  r2.cpu.state.gpr[RCX] = 0x12345;
  CHECK(r2.exec({0x0F, 0x32}) == vec::GP);
  Rig r3;  // TSC write, then RDTSC sees it move with the clock
  r3.cpu.state.gpr[RCX] = 0x10;
  r3.cpu.state.gpr[RAX] = 0x5000;
  r3.cpu.state.gpr[RDX] = 0;
  CHECK(r3.exec({0x0F, 0x30}) == -1);
  r3.clock.now += 7;
  r3.cpu.state.halted = 0;
  CHECK(r3.exec({0x0F, 0x31}) == -1);
  CHECK(r3.eax() == 0x5007);
  Rig r4;  // EFER: bit 9 is reserved; LME and SCE are writable (long mode is advertised)
  r4.cpu.state.gpr[RCX] = 0xC0000080;
  r4.cpu.state.gpr[RAX] = 1u << 9;
  CHECK(r4.exec({0x0F, 0x30}) == vec::GP);
  Rig r4b;
  r4b.cpu.state.gpr[RCX] = 0xC0000080;
  r4b.cpu.state.gpr[RAX] = efer::LME | efer::SCE;
  CHECK(r4b.exec({0x0F, 0x30}) == -1);
  CHECK(r4b.cpu.state.efer == (efer::LME | efer::SCE));  // LMA waits for CR0.PG
  Rig r5;  // PAT type 2 is reserved
  r5.cpu.state.gpr[RCX] = 0x277;
  r5.cpu.state.gpr[RAX] = 0x02;
  CHECK(r5.exec({0x0F, 0x30}) == vec::GP);
  Rig r6;  // microcode signature: WRMSR 0, CPUID, RDMSR -> revision 0 in EDX
  r6.cpu.state.gpr[RCX] = 0x8B;
  r6.cpu.state.gpr[RAX] = 0;
  r6.cpu.state.gpr[RDX] = 0;
  CHECK(r6.exec({0x0F, 0x30, 0x66, 0xB9, 0x8B, 0x00, 0x00, 0x00, 0x0F, 0x32}) == -1);
  CHECK(r6.cpu.state.gpr[RDX] == 0);
  Rig r7;  // platform ID reads 0 and is read-only
  r7.cpu.state.gpr[RCX] = 0x17;
  r7.cpu.state.gpr[RDX] = 0x55;
  CHECK(r7.exec({0x0F, 0x32}) == -1);
  CHECK(r7.cpu.state.gpr[RDX] == 0);
  Rig r8;
  r8.cpu.state.gpr[RCX] = 0x17;
  CHECK(r8.exec({0x0F, 0x30}) == vec::GP);
  // IA32_ARCH_CAPABILITIES: not affected by Meltdown (RDCL_NO), MDS, TAA,
  // SSB ...; read-only.
  Rig r9;
  r9.cpu.state.gpr[RCX] = 0x10A;
  CHECK(r9.exec({0x0F, 0x32}) == -1);
  const uint64_t caps = (r9.cpu.state.gpr[RDX] << 32) | (r9.cpu.state.gpr[RAX] & 0xFFFFFFFF);
  CHECK(caps == kArchCapabilities);
  CHECK((caps & 1) != 0);          // RDCL_NO: Linux needs no page-table isolation
  CHECK((caps & (1u << 5)) != 0);  // MDS_NO
  Rig r10;
  r10.cpu.state.gpr[RCX] = 0x10A;
  CHECK(r10.exec({0x0F, 0x30}) == vec::GP);
}

TEST_CASE("JMP rel32 beyond the CS limit is #GP(0) with nothing changed") {
  Rig r;
  CHECK(r.exec({0x66, 0xE9, 0x00, 0x00, 0x01, 0x00}) == vec::GP);
  // The #GP frame holds the faulting JMP's CS:IP.
  uint16_t ip, cs;
  std::memcpy(&ip, r.ram() + 0x2FFEA, 2);
  std::memcpy(&cs, r.ram() + 0x2FFEC, 2);
  CHECK(ip == 0);
  CHECK(cs == 0x1000);
}

TEST_CASE("LOOP with 67h counts in ECX, JCXZ with 67h tests ECX") {
  Rig r;
  r.cpu.state.gpr[RCX] = 0x10000;
  // 67 E2 01: loop over the first HLT to the second
  CHECK(r.exec({0x67, 0xE2, 0x01, 0xF4}) == -1);
  CHECK(r.cpu.state.gpr[RCX] == 0xFFFF);
  CHECK(r.cpu.state.rip == 5);  // past the second HLT
  Rig r2;
  r2.cpu.state.gpr[RCX] = 0x10000;  // CX = 0 but ECX != 0
  CHECK(r2.exec({0x67, 0xE3, 0x01, 0xF4}) == -1);
  CHECK(r2.cpu.state.rip == 4);  // not taken
}

TEST_CASE("CALL FAR with 66h pushes CS zero-padded and EIP, RETF 66h returns") {
  Rig r;
  // call far 1000:00000010 (66 9A); the target is a 32-bit RETF (66 CB)
  r.ram()[Rig::kCode + 0x10] = 0x66;
  r.ram()[Rig::kCode + 0x11] = 0xCB;
  r.ram()[0x2FFEE] = 0xEE;  // pre-fill the CS slot's high half
  r.ram()[0x2FFEF] = 0xEE;
  CHECK(r.exec({0x66, 0x9A, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10}) == -1);
  uint32_t eip, cs;
  std::memcpy(&eip, r.ram() + 0x2FFE8, 4);
  std::memcpy(&cs, r.ram() + 0x2FFEC, 4);
  CHECK(eip == 8);
  CHECK(cs == 0x1000);
  CHECK(r.cpu.state.gpr[RSP] == 0xFFF0);
  CHECK(r.cpu.state.rip == 9);
}

TEST_CASE("IRETD in real mode: EIP above the limit is #GP, EFLAGS keeps VM/VIF/VIP") {
  Rig r;
  uint32_t frame[3] = {0x10000, 0x1000, 0x202};
  std::memcpy(r.ram() + 0x2FFF0, frame, 12);
  CHECK(r.exec({0x66, 0xCF}) == vec::GP);
  Rig r2;
  uint32_t frame2[3] = {0x40, 0x1000, 0x40000 | 0x20000 | 0x0C3};  // AC, VM, flags
  std::memcpy(r2.ram() + 0x2FFF0, frame2, 12);
  r2.ram()[Rig::kCode + 0x40] = 0xF4;
  CHECK(r2.exec({0x66, 0xCF}) == -1);
  CHECK(r2.cpu.state.rip == 0x41);
  CHECK(r2.cpu.state.rflags == (0x40000 | 0x0C3 | flag::FIXED1));
  CHECK(r2.cpu.state.gpr[RSP] == 0xFFFC);
}

TEST_CASE("STI sets the interrupt shadow only when IF was clear") {
  Rig r2;  // reset leaves IF clear
  r2.ram()[Rig::kCode] = 0xFB;
  r2.cpu.run(1);
  CHECK(r2.cpu.state.interrupt_shadow == 1);
  r2.ram()[Rig::kCode + 1] = 0xFB;
  r2.cpu.run(1);
  CHECK(r2.cpu.state.interrupt_shadow == 0);
}

TEST_CASE("HLT in real mode ignores the low bits of CS") {
  Rig r;
  r.cpu.state.seg[CS].selector = 0x0FFF;  // same base would need 0x1000; base kept, RPL bits set
  CHECK(r.exec({0x90}) == -1);
  CHECK(r.cpu.state.halted == 1);
}

TEST_CASE("RET imm16 wraps SP at 64K") {
  Rig r;
  r.cpu.state.gpr[RSP] = 0xFFFE;
  r.ram()[0x2FFFE] = 0x20;
  r.ram()[0x2FFFF] = 0x00;
  r.ram()[Rig::kCode + 0x20] = 0xF4;
  CHECK(r.exec({0xC2, 0x04, 0x00}) == -1);
  CHECK(r.cpu.state.gpr[RSP] == 0x0004);
  CHECK(r.cpu.state.rip == 0x21);
}
