// System and flag-control instructions: CLC..STD, CLI/STI, HLT, IN/OUT,
// CPUID, RDTSC, SALC, WAIT, UDn, SGDT/SIDT/LGDT/LIDT, SMSW/LMSW, CLTS,
// MOV to/from CRn/DRn, INVD/WBINVD/INVLPG, RDMSR/WRMSR, PAUSE.
#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/msr.h"
#include "cpu/virtual_interrupts.h"

namespace sv {

namespace {

using flags::mask;

void requireCpl0(Cpu& cpu) {
  if (cpu.cpl() != 0) cpu.raise(vec::GP, 0);
}


// ---------------------------------------------------------------- flags

template <uint64_t kFlag, int kOp>  // kOp: 0 clear, 1 set, 2 complement
void handleFlagOp(Cpu& cpu, const DecodedInsn&) {
  if (kOp == 0) cpu.state.rflags &= ~kFlag;
  else if (kOp == 1) cpu.state.rflags |= kFlag;
  else cpu.state.rflags ^= kFlag;
}

// CLI/STI are IOPL-sensitive outside real mode; with CR4.VME (v86) or
// CR4.PVI (CPL 3) they act on VIF instead of trapping (SDM Vol. 2 CLI/STI,
// Vol. 3B 20.3.2 and 20.4; cpu/virtual_interrupts.h).
void handleCli(Cpu& cpu, const DecodedInsn&) {
  switch (cliStiTarget(cpu)) {
    case InterruptFlagTarget::If: cpu.state.rflags &= ~flag::IF; return;
    case InterruptFlagTarget::Vif: cpu.state.rflags &= ~flag::VIF; return;
    case InterruptFlagTarget::Fault: cpu.raise(vec::GP, 0);
  }
}

// STI delays interrupts by one instruction, but only when it actually sets
// IF. Setting VIF while an interrupt is pending (VIP) traps to the monitor
// instead; VIF has no interrupt shadow, it gates no hardware interrupt.
void handleSti(Cpu& cpu, const DecodedInsn&) {
  switch (cliStiTarget(cpu)) {
    case InterruptFlagTarget::If:
      if (!(cpu.state.rflags & flag::IF)) cpu.state.interrupt_shadow = 1;
      cpu.state.rflags |= flag::IF;
      return;
    case InterruptFlagTarget::Vif:
      if (cpu.state.rflags & flag::VIP) cpu.raise(vec::GP, 0);
      cpu.state.rflags |= flag::VIF;
      return;
    case InterruptFlagTarget::Fault: cpu.raise(vec::GP, 0);
  }
}

// D6 (undocumented, invalid in 64-bit mode): AL = CF ? FF : 00, flags kept.
void handleSalc(Cpu& cpu, const DecodedInsn&) { cpu.setGpr(RAX, 1, (cpu.state.rflags & flag::CF) ? 0xFF : 0); }

// ---------------------------------------------------------------- misc

void handleHlt(Cpu& cpu, const DecodedInsn&) {
  requireCpl0(cpu);
  cpu.halt();
}

void handleNop(Cpu&, const DecodedInsn&) {}

void handleUd(Cpu& cpu, const DecodedInsn&) { cpu.raise(vec::UD); }

// WAIT: #NM when CR0.MP and CR0.TS are both set (SDM Vol. 3A, 2.5, Table 2-2).
// FWAIT: #NM when MP and TS are set; a pending unmasked x87 exception is #MF.
void handleWait(Cpu& cpu, const DecodedInsn&) {
  if ((cpu.state.cr0 & (cr0::MP | cr0::TS)) == (cr0::MP | cr0::TS)) cpu.raise(vec::NM);
  // A pending unmasked x87 exception (FSW.ES) is delivered here (SDM Vol. 1, 8.6).
  if (cpu.state.x87.fsw & 0x0080) cpu.raise(vec::MF);
}

// INVD/WBINVD: there are no caches to drop or write back.
void handleCacheOp(Cpu& cpu, const DecodedInsn&) { requireCpl0(cpu); }

// INVLPG m: flushes the translation of the operand's linear address; no
// memory access, so no segment limit check (SDM "INVLPG").
void handleInvlpg(Cpu& cpu, const DecodedInsn& insn) {
  requireCpl0(cpu);
  const Operand& op = insn.ops[0];
  cpu.invalidatePage(cpu.segmentBase(op.seg) + cpu.effectiveAddress(insn, op));
}

// ---------------------------------------------------------------- I/O

// IN AL/AX/EAX, imm8|DX and OUT imm8|DX, AL/AX/EAX: the accumulator's size is
// the transfer size. Permission checks (IOPL, TSS bitmap) are in portRead/Write.
uint16_t portOf(const Cpu& cpu, const Operand& op) {
  return op.kind == OpKind::Imm ? static_cast<uint16_t>(op.imm) : static_cast<uint16_t>(cpu.gpr(RDX, 2));
}

void handleIn(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[0].size;
  cpu.setGpr(RAX, size, cpu.portRead(portOf(cpu, insn.ops[1]), size));
}

void handleOut(Cpu& cpu, const DecodedInsn& insn) {
  unsigned size = insn.ops[1].size;
  cpu.portWrite(portOf(cpu, insn.ops[0]), size, static_cast<uint32_t>(cpu.gpr(RAX, size)));
}

// ---------------------------------------------------------------- CPUID, RDTSC, MSRs

void handleCpuid(Cpu& cpu, const DecodedInsn&) {
  const uint32_t leaf = static_cast<uint32_t>(cpu.gpr(RAX, 4));
  CpuidResult r = cpuidQuery(leaf, static_cast<uint32_t>(cpu.gpr(RCX, 4)));
  if (LocalApicPort* apic = cpu.localApic()) addLocalApic(r, leaf, apic->apicGloballyEnabled(), apic->initialApicId());
  cpu.setGpr(RAX, 4, r.eax);
  cpu.setGpr(RBX, 4, r.ebx);
  cpu.setGpr(RCX, 4, r.ecx);
  cpu.setGpr(RDX, 4, r.edx);
}

// STAC/CLAC (0F 01 CB/CA): set or clear EFLAGS.AC, which lets supervisor
// code reach user pages under SMAP. CPL 0 only; #UD in virtual-8086 mode
// (SDM Vol. 2, STAC).
void handleStacClac(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.mode() == CpuMode::Virtual86 || cpu.cpl() != 0) cpu.raise(vec::UD);
  if (insn.mnemonic == ZYDIS_MNEMONIC_STAC) cpu.state.rflags |= flag::AC;
  else cpu.state.rflags &= ~flag::AC;
}

void setEdxEax(Cpu& cpu, uint64_t v) {
  cpu.setGpr(RAX, 4, v & 0xFFFFFFFF);
  cpu.setGpr(RDX, 4, v >> 32);
}

void handleRdtsc(Cpu& cpu, const DecodedInsn&) {
  if ((cpu.state.cr4 & cr4::TSD) && cpu.cpl() != 0) cpu.raise(vec::GP, 0);
  setEdxEax(cpu, cpu.tscNow());
}

// RDTSCP: RDTSC plus ECX = IA32_TSC_AUX[31:0].
void handleRdtscp(Cpu& cpu, const DecodedInsn& insn) {
  handleRdtsc(cpu, insn);
  cpu.setGpr(RCX, 4, cpu.state.msr.tsc_aux & 0xFFFFFFFF);
}

void handleRdmsr(Cpu& cpu, const DecodedInsn&) {
  requireCpl0(cpu);
  uint64_t v;
  if (!readMsr(cpu, static_cast<uint32_t>(cpu.gpr(RCX, 4)), v)) cpu.raise(vec::GP, 0);
  setEdxEax(cpu, v);
}

void handleWrmsr(Cpu& cpu, const DecodedInsn&) {
  requireCpl0(cpu);
  uint64_t v = (cpu.gpr(RDX, 4) << 32) | cpu.gpr(RAX, 4);
  if (!writeMsr(cpu, static_cast<uint32_t>(cpu.gpr(RCX, 4)), v)) cpu.raise(vec::GP, 0);
}

// ---------------------------------------------------------------- descriptor tables, MSW

// SGDT/SIDT store a 16-bit limit and a 32-bit base (64-bit in 64-bit mode)
// whatever the operand size: the 16-bit form stores the full base byte on
// P6 and later, not the 286's 0xFF (SDM Vol. 2, SGDT, IA-32 compatibility).
// Both halves are checked before either is written.
void storeTableRegister(Cpu& cpu, const DecodedInsn& insn, const TableRegister& tr) {
  const Operand& op = insn.ops[0];
  unsigned base_size = cpu.longMode() ? 8 : 4;
  uint64_t ea = cpu.effectiveAddress(insn, op);
  uint64_t ea_base = (ea + 2) & mask(insn.addrsize);
  cpu.checkSegmentAccess(op.seg, ea, 2, Access::Write);
  cpu.checkSegmentAccess(op.seg, ea_base, base_size, Access::Write);
  cpu.writeMem(op.seg, ea, 2, tr.limit & 0xFFFF);
  cpu.writeMem(op.seg, ea_base, base_size, tr.base);
}

// LGDT/LIDT: the 16-bit operand size keeps 24 bits of the base (SDM Vol. 2,
// LGDT/LIDT); 64-bit mode always loads an 8-byte base.
void loadTableRegister(Cpu& cpu, const DecodedInsn& insn, TableRegister& tr) {
  requireCpl0(cpu);
  const Operand& op = insn.ops[0];
  unsigned base_size = cpu.longMode() ? 8 : 4;
  uint64_t ea = cpu.effectiveAddress(insn, op);
  uint64_t limit = cpu.readMem(op.seg, ea, 2);
  uint64_t base = cpu.readMem(op.seg, (ea + 2) & mask(insn.addrsize), base_size);
  if (!cpu.longMode() && insn.opsize == 2) base &= 0xFFFFFF;
  if (cpu.longMode() && !isCanonical(base)) cpu.raise(vec::GP, 0);
  tr.base = base;
  tr.limit = static_cast<uint32_t>(limit);
}

void handleSgdt(Cpu& cpu, const DecodedInsn& insn) { storeTableRegister(cpu, insn, cpu.state.gdtr); }
void handleSidt(Cpu& cpu, const DecodedInsn& insn) { storeTableRegister(cpu, insn, cpu.state.idtr); }
void handleLgdt(Cpu& cpu, const DecodedInsn& insn) { loadTableRegister(cpu, insn, cpu.state.gdtr); }
void handleLidt(Cpu& cpu, const DecodedInsn& insn) { loadTableRegister(cpu, insn, cpu.state.idtr); }

// SMSW: a memory destination gets 16 bits; a register gets CR0 truncated to
// the operand size (what P6 and later do with the "undefined" high half).
// CR4.UMIP is not advertised, so no UMIP check.
void handleSmsw(Cpu& cpu, const DecodedInsn& insn) { cpu.writeOp(insn, 0, cpu.state.cr0); }

// LMSW loads PE, MP, EM and TS; it can set PE but never clear it.
void handleLmsw(Cpu& cpu, const DecodedInsn& insn) {
  requireCpl0(cpu);
  uint64_t src = cpu.readOp(insn, 0);
  constexpr uint64_t kMsw = cr0::PE | cr0::MP | cr0::EM | cr0::TS;
  cpu.state.cr0 = (cpu.state.cr0 & ~(kMsw & ~cr0::PE)) | (src & kMsw);
  cpu.updateMode();
}

void handleClts(Cpu& cpu, const DecodedInsn&) {
  requireCpl0(cpu);
  cpu.state.cr0 &= ~cr0::TS;
}

// ---------------------------------------------------------------- MOV CRn / DRn

// CR0 bits that exist; the others are reserved and writes to them are
// ignored in CR0[31:0] (SDM Vol. 3A, 2.5). ET is hardwired to 1.
constexpr uint64_t kCr0Defined = cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::ET | cr0::NE | cr0::WP |
                                 cr0::AM | cr0::NW | cr0::CD | cr0::PG;

void writeCr0(Cpu& cpu, uint64_t v) {
  CpuState& s = cpu.state;
  if (v >> 32) cpu.raise(vec::GP, 0);
  v = (v & kCr0Defined) | cr0::ET;
  if ((v & cr0::PG) && !(v & cr0::PE)) cpu.raise(vec::GP, 0);
  if ((v & cr0::NW) && !(v & cr0::CD)) cpu.raise(vec::GP, 0);
  // IA-32e mode activation and deactivation (SDM Vol. 3A, 10.8.5).
  uint64_t efer = s.efer;
  if ((v & cr0::PG) && !(s.cr0 & cr0::PG) && (efer & efer::LME)) {
    if (!(s.cr4 & cr4::PAE) || (s.seg[CS].attr & segattr::L)) cpu.raise(vec::GP, 0);
    efer |= efer::LMA;
  } else if (!(v & cr0::PG) && (efer & efer::LMA)) {
    if (cpu.longMode()) cpu.raise(vec::GP, 0);
    efer &= ~efer::LMA;
  }
  cpu.setPagingRegisters(v, s.cr3, s.cr4, efer);
}

void writeCr(Cpu& cpu, unsigned index, uint64_t v) {
  CpuState& s = cpu.state;
  switch (index) {
    case 0: writeCr0(cpu, v); return;
    case 2: s.cr2 = v; return;
    case 3:
      // Bits above MAXPHYADDR are reserved in 64-bit mode; legacy CR3 is 32
      // bits wide and has no checked bits.
      if (cpu.longMode() && (v >> kPhysAddrBits)) cpu.raise(vec::GP, 0);
      cpu.setPagingRegisters(s.cr0, v, s.cr4, s.efer);
      return;
    case 4:
      if (v & ~cr4WritableMask()) cpu.raise(vec::GP, 0);
      if ((s.efer & efer::LMA) && !(v & cr4::PAE)) cpu.raise(vec::GP, 0);
      cpu.setPagingRegisters(s.cr0, s.cr3, v, s.efer);
      return;
    case 8:  // TPR, 64-bit mode only
      if (v >> 4) cpu.raise(vec::GP, 0);
      s.cr8 = v;
      if (LocalApicPort* apic = cpu.localApic()) apic->writeTaskPriorityCr8(static_cast<uint8_t>(v));
      return;
    default: cpu.raise(vec::UD);
  }
}

uint64_t readCr(Cpu& cpu, unsigned index) {
  switch (index) {
    case 0: return cpu.state.cr0;
    case 2: return cpu.state.cr2;
    case 3: return cpu.state.cr3;
    case 4: return cpu.state.cr4;
    case 8: return cpu.localApic() ? cpu.localApic()->taskPriorityCr8() : cpu.state.cr8;
    default: cpu.raise(vec::UD);
  }
}

// DR6/DR7 fixed bits on a CPU without RTM (SDM Vol. 3B, 18.2.3/18.2.4).
constexpr uint64_t kDr6Writable = 0xE00F, kDr6Ones = 0xFFFF0FF0;
constexpr uint64_t kDr7Writable = 0xFFFF23FF, kDr7Ones = 0x400;
constexpr uint64_t kDr6Bd = 1u << 13, kDr7Gd = 1u << 13;

void handleMovDr(Cpu& cpu, const DecodedInsn& insn, bool to_dr, unsigned size) {
  CpuState& s = cpu.state;
  const Operand& dr = insn.ops[to_dr ? 0 : 1];
  const Operand& reg = insn.ops[to_dr ? 1 : 0];
  unsigned index = dr.reg.index & 7;
  // DR7.GD: any debug-register access is a #DB fault with DR6.BD set; the
  // processor clears GD so the handler can use the registers.
  if (s.dr[7] & kDr7Gd) {
    s.dr[6] |= kDr6Bd;
    s.dr[7] &= ~kDr7Gd;
    cpu.raise(vec::DB);
  }
  // DR4/DR5 alias DR6/DR7 unless CR4.DE, where they are #UD.
  if (index == 4 || index == 5) {
    if (s.cr4 & cr4::DE) cpu.raise(vec::UD);
    index += 2;
  }
  if (!to_dr) {
    cpu.setGpr(reg.reg.index, size, s.dr[index]);
    return;
  }
  uint64_t v = cpu.gpr(reg.reg.index, size);
  if (index == 6 || index == 7) {
    if (v >> 32) cpu.raise(vec::GP, 0);  // 64-bit mode: the high half is reserved
    v = index == 6 ? (v & kDr6Writable) | kDr6Ones : (v & kDr7Writable) | kDr7Ones;
  }
  s.dr[index] = v;
  cpu.debugRegistersChanged();
}

// 0F 20/22 (CRn) and 0F 21/23 (DRn). Register operands are 64-bit in 64-bit
// mode and 32-bit everywhere else, whatever the operand size; ModRM.mod is
// ignored. Real mode may use them; elsewhere CPL 0 only.
void handleMovCrDr(Cpu& cpu, const DecodedInsn& insn) {
  requireCpl0(cpu);
  unsigned size = cpu.longMode() ? 8 : 4;
  bool to_special = insn.opcode & 2;
  if (insn.opcode & 1) {
    handleMovDr(cpu, insn, to_special, size);
    return;
  }
  const Operand& cr = insn.ops[to_special ? 0 : 1];
  const Operand& reg = insn.ops[to_special ? 1 : 0];
  if (to_special) writeCr(cpu, cr.reg.index, cpu.gpr(reg.reg.index, size));
  else cpu.setGpr(reg.reg.index, size, readCr(cpu, cr.reg.index));
}

}  // namespace

void registerSystem(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_CLC, &handleFlagOp<flag::CF, 0>);
  t.set(ZYDIS_MNEMONIC_STC, &handleFlagOp<flag::CF, 1>);
  t.set(ZYDIS_MNEMONIC_CMC, &handleFlagOp<flag::CF, 2>);
  t.set(ZYDIS_MNEMONIC_CLD, &handleFlagOp<flag::DF, 0>);
  t.set(ZYDIS_MNEMONIC_STD, &handleFlagOp<flag::DF, 1>);
  t.set(ZYDIS_MNEMONIC_CLI, &handleCli);
  t.set(ZYDIS_MNEMONIC_STI, &handleSti);
  t.set(ZYDIS_MNEMONIC_SALC, &handleSalc);
  t.set(ZYDIS_MNEMONIC_HLT, &handleHlt);
  t.set(ZYDIS_MNEMONIC_PAUSE, &handleNop);
  t.set(ZYDIS_MNEMONIC_UD0, &handleUd);
  t.set(ZYDIS_MNEMONIC_UD1, &handleUd);
  t.set(ZYDIS_MNEMONIC_UD2, &handleUd);
  t.set(ZYDIS_MNEMONIC_FWAIT, &handleWait);
  t.set(ZYDIS_MNEMONIC_INVD, &handleCacheOp);
  t.set(ZYDIS_MNEMONIC_WBINVD, &handleCacheOp);
  t.set(ZYDIS_MNEMONIC_INVLPG, &handleInvlpg);
  t.set(ZYDIS_MNEMONIC_RDTSCP, &handleRdtscp);
  t.set(ZYDIS_MNEMONIC_IN, &handleIn);
  t.set(ZYDIS_MNEMONIC_OUT, &handleOut);
  t.set(ZYDIS_MNEMONIC_CPUID, &handleCpuid);
  t.set(ZYDIS_MNEMONIC_STAC, &handleStacClac);
  t.set(ZYDIS_MNEMONIC_CLAC, &handleStacClac);
  t.set(ZYDIS_MNEMONIC_RDTSC, &handleRdtsc);
  t.set(ZYDIS_MNEMONIC_RDMSR, &handleRdmsr);
  t.set(ZYDIS_MNEMONIC_WRMSR, &handleWrmsr);
  t.set(ZYDIS_MNEMONIC_SGDT, &handleSgdt);
  t.set(ZYDIS_MNEMONIC_SIDT, &handleSidt);
  t.set(ZYDIS_MNEMONIC_LGDT, &handleLgdt);
  t.set(ZYDIS_MNEMONIC_LIDT, &handleLidt);
  t.set(ZYDIS_MNEMONIC_SMSW, &handleSmsw);
  t.set(ZYDIS_MNEMONIC_LMSW, &handleLmsw);
  t.set(ZYDIS_MNEMONIC_CLTS, &handleClts);
  // LAR/LSL/VERR/VERW/SLDT/STR/LLDT/LTR/ARPL: the decoder already rejects
  // them in real and virtual-8086 mode (#UD); protected mode: the
  // protected-mode issue.
  // Zydis names MOV CRn/DRn plain "mov"; the decoder sends the 0F 20..23
  // forms to this slot instead of the data-transfer MOV.
  t.mov_control_debug = &handleMovCrDr;
}

}  // namespace sv
