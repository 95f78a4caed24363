// SYSCALL/SYSRET, SYSENTER/SYSEXIT and SWAPGS (Intel SDM Vol. 2,
// the operation sections of each). The fast calls load CS and SS with
// fixed flat caches built from the MSRs, not from descriptors.
#include "cpu/cpu.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

// RFLAGS bits SYSRET can load from R11 (SDM "SYSRET": R11 AND 3C7FD7H).
constexpr uint64_t kSysretFlags = 0x3C7FD7;

bool syscallEnabled(const Cpu& cpu) { return cpu.longMode() && (cpu.state.efer & efer::SCE); }

// SYSCALL: #UD outside 64-bit mode (Intel) or without EFER.SCE.
void handleSyscall(Cpu& cpu, const DecodedInsn&) {
  if (!syscallEnabled(cpu)) cpu.raise(vec::UD);
  CpuState& s = cpu.state;
  uint16_t sel = static_cast<uint16_t>(s.msr.star >> 32);
  s.gpr[RCX] = cpu.next_rip;
  s.gpr[R11] = s.rflags & ~flag::RF;
  s.rflags = (s.rflags & ~(s.msr.sfmask | flag::RF)) | flag::FIXED1;
  cpu.loadFlatCode(sel & 0xFFFC, 0, true);
  cpu.loadFlatStack(static_cast<uint16_t>(sel + 8), 0);
  cpu.next_rip = s.msr.lstar;
}

// SYSRET: back to CPL 3, 64-bit code with REX.W, compatibility mode
// without. A non-canonical RCX faults here, at CPL 0.
void handleSysret(Cpu& cpu, const DecodedInsn& insn) {
  if (!syscallEnabled(cpu)) cpu.raise(vec::UD);
  if (cpu.cpl() != 0) cpu.raise(vec::GP, 0);
  CpuState& s = cpu.state;
  bool to64 = insn.opsize == 8;
  if (to64 && !isCanonical(s.gpr[RCX])) cpu.raise(vec::GP, 0);
  uint16_t sel = static_cast<uint16_t>(s.msr.star >> 48);
  uint64_t rip = to64 ? s.gpr[RCX] : (s.gpr[RCX] & 0xFFFFFFFF);
  s.rflags = (s.gpr[R11] & kSysretFlags) | flag::FIXED1;
  cpu.loadFlatCode(static_cast<uint16_t>((to64 ? sel + 16 : sel) | 3), 3, to64);
  cpu.loadFlatStack(static_cast<uint16_t>((sel + 8) | 3), 3);
  cpu.next_rip = rip;
}

// SYSENTER: to CPL 0 at SYSENTER_CS:SYSENTER_EIP with SS = CS + 8; in
// IA-32e mode the target is 64-bit code.
void handleSysenter(Cpu& cpu, const DecodedInsn&) {
  CpuState& s = cpu.state;
  uint16_t cs = static_cast<uint16_t>(s.msr.sysenter_cs);
  if (cpu.realMode() || (cs & 0xFFFC) == 0) cpu.raise(vec::GP, 0);
  bool ia32e = s.efer & efer::LMA;
  s.rflags &= ~(flag::VM | flag::IF | flag::RF);
  cpu.loadFlatCode(cs & 0xFFFC, 0, ia32e);
  cpu.loadFlatStack(static_cast<uint16_t>((cs & 0xFFFC) + 8), 0);
  s.gpr[RSP] = ia32e ? s.msr.sysenter_esp : (s.msr.sysenter_esp & 0xFFFFFFFF);
  cpu.next_rip = ia32e ? s.msr.sysenter_eip : (s.msr.sysenter_eip & 0xFFFFFFFF);
}

// SYSEXIT: to CPL 3 at RDX with RSP = RCX; REX.W selects the 64-bit
// selectors (SYSENTER_CS + 32/40) and needs canonical RCX/RDX.
void handleSysexit(Cpu& cpu, const DecodedInsn& insn) {
  CpuState& s = cpu.state;
  uint16_t cs = static_cast<uint16_t>(s.msr.sysenter_cs);
  if (cpu.realMode() || (cs & 0xFFFC) == 0 || cpu.cpl() != 0) cpu.raise(vec::GP, 0);
  bool to64 = insn.opsize == 8;
  if (to64 && (!isCanonical(s.gpr[RCX]) || !isCanonical(s.gpr[RDX]))) cpu.raise(vec::GP, 0);
  cpu.loadFlatCode(static_cast<uint16_t>((cs + (to64 ? 32 : 16)) | 3), 3, to64);
  cpu.loadFlatStack(static_cast<uint16_t>((cs + (to64 ? 40 : 24)) | 3), 3);
  s.gpr[RSP] = to64 ? s.gpr[RCX] : (s.gpr[RCX] & 0xFFFFFFFF);
  cpu.next_rip = to64 ? s.gpr[RDX] : (s.gpr[RDX] & 0xFFFFFFFF);
}

// SWAPGS exchanges GS.base with IA32_KERNEL_GS_BASE; 64-bit mode, CPL 0.
void handleSwapgs(Cpu& cpu, const DecodedInsn&) {
  if (!cpu.longMode()) cpu.raise(vec::UD);
  if (cpu.cpl() != 0) cpu.raise(vec::GP, 0);
  uint64_t gs = cpu.state.seg[GS].base;
  cpu.state.seg[GS].base = cpu.state.msr.kernel_gs_base;
  cpu.state.msr.kernel_gs_base = gs;
}

}  // namespace

void registerFastSystemCalls(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_SYSCALL, &handleSyscall);
  t.set(ZYDIS_MNEMONIC_SYSRET, &handleSysret);
  t.set(ZYDIS_MNEMONIC_SYSENTER, &handleSysenter);
  t.set(ZYDIS_MNEMONIC_SYSEXIT, &handleSysexit);
  t.set(ZYDIS_MNEMONIC_SWAPGS, &handleSwapgs);
}

}  // namespace sv
