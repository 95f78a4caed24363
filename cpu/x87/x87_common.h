// Helpers shared by the x87 instruction handlers (cpu/interp/x87*.cpp):
// device-not-available / pending-#MF checks, pointer bookkeeping and memory
// operand access that faults before any state changes.
#pragma once

#include "cpu/cpu.h"
#include "cpu/x87/x87_state.h"

namespace sv::x87 {

inline Stack stackOf(Cpu& cpu) { return Stack{cpu.state.x87}; }

// Every ESC instruction: CR0.EM or CR0.TS -> #NM (SDM Vol. 3A, 2.5). Waiting
// instructions then deliver a pending unmasked exception as #MF (SDM Vol. 1,
// 8.6). With CR0.NE=0 real hardware signals FERR#/IRQ13 instead; until the
// board models that path we deliver #MF in both cases.
inline void prologue(Cpu& cpu, bool waiting) {
  if (cpu.state.cr0 & (cr0::EM | cr0::TS)) cpu.raise(vec::NM);
  if (waiting && (cpu.state.x87.fsw & fsw::ES)) cpu.raise(vec::MF);
}

struct MemRef {
  bool present = false;
  uint8_t seg = DS;
  uint64_t off = 0;
};

inline MemRef memRef(Cpu& cpu, const DecodedInsn& insn) {
  for (unsigned i = 0; i < insn.operand_count; ++i) {
    if (insn.ops[i].kind == OpKind::Mem)
      return MemRef{true, insn.ops[i].seg, cpu.effectiveAddress(insn, insn.ops[i])};
  }
  return MemRef{};
}

// FIP/FCS/FOP (and FDP/FDS for memory operands) of the last non-control
// instruction (SDM Vol. 1, 8.1.8-8.1.9).
inline void recordPointers(Cpu& cpu, const DecodedInsn& insn, const MemRef& m) {
  X87State& x = cpu.state.x87;
  x.fop = static_cast<uint16_t>(((insn.opcode & 7) << 8) | insn.modrm);
  x.fip = cpu.state.rip;
  x.fcs = cpu.state.seg[CS].selector;
  if (m.present) {
    x.fdp = m.off;
    x.fds = cpu.state.seg[m.seg].selector;
  }
}

// Little-endian multi-part memory access. read() checks the whole range
// first; probeWrite() must precede a sequence of writes so that a fault
// (limit or page) happens before the first byte is stored.
inline uint64_t readAt(Cpu& cpu, const MemRef& m, unsigned offset, unsigned size) {
  return cpu.readMem(m.seg, m.off + offset, size);
}
inline void probeRead(Cpu& cpu, const MemRef& m, unsigned size) {
  cpu.checkSegmentAccess(m.seg, m.off, size, Access::Read);
}
inline void probeWrite(Cpu& cpu, const MemRef& m, unsigned size) {
  cpu.checkSegmentAccess(m.seg, m.off, size, Access::Write);
  uint64_t lin = cpu.state.seg[m.seg].base + m.off;
  cpu.translate(lin, Access::Write);
  cpu.translate(lin + size - 1, Access::Write);
}
inline void writeAt(Cpu& cpu, const MemRef& m, unsigned offset, unsigned size, uint64_t v) {
  cpu.writeMem(m.seg, m.off + offset, size, v);
}
inline Float80 readF80(Cpu& cpu, const MemRef& m, unsigned offset = 0) {
  uint64_t lo = readAt(cpu, m, offset, 8);
  return Float80{lo, static_cast<uint16_t>(readAt(cpu, m, offset + 8, 2))};
}
inline void writeF80(Cpu& cpu, const MemRef& m, unsigned offset, Float80 v) {
  writeAt(cpu, m, offset, 8, v.sig);
  writeAt(cpu, m, offset + 8, 2, v.se);
}

}  // namespace sv::x87
