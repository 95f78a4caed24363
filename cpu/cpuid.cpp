#include "cpu/cpuid.h"

#include <Zydis/Zydis.h>

#include <cstring>
#include <initializer_list>

#include "cpu/cpu_state.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

// Family 6, model 0x3A (extended model 3, model A), stepping 9: an Ivy
// Bridge-class part. EAX layout: stepping[3:0] model[7:4] family[11:8]
// type[13:12] ext-model[19:16] ext-family[27:20] (SDM Vol. 2, CPUID).
constexpr uint32_t kSignature = (0x3u << 16) | (6u << 8) | (0xAu << 4) | 9u;

constexpr uint32_t kMaxBasicLeaf = 7;
constexpr uint32_t kMaxExtLeaf = 0x80000008;
// 0x80000008 EAX: physical (kPhysAddrBits, cpuid.h) and linear address widths.
constexpr uint32_t kLinearAddrBits = 48;
// CPUID.80000001H bits.
namespace edx81 {
constexpr uint32_t SYSCALL = 1u << 11, NX = 1u << 20, PAGE1GB = 1u << 26, RDTSCP = 1u << 27, LM = 1u << 29;
}
namespace ecx81 {
constexpr uint32_t LAHF_LM = 1u << 0, ABM = 1u << 5;  // ABM: LZCNT
}

// CPUID.1:EDX bits.
namespace edx1 {
constexpr uint32_t FPU = 1u << 0, VME = 1u << 1, DE = 1u << 2, PSE = 1u << 3, TSC = 1u << 4, MSR = 1u << 5,
                   PAE = 1u << 6, CX8 = 1u << 8, APIC = 1u << 9, SEP = 1u << 11, PGE = 1u << 13,
                   CMOV = 1u << 15, PAT = 1u << 16, PSE36 = 1u << 17, CLFSH = 1u << 19,
                   MMX = 1u << 23, FXSR = 1u << 24, SSE = 1u << 25, SSE2 = 1u << 26;
}
// CPUID.(7,0):EBX bits.
namespace ebx7 {
constexpr uint32_t SMEP = 1u << 7, SMAP = 1u << 20;
}
// CPUID.(7,0):EDX bits.
namespace edx7 {
constexpr uint32_t ARCH_CAPABILITIES = 1u << 29;
}
// CPUID.1:ECX bits.
namespace ecx1 {
constexpr uint32_t SSE3 = 1u << 0, SSSE3 = 1u << 9, SSE41 = 1u << 19, SSE42 = 1u << 20, POPCNT = 1u << 23;
}

bool implemented(std::initializer_list<ZydisMnemonic> mnemonics) {
  const InsnHandler* table = interpreterHandlers().by_mnemonic;
  for (ZydisMnemonic m : mnemonics)
    if (table[m] == &handleUnimplemented) return false;
  return true;
}

struct Features {
  uint32_t edx1 = 0, ecx1 = 0, ebx7 = 0, edx7 = 0, edx81 = 0, ecx81 = 0;
  // MMX and the SSE family (cpu/interp/sse_*.cpp, cpu/simd/): each bit
  // once its whole instruction set has a handler (the sample below names
  // the last of each set to land; tests/unit/sse_test.cpp and
  // sse_host_test.cpp cover them).
  void addSimdFeatures() {
    if (implemented({ZYDIS_MNEMONIC_FXSAVE, ZYDIS_MNEMONIC_FXRSTOR})) edx1 |= edx1::FXSR;
    if (implemented({ZYDIS_MNEMONIC_EMMS, ZYDIS_MNEMONIC_PMADDWD, ZYDIS_MNEMONIC_PACKSSDW, ZYDIS_MNEMONIC_PSRAW,
                     ZYDIS_MNEMONIC_PUNPCKHDQ, ZYDIS_MNEMONIC_MOVQ}))
      edx1 |= edx1::MMX;
    if ((edx1 & edx1::FXSR) &&
        implemented({ZYDIS_MNEMONIC_ADDPS, ZYDIS_MNEMONIC_SQRTSS, ZYDIS_MNEMONIC_RSQRTPS, ZYDIS_MNEMONIC_CMPPS,
                     ZYDIS_MNEMONIC_CVTPI2PS, ZYDIS_MNEMONIC_CVTTSS2SI, ZYDIS_MNEMONIC_SHUFPS, ZYDIS_MNEMONIC_LDMXCSR,
                     ZYDIS_MNEMONIC_MASKMOVQ, ZYDIS_MNEMONIC_PSADBW, ZYDIS_MNEMONIC_SFENCE}))
      edx1 |= edx1::SSE;
    if ((edx1 & edx1::SSE) &&
        implemented({ZYDIS_MNEMONIC_ADDPD, ZYDIS_MNEMONIC_CVTPD2DQ, ZYDIS_MNEMONIC_CVTTSD2SI, ZYDIS_MNEMONIC_PMULUDQ,
                     ZYDIS_MNEMONIC_PSLLDQ, ZYDIS_MNEMONIC_PUNPCKHQDQ, ZYDIS_MNEMONIC_MASKMOVDQU,
                     ZYDIS_MNEMONIC_MOVNTI, ZYDIS_MNEMONIC_MFENCE, ZYDIS_MNEMONIC_LFENCE}))
      edx1 |= edx1::SSE2;
    if ((edx1 & edx1::SSE2) &&
        implemented({ZYDIS_MNEMONIC_ADDSUBPS, ZYDIS_MNEMONIC_HADDPD, ZYDIS_MNEMONIC_HSUBPS, ZYDIS_MNEMONIC_LDDQU,
                     ZYDIS_MNEMONIC_MOVDDUP, ZYDIS_MNEMONIC_MOVSHDUP, ZYDIS_MNEMONIC_FISTTP}))
      ecx1 |= ecx1::SSE3;
    if ((ecx1 & ecx1::SSE3) &&
        implemented({ZYDIS_MNEMONIC_PSHUFB, ZYDIS_MNEMONIC_PALIGNR, ZYDIS_MNEMONIC_PHADDSW, ZYDIS_MNEMONIC_PMULHRSW,
                     ZYDIS_MNEMONIC_PMADDUBSW, ZYDIS_MNEMONIC_PSIGND, ZYDIS_MNEMONIC_PABSD}))
      ecx1 |= ecx1::SSSE3;
    if ((ecx1 & ecx1::SSSE3) &&
        implemented({ZYDIS_MNEMONIC_DPPS, ZYDIS_MNEMONIC_DPPD, ZYDIS_MNEMONIC_ROUNDSD, ZYDIS_MNEMONIC_INSERTPS,
                     ZYDIS_MNEMONIC_MPSADBW, ZYDIS_MNEMONIC_PHMINPOSUW, ZYDIS_MNEMONIC_PMOVZXBQ, ZYDIS_MNEMONIC_PTEST,
                     ZYDIS_MNEMONIC_PBLENDVB, ZYDIS_MNEMONIC_PEXTRQ, ZYDIS_MNEMONIC_PINSRQ, ZYDIS_MNEMONIC_PMULLD,
                     ZYDIS_MNEMONIC_MOVNTDQA, ZYDIS_MNEMONIC_PACKUSDW}))
      ecx1 |= ecx1::SSE41;
    if ((ecx1 & ecx1::SSE41) &&
        implemented({ZYDIS_MNEMONIC_PCMPESTRI, ZYDIS_MNEMONIC_PCMPESTRM, ZYDIS_MNEMONIC_PCMPISTRI,
                     ZYDIS_MNEMONIC_PCMPISTRM, ZYDIS_MNEMONIC_PCMPGTQ, ZYDIS_MNEMONIC_CRC32, ZYDIS_MNEMONIC_POPCNT}))
      ecx1 |= ecx1::SSE42;
    if (implemented({ZYDIS_MNEMONIC_LZCNT})) ecx81 |= ecx81::ABM;
  }
  Features() {
    // Implemented by the interpreter itself (cpu/interp/system.cpp):
    // RDTSC with CR4.TSD, RDMSR/WRMSR.
    edx1 = edx1::TSC | edx1::MSR;
    // Debug extensions: I/O breakpoints and DR4/DR5 #UD under CR4.DE
    // (cpu/debug_breakpoints.cpp, handleMovDr).
    edx1 |= edx1::DE;
    // Virtual-8086 mode extensions with protected-mode virtual interrupts
    // (one bit for both: CR4.VME and CR4.PVI), cpu/virtual_interrupts.cpp.
    edx1 |= edx1::VME;
    // The shadow TLB's page walker (memory/page_walker.cpp): 4 MiB pages with
    // 36-bit physical addresses, PAE with NX, global pages, the PAT bit.
    edx1 |= edx1::PSE | edx1::PSE36 | edx1::PAE | edx1::PGE | edx1::PAT;
    // Pure instruction features follow the handler table (see cpuid.h).
    if (implemented({ZYDIS_MNEMONIC_CMPXCHG8B})) edx1 |= edx1::CX8;
    if (implemented({ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVNB,
                     ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
                     ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP, ZYDIS_MNEMONIC_CMOVNP,
                     ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE}))
      edx1 |= edx1::CMOV;
    if (implemented({ZYDIS_MNEMONIC_CLFLUSH})) edx1 |= edx1::CLFSH;
    if (implemented({ZYDIS_MNEMONIC_POPCNT})) ecx1 |= ecx1::POPCNT;
    // Supervisor-mode execution/access prevention: the page walker checks
    // them (memory/page_walker.cpp); SMAP also needs STAC/CLAC.
    ebx7 |= ebx7::SMEP;
    if (implemented({ZYDIS_MNEMONIC_STAC, ZYDIS_MNEMONIC_CLAC})) ebx7 |= ebx7::SMAP;
    // IA32_ARCH_CAPABILITIES (cpu/msr.cpp, kArchCapabilities).
    edx7 |= edx7::ARCH_CAPABILITIES;
    // The x87 (cpu/interp/x87*.cpp): the whole instruction set, the
    // transcendentals last.
    if (implemented({ZYDIS_MNEMONIC_FLD, ZYDIS_MNEMONIC_FADD, ZYDIS_MNEMONIC_FDIV, ZYDIS_MNEMONIC_FSQRT,
                     ZYDIS_MNEMONIC_FPREM1, ZYDIS_MNEMONIC_FNSAVE, ZYDIS_MNEMONIC_FRSTOR, ZYDIS_MNEMONIC_FNSTENV,
                     ZYDIS_MNEMONIC_FLDENV, ZYDIS_MNEMONIC_F2XM1, ZYDIS_MNEMONIC_FYL2X, ZYDIS_MNEMONIC_FYL2XP1,
                     ZYDIS_MNEMONIC_FPTAN, ZYDIS_MNEMONIC_FPATAN, ZYDIS_MNEMONIC_FSIN, ZYDIS_MNEMONIC_FCOS,
                     ZYDIS_MNEMONIC_FSINCOS}))
      edx1 |= edx1::FPU;
    addSimdFeatures();
    // The page walker's XD bit and 1 GiB pages (PagingControl::page1gb).
    edx81 = edx81::NX | edx81::PAGE1GB;
    // Long mode (cpu/long_mode_transfer.cpp, 4-level paging, 64-bit
    // decoding), SYSCALL/SYSRET with EFER.SCE, LAHF/SAHF in 64-bit mode,
    // RDTSCP with TSC_AUX; SYSENTER/SYSEXIT (cpu/interp/fast_system_call.cpp).
    edx81 |= edx81::LM;
    if (implemented({ZYDIS_MNEMONIC_SYSCALL, ZYDIS_MNEMONIC_SYSRET})) edx81 |= edx81::SYSCALL;
    if (implemented({ZYDIS_MNEMONIC_RDTSCP})) edx81 |= edx81::RDTSCP;
    if (implemented({ZYDIS_MNEMONIC_LAHF, ZYDIS_MNEMONIC_SAHF})) ecx81 |= ecx81::LAHF_LM;
    if (implemented({ZYDIS_MNEMONIC_SYSENTER, ZYDIS_MNEMONIC_SYSEXIT})) edx1 |= edx1::SEP;
    // APIC comes from the board (addLocalApic). Not yet, on purpose: MCE, MTRR, MCA.
  }
};

const Features& features() {
  static const Features f;
  return f;
}

uint32_t chars4(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);  // little-endian: first character in the low byte
  return v;
}

CpuidResult basicLeaf(uint32_t leaf, uint32_t subleaf) {
  const Features& f = features();
  switch (leaf) {
    case 0:
      return {kMaxBasicLeaf, chars4("Genu"), chars4("ntel"), chars4("ineI")};
    case 2:  // AL = 1 (always, SDM); all descriptors null: no cache/TLB information
      return {1, 0, 0, 0};
    case 3:  // no processor serial number
    case 4:  // EAX type 0: no deterministic cache parameters
    case 5:  // no MONITOR/MWAIT
    case 6:  // no thermal/power management
      return {0, 0, 0, 0};
    case 7:  // subleaf 0: EAX = highest subleaf (0), EBX structured features
      return subleaf == 0 ? CpuidResult{0, f.ebx7, 0, f.edx7} : CpuidResult{0, 0, 0, 0};
    default:  // 1
      // EBX: brand index 0, CLFLUSH line 8*8 = 64 bytes, 1 logical
      // processor ID per package, initial APIC ID 0.
      return {kSignature, (8u << 8) | (1u << 16), f.ecx1, f.edx1};
  }
}

CpuidResult brandLeaf(uint32_t leaf) {
  // 48 bytes over 0x80000002..4, NUL-padded (SDM Vol. 2, CPUID, brand string).
  static const char kBrand[48] = "softvisor virtual CPU";
  const char* p = kBrand + (leaf - 0x80000002) * 16;
  return {chars4(p), chars4(p + 4), chars4(p + 8), chars4(p + 12)};
}

}  // namespace

uint32_t cpuidSignature() { return kSignature; }

CpuidResult cpuidQuery(uint32_t leaf, uint32_t subleaf) {
  if (leaf <= kMaxBasicLeaf) return basicLeaf(leaf, subleaf);
  switch (leaf) {
    case 0x80000000: return {kMaxExtLeaf, 0, 0, 0};
    case 0x80000001: return {0, 0, features().ecx81, features().edx81};
    case 0x80000005:
    case 0x80000006:
    case 0x80000007: return {0, 0, 0, 0};
    case 0x80000008: return {kPhysAddrBits | (kLinearAddrBits << 8), 0, 0, 0};
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: return brandLeaf(leaf);
    default:
      // Intel: a leaf above the basic or extended maximum returns the data
      // of the highest basic leaf (SDM Vol. 2, CPUID, "INPUT EAX = 0").
      return basicLeaf(kMaxBasicLeaf, subleaf);
  }
}

void addLocalApic(CpuidResult& r, uint32_t leaf, bool enabled, uint8_t apic_id) {
  // Leaves above the maximum answer as the highest basic leaf (7), not 1.
  if (leaf != 1) return;
  if (enabled) r.edx |= edx1::APIC;
  r.ebx = (r.ebx & 0x00FFFFFFu) | (static_cast<uint32_t>(apic_id) << 24);
}

uint64_t cr4WritableMask() {
  // Each bit comes with its feature. MCE, PCE ... arrive with theirs.
  uint32_t f = features().edx1;
  uint64_t m = 0;
  if (f & edx1::VME) m |= cr4::VME | cr4::PVI;
  if (f & edx1::TSC) m |= cr4::TSD;
  if (f & edx1::DE) m |= cr4::DE;
  if (f & edx1::PSE) m |= cr4::PSE;
  if (f & edx1::PAE) m |= cr4::PAE;
  if (f & edx1::PGE) m |= cr4::PGE;
  if (features().ebx7 & ebx7::SMEP) m |= cr4::SMEP;
  if (features().ebx7 & ebx7::SMAP) m |= cr4::SMAP;
  if (f & edx1::FXSR) m |= cr4::OSFXSR;
  if (f & edx1::SSE) m |= cr4::OSXMMEXCPT;
  return m;
}

uint64_t eferWritableMask() {
  // NXE with NX, SCE with SYSCALL, LME with long mode (0x80000001:EDX).
  return efer::NXE | efer::SCE | efer::LME;
}

}  // namespace sv
