#include "cpu/msr.h"

#include "cpu/cpu.h"
#include "cpu/cpuid.h"

namespace sv {

namespace {

namespace idx {
constexpr uint32_t TSC = 0x10, PLATFORM_ID = 0x17, ARCH_CAPABILITIES = 0x10A, BIOS_SIGN_ID = 0x8B, APIC_BASE = 0x1B, FEATURE_CONTROL = 0x3A, SYSENTER_CS = 0x174,
                   SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, MISC_ENABLE = 0x1A0, MTRR_VAR0 = 0x200,
                   MTRR_VAR_END = 0x210, MTRR_FIX64K = 0x250, MTRR_FIX16K_80000 = 0x258,
                   MTRR_FIX16K_A0000 = 0x259, MTRR_FIX4K_C0000 = 0x268, MTRR_FIX4K_F8000 = 0x26F, PAT = 0x277,
                   MTRR_DEF_TYPE = 0x2FF, EFER = 0xC0000080, STAR = 0xC0000081, LSTAR = 0xC0000082,
                   CSTAR = 0xC0000083, SFMASK = 0xC0000084, FS_BASE = 0xC0000100,
                   GS_BASE = 0xC0000101, KERNEL_GS_BASE = 0xC0000102, TSC_AUX = 0xC0000103;
}

constexpr uint64_t kApicBsp = 1u << 8, kApicEnable = 1u << 11;
// Address bits 12..MAXPHYADDR-1 of APIC base and MTRR base/mask MSRs.
constexpr uint64_t kPhysPageMask = ((1ull << kPhysAddrBits) - 1) & ~0xFFFull;


// Memory types: UC 0, WC 1, WT 4, WP 5, WB 6, and UC- 7 in the PAT only.
bool validType(uint64_t t, bool pat) { return t == 0 || t == 1 || (t >= 4 && t <= 6) || (pat && t == 7); }
bool validTypes(uint64_t v, bool pat) {
  for (int i = 0; i < 8; ++i)
    if (!validType((v >> (8 * i)) & 0xFF, pat)) return false;
  return true;
}

// The CpuState home of an MSR that is plain storage, or nullptr.
uint64_t* home(CpuState& s, uint32_t index) {
  switch (index) {
    case idx::APIC_BASE: return &s.msr.apic_base;
    case idx::FEATURE_CONTROL: return &s.msr.feature_control;
    case idx::SYSENTER_CS: return &s.msr.sysenter_cs;
    case idx::SYSENTER_ESP: return &s.msr.sysenter_esp;
    case idx::SYSENTER_EIP: return &s.msr.sysenter_eip;
    case idx::MISC_ENABLE: return &s.msr.misc_enable;
    case idx::MTRR_FIX64K: return &s.msr.mtrr_fixed[0];
    case idx::MTRR_FIX16K_80000: return &s.msr.mtrr_fixed[1];
    case idx::MTRR_FIX16K_A0000: return &s.msr.mtrr_fixed[2];
    case idx::PAT: return &s.msr.pat;
    case idx::MTRR_DEF_TYPE: return &s.msr.mtrr_def_type;
    case idx::EFER: return &s.efer;
    case idx::STAR: return &s.msr.star;
    case idx::LSTAR: return &s.msr.lstar;
    case idx::CSTAR: return &s.msr.cstar;
    case idx::SFMASK: return &s.msr.sfmask;
    case idx::FS_BASE: return &s.seg[FS].base;
    case idx::GS_BASE: return &s.seg[GS].base;
    case idx::KERNEL_GS_BASE: return &s.msr.kernel_gs_base;
    case idx::TSC_AUX: return &s.msr.tsc_aux;
    default: break;
  }
  if (index >= idx::MTRR_VAR0 && index < idx::MTRR_VAR_END) return &s.msr.mtrr_var[index - idx::MTRR_VAR0];
  if (index >= idx::MTRR_FIX4K_C0000 && index <= idx::MTRR_FIX4K_F8000)
    return &s.msr.mtrr_fixed[3 + index - idx::MTRR_FIX4K_C0000];
  return nullptr;
}

// Whether `v` may be written to the MSR (reserved bits, SDM Vol. 4 / Vol. 3A).
bool acceptable(const CpuState& s, uint32_t index, uint64_t v) {
  switch (index) {
    case idx::APIC_BASE: return (v & ~(kPhysPageMask | kApicEnable | kApicBsp)) == 0;  // no x2APIC
    case idx::FEATURE_CONTROL: return !(s.msr.feature_control & 1) && (v & ~1ull) == 0;  // lock only: no VMX/SMX
    case idx::SYSENTER_ESP:
    case idx::SYSENTER_EIP:
    case idx::LSTAR:
    case idx::CSTAR:
    case idx::FS_BASE:
    case idx::GS_BASE:
    case idx::KERNEL_GS_BASE: return isCanonical(v);
    case idx::SFMASK:
    case idx::TSC_AUX: return (v >> 32) == 0;
    case idx::PAT: return validTypes(v, true);
    case idx::MTRR_DEF_TYPE: return (v & ~0xCFFull) == 0 && validType(v & 0xFF, false);
    default: break;
  }
  if (index >= idx::MTRR_VAR0 && index < idx::MTRR_VAR_END) {
    if (index & 1) return (v & ~(kPhysPageMask | 0x800)) == 0;  // PHYSMASK: V bit 11
    return (v & ~(kPhysPageMask | 0xFF)) == 0 && validType(v & 0xFF, false);
  }
  if ((index >= idx::MTRR_FIX64K && index <= idx::MTRR_FIX16K_A0000) ||
      (index >= idx::MTRR_FIX4K_C0000 && index <= idx::MTRR_FIX4K_F8000))
    return validTypes(v, false);
  return true;
}

}  // namespace

bool readMsr(Cpu& cpu, uint32_t index, uint64_t& value) {
  if (index == idx::TSC) {
    value = cpu.tscNow();
    return true;
  }
  // No microcode: platform ID 0, update signature (revision, EDX) 0. Both
  // exist on every P6-family part; Linux's microcode loader reads them
  // (SDM Vol. 3A, 10.11.7.1, Vol. 4 Table 2-2).
  if (index == idx::PLATFORM_ID || index == idx::BIOS_SIGN_ID) {
    value = 0;
    return true;
  }
  if (index == idx::ARCH_CAPABILITIES) {  // read-only: WRMSR raises #GP
    value = kArchCapabilities;
    return true;
  }
  if (index == idx::APIC_BASE && cpu.localApic()) {
    value = cpu.localApic()->apicBaseMsr();
    return true;
  }
  uint64_t* p = home(cpu.state, index);
  if (!p) return false;
  value = *p;
  return true;
}

bool writeMsr(Cpu& cpu, uint32_t index, uint64_t value) {
  CpuState& s = cpu.state;
  switch (index) {
    case idx::BIOS_SIGN_ID:
      // Software writes 0 before CPUID to learn the revision; the value
      // written is not kept (the revision stays 0).
      return true;
    case idx::TSC:
      // The guest TSC is the virtual clock plus an offset (SDM Vol. 3B, 18.17).
      s.tsc_offset = value - (cpu.tscNow() - s.tsc_offset);
      return true;
    case idx::APIC_BASE:
      // The board's local APIC owns the register (relocation, global
      // enable); CpuState keeps a copy.
      if (LocalApicPort* apic = cpu.localApic()) {
        if (!apic->writeApicBaseMsr(value)) return false;
        s.msr.apic_base = apic->apicBaseMsr();
        return true;
      }
      if (!acceptable(s, index, value)) return false;
      s.msr.apic_base = (value & ~kApicBsp) | (s.msr.apic_base & kApicBsp);  // BSP is read-only
      return true;
    case idx::EFER: {
      // LMA is read-only (writes ignored); LME may not change while paging
      // is on (SDM Vol. 3A, 10.8.5).
      uint64_t w = value & ~efer::LMA;
      if (w & ~eferWritableMask()) return false;
      if (((w ^ s.efer) & efer::LME) && (s.cr0 & cr0::PG)) return false;
      cpu.setPagingRegisters(s.cr0, s.cr3, s.cr4, w | (s.efer & efer::LMA));
      cpu.updateMode();
      return true;
    }
    default: break;
  }
  uint64_t* p = home(s, index);
  if (!p || !acceptable(s, index, value)) return false;
  *p = value;
  return true;
}

}  // namespace sv
