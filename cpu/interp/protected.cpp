// Protected-mode system instructions: LLDT, LTR, SLDT, STR, LAR, LSL, VERR,
// VERW, ARPL (Intel SDM Vol. 2 operation sections; Vol. 3A 3.5, 7.2.4).
// The decoder rejects all of them in real and virtual-8086 mode (#UD).
#include "cpu/cpu.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

void requireCpl0(Cpu& cpu) {
  if (cpu.cpl() != 0) cpu.raise(vec::GP, 0);
}

// Writes a selector-sized result: 16 bits to memory, the operand size to a
// register (upper bits of a 32-bit register are zeroed, SDM "SLDT"/"STR").
void storeSelector(Cpu& cpu, const DecodedInsn& insn, uint16_t sel) {
  const Operand& op = insn.ops[0];
  if (op.kind == OpKind::Mem) cpu.writeMem(op.seg, cpu.effectiveAddress(insn, op), 2, sel);
  else cpu.writeReg(op.reg, op.size, sel);
}

uint16_t loadSelectorOperand(Cpu& cpu, const DecodedInsn& insn) {
  const Operand& op = insn.ops[0];
  if (op.kind == OpKind::Mem) return static_cast<uint16_t>(cpu.readMem(op.seg, cpu.effectiveAddress(insn, op), 2));
  return static_cast<uint16_t>(cpu.readReg(op.reg, 2));
}

void handleSldt(Cpu& cpu, const DecodedInsn& insn) { storeSelector(cpu, insn, cpu.state.ldtr.selector); }
void handleStr(Cpu& cpu, const DecodedInsn& insn) { storeSelector(cpu, insn, cpu.state.tr.selector); }

// In IA-32e mode LDT and TSS descriptors are 16 bytes: the upper half
// holds base bits 63:32, which must make a canonical base (SDM Vol. 2
// "LLDT", "LTR"). Outside IA-32e mode: 0.
uint64_t systemDescriptorBaseHigh(Cpu& cpu, uint16_t sel) {
  if (!(cpu.state.efer & efer::LMA)) return 0;
  uint32_t high;
  if (!cpu.readDescriptorHigh(sel, high)) cpu.raiseSelector(vec::GP, sel);
  uint64_t base_hi = static_cast<uint64_t>(high) << 32;
  if (!isCanonical(base_hi)) cpu.raiseSelector(vec::GP, sel);
  return base_hi;
}

void handleLldt(Cpu& cpu, const DecodedInsn& insn) {
  requireCpl0(cpu);
  uint16_t sel = loadSelectorOperand(cpu, insn);
  if ((sel & 0xFFFC) == 0) {
    cpu.state.ldtr = SegmentCache{0, 0, sel, 0};  // null LDT: later LDT references #GP
    return;
  }
  if (sel & 4) cpu.raiseSelector(vec::GP, sel);  // must be in the GDT
  Descriptor d;
  if (!cpu.readDescriptor(sel, d) || d.isSegment() || d.type() != sysdesc::LDT) cpu.raiseSelector(vec::GP, sel);
  uint64_t base_hi = systemDescriptorBaseHigh(cpu, sel);
  if (!d.present()) cpu.raiseSelector(vec::NP, sel);
  cpu.state.ldtr = toCache(d, sel);
  cpu.state.ldtr.base |= base_hi;
}

void handleLtr(Cpu& cpu, const DecodedInsn& insn) {
  requireCpl0(cpu);
  uint16_t sel = loadSelectorOperand(cpu, insn);
  if ((sel & 0xFFFC) == 0 || (sel & 4)) cpu.raiseSelector(vec::GP, sel);
  Descriptor d;
  // In IA-32e mode type 9 is the 64-bit TSS and 16-bit TSSs do not exist.
  bool ia32e = cpu.state.efer & efer::LMA;
  if (!cpu.readDescriptor(sel, d) || d.isSegment() ||
      (d.type() != sysdesc::TSS32_AVAIL && (ia32e || d.type() != sysdesc::TSS16_AVAIL)))
    cpu.raiseSelector(vec::GP, sel);
  uint64_t base_hi = systemDescriptorBaseHigh(cpu, sel);
  if (!d.present()) cpu.raiseSelector(vec::NP, sel);
  // LTR marks the TSS busy in memory (SDM "LTR").
  d.hi |= 0x200;
  uint64_t addr = cpu.state.gdtr.base + (sel & 0xFFF8) + 4;
  cpu.writeLinear(addr, 4, d.hi, Access::ImplicitWrite);
  cpu.state.tr = toCache(d, sel);
  cpu.state.tr.base |= base_hi;
}

// The descriptor a LAR/LSL/VERR/VERW selector names, if the current
// privilege may see it; otherwise nullopt-like false (ZF cleared by caller).
bool visibleDescriptor(Cpu& cpu, uint16_t sel, Descriptor& d) {
  if ((sel & 0xFFFC) == 0 || !cpu.readDescriptor(sel, d)) return false;
  if (d.isSegment() && d.conforming()) return true;  // conforming code: no privilege test
  unsigned rpl = sel & 3;
  return d.dpl() >= cpu.cpl() && d.dpl() >= rpl;
}

void setZf(Cpu& cpu, bool on) {
  if (on) cpu.state.rflags |= flag::ZF;
  else cpu.state.rflags &= ~flag::ZF;
}

// System descriptor types LAR accepts (SDM "LAR", Table 3-2 legacy column).
bool larSystemTypeOk(uint8_t t) {
  return t == sysdesc::TSS16_AVAIL || t == sysdesc::LDT || t == sysdesc::TSS16_BUSY || t == sysdesc::CALL_GATE16 ||
         t == sysdesc::TASK_GATE || t == sysdesc::TSS32_AVAIL || t == sysdesc::TSS32_BUSY ||
         t == sysdesc::CALL_GATE32;
}

bool lslSystemTypeOk(uint8_t t) {
  return t == sysdesc::TSS16_AVAIL || t == sysdesc::LDT || t == sysdesc::TSS16_BUSY || t == sysdesc::TSS32_AVAIL ||
         t == sysdesc::TSS32_BUSY;
}

void handleLar(Cpu& cpu, const DecodedInsn& insn) {
  uint16_t sel = static_cast<uint16_t>(cpu.readOp(insn, 1));
  Descriptor d;
  bool ok = visibleDescriptor(cpu, sel, d) && (d.isSegment() || larSystemTypeOk(d.type()));
  setZf(cpu, ok);
  if (ok) cpu.writeOp(insn, 0, d.hi & (insn.opsize == 2 ? 0xFF00u : 0x00FFFF00u));
}

void handleLsl(Cpu& cpu, const DecodedInsn& insn) {
  uint16_t sel = static_cast<uint16_t>(cpu.readOp(insn, 1));
  Descriptor d;
  bool ok = visibleDescriptor(cpu, sel, d) && (d.isSegment() || lslSystemTypeOk(d.type()));
  setZf(cpu, ok);
  if (ok) cpu.writeOp(insn, 0, d.limit());
}

template <bool kWrite>
void handleVerify(Cpu& cpu, const DecodedInsn& insn) {
  uint16_t sel = loadSelectorOperand(cpu, insn);
  Descriptor d;
  bool ok = visibleDescriptor(cpu, sel, d) && d.isSegment() && (kWrite ? d.writable() : d.readable());
  setZf(cpu, ok);
}

// ARPL: raise the destination selector's RPL to the source's.
void handleArpl(Cpu& cpu, const DecodedInsn& insn) {
  uint16_t dst = static_cast<uint16_t>(cpu.readOp(insn, 0));
  uint16_t src = static_cast<uint16_t>(cpu.readOp(insn, 1));
  if ((dst & 3) < (src & 3)) {
    cpu.writeOp(insn, 0, (dst & ~3u) | (src & 3));
    setZf(cpu, true);
  } else {
    setZf(cpu, false);
  }
}

}  // namespace

void registerProtected(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_SLDT, &handleSldt);
  t.set(ZYDIS_MNEMONIC_STR, &handleStr);
  t.set(ZYDIS_MNEMONIC_LLDT, &handleLldt);
  t.set(ZYDIS_MNEMONIC_LTR, &handleLtr);
  t.set(ZYDIS_MNEMONIC_LAR, &handleLar);
  t.set(ZYDIS_MNEMONIC_LSL, &handleLsl);
  t.set(ZYDIS_MNEMONIC_VERR, &handleVerify<false>);
  t.set(ZYDIS_MNEMONIC_VERW, &handleVerify<true>);
  t.set(ZYDIS_MNEMONIC_ARPL, &handleArpl);
}

}  // namespace sv
