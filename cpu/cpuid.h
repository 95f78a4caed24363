// The CPUID model of our one guest CPU, and the architectural consequences
// of its feature set (which CR4 and EFER bits may be set).
//
// THE RULE: CPUID never advertises a feature the CPU does not implement.
// Guests pick code paths from CPUID alone; a bit set too early turns a
// missing feature into a wrong result instead of a clean fallback. A
// feature bit is set only once its instructions, state and exceptions all
// exist in the interpreter (and the JIT, which must agree with it). Where a
// feature is nothing but instructions (CMOV, CMPXCHG8B ...) the bit follows
// the interpreter's handler table, so it appears by itself when the last of
// its handlers lands. Control-register and MSR bits that belong to an
// unadvertised feature are reserved (#GP on write), as on a real CPU
// without that feature: cr4WritableMask()/eferWritableMask() derive them
// from the same feature set.
#pragma once

#include <cstdint>

namespace sv {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

// CPUID with EAX = leaf, ECX = subleaf.
CpuidResult cpuidQuery(uint32_t leaf, uint32_t subleaf);

// What the board's local APIC adds to a CPUID result: leaf 1 EDX.APIC
// while it is globally enabled, and its initial APIC ID in EBX[31:24]
// (SDM Vol. 2, CPUID). Leaves other than 1 are left alone.
void addLocalApic(CpuidResult& r, uint32_t leaf, bool enabled, uint8_t apic_id);

// Family/model/stepping (CPUID.1:EAX); also what DX holds after RESET
// (SDM Vol. 3A, 9.1.4).
uint32_t cpuidSignature();

// CR4 bits MOV CR4 may set; any other bit is reserved (#GP(0)).
uint64_t cr4WritableMask();
// EFER bits WRMSR may set (LMA is read-only and not included).
uint64_t eferWritableMask();

// IA32_ARCH_CAPABILITIES (MSR 10AH, advertised by CPUID.(7,0):EDX[29];
// SDM Vol. 4, Table 2-2): the "not affected" bits of the speculative
// execution issues. They are true of this CPU: it executes nothing
// speculatively, keeps no fill/store/load-port buffers and no branch
// predictor state a guest could observe. They are what lets a guest skip
// mitigations that cost an emulator dearly (Meltdown's page-table
// isolation reloads CR3, and so flushes the shadow TLB, on every kernel
// entry). RDCL_NO 0, SSB_NO 4, MDS_NO 5, IF_PSCHANGE_MC_NO 6, TAA_NO 8,
// SBDR_SSDP_NO 13, FBSDP_NO 14, PSDP_NO 15, BHI_NO 20, PBRSB_NO 24,
// GDS_NO 26, RFDS_NO 27.
constexpr uint64_t kArchCapabilities = (1ull << 0) | (1ull << 4) | (1ull << 5) | (1ull << 6) | (1ull << 8) |
                                       (1ull << 13) | (1ull << 14) | (1ull << 15) | (1ull << 20) | (1ull << 24) |
                                       (1ull << 26) | (1ull << 27);

// Physical address width (MAXPHYADDR), reported in CPUID.80000008H:EAX[7:0];
// the page walker's reserved-bit checks use the same value.
constexpr unsigned kPhysAddrBits = 40;

}  // namespace sv
