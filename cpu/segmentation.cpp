// Descriptor tables and segment register loads (Intel SDM Vol. 3A, 3.4 and
// 5.5-5.8; the MOV/POP/LDS operation sections of Vol. 2).
#include <initializer_list>

#include "cpu/cpu.h"

namespace sv {

bool Cpu::readDescriptor(uint16_t selector, Descriptor& out) {
  bool ldt = selector & 4;
  uint64_t base = ldt ? state.ldtr.base : state.gdtr.base;
  uint64_t limit = ldt ? state.ldtr.limit : state.gdtr.limit;
  if (ldt && !(state.ldtr.attr & segattr::P)) return false;  // null LDT
  uint64_t offset = selector & 0xFFF8;
  if (offset + 7 > limit) return false;
  // Descriptor-table reads are implicit supervisor accesses.
  out.lo = static_cast<uint32_t>(readLinear(base + offset, 4, Access::ImplicitRead));
  out.hi = static_cast<uint32_t>(readLinear(base + offset + 4, 4, Access::ImplicitRead));
  return true;
}

bool Cpu::readDescriptorHigh(uint16_t selector, uint32_t& high) {
  bool ldt = selector & 4;
  uint64_t base = ldt ? state.ldtr.base : state.gdtr.base;
  uint64_t limit = ldt ? state.ldtr.limit : state.gdtr.limit;
  uint64_t offset = (selector & 0xFFF8) + 8;
  if (offset + 7 > limit) return false;
  high = static_cast<uint32_t>(readLinear(base + offset, 4, Access::ImplicitRead));
  uint32_t top = static_cast<uint32_t>(readLinear(base + offset + 4, 4, Access::ImplicitRead));
  return ((top >> 8) & 0x1F) == 0;
}

void Cpu::setDescriptorAccessed(uint16_t selector, Descriptor& d) {
  // The CPU sets the accessed bit in memory when it loads a segment (SDM
  // 3.4.5.1); it skips the write when the bit is already set.
  if (d.hi & 0x100) return;
  d.hi |= 0x100;
  uint64_t base = (selector & 4) ? state.ldtr.base : state.gdtr.base;
  writeLinear(base + (selector & 0xFFF8) + 4, 4, d.hi, Access::ImplicitWrite);
}

void Cpu::loadSegment(uint8_t seg, uint16_t selector) {
  SegmentCache& sc = state.seg[seg];
  if (mode_ == CpuMode::Real || mode_ == CpuMode::Virtual86) {
    sc.selector = selector;
    sc.base = static_cast<uint64_t>(selector) << 4;
    if (mode_ == CpuMode::Virtual86) {
      sc.limit = 0xFFFF;
      sc.attr = segattr::REAL_DATA | (3 << 5);
    }
    if (seg == SS) state.interrupt_shadow = kShadowInterrupts | kShadowDebug;
    return;
  }

  unsigned rpl = selector & 3;
  if ((selector & 0xFFFC) == 0) {
    // Null selector: fine for DS/ES/FS/GS (the register becomes unusable),
    // #GP(0) for SS except in 64-bit mode at CPL < 3 (SDM "MOV").
    if (seg == SS && !(mode_ == CpuMode::Long64 && cpl() < 3 && rpl == cpl())) raise(vec::GP, 0);
    sc = SegmentCache{0, 0, selector, 0};  // P clear: any access through it faults
    if (seg == SS) {
      sc = nullStackCache(selector, cpl());  // 64-bit null SS stays usable
      state.interrupt_shadow = kShadowInterrupts | kShadowDebug;
    }
    return;
  }

  Descriptor d;
  if (!readDescriptor(selector, d)) raiseSelector(vec::GP, selector);
  if (seg == SS) {
    if (rpl != cpl() || !d.writable() || d.dpl() != cpl()) raiseSelector(vec::GP, selector);
    if (!d.present()) raiseSelector(vec::SS, selector);
    state.interrupt_shadow = kShadowInterrupts | kShadowDebug;
  } else {
    if (!d.isSegment() || !d.readable()) raiseSelector(vec::GP, selector);
    if ((d.isData() || !d.conforming()) && (rpl > d.dpl() || cpl() > d.dpl())) raiseSelector(vec::GP, selector);
    if (!d.present()) raiseSelector(vec::NP, selector);
  }
  setDescriptorAccessed(selector, d);
  sc = toCache(d, selector);
}

void Cpu::loadCodeSegmentProtected(uint16_t selector, const Descriptor& d, unsigned new_cpl) {
  state.seg[CS] = toCache(d, static_cast<uint16_t>((selector & 0xFFFC) | new_cpl));
  // A 64-bit code segment's base is ignored (SDM Vol. 3A, 3.4.4); keeping
  // it 0 lets the fetch path and the JIT add it unconditionally.
  if ((state.efer & efer::LMA) && d.longMode()) state.seg[CS].base = 0;
  updateMode();
}

// SYSCALL/SYSRET/SYSENTER/SYSEXIT load fixed caches, whatever the GDT
// holds: base 0, limit 4 GiB, accessed (SDM Vol. 2 "SYSCALL" operation).
void Cpu::loadFlatCode(uint16_t selector, unsigned dpl, bool long64) {
  uint16_t attr = segattr::P | segattr::S | segattr::CODE | segattr::WRITABLE | segattr::ACCESSED |
                  segattr::G | static_cast<uint16_t>(dpl << 5);
  attr |= long64 ? segattr::L : segattr::DB;
  state.seg[CS] = SegmentCache{0, 0xFFFFFFFF, selector, attr};
  updateMode();
}

void Cpu::loadFlatStack(uint16_t selector, unsigned dpl) {
  uint16_t attr = segattr::P | segattr::S | segattr::WRITABLE | segattr::ACCESSED | segattr::DB | segattr::G |
                  static_cast<uint16_t>(dpl << 5);
  state.seg[SS] = SegmentCache{0, 0xFFFFFFFF, selector, attr};
}

void Cpu::loadStackSegmentProtected(uint16_t selector, const Descriptor& d) {
  state.seg[SS] = toCache(d, selector);
}

void Cpu::nullifyDataSegmentsForOuterLevel() {
  // After a return to an outer level, data segments the new CPL may not use
  // are loaded with null (SDM "RET", "IRET": the "FOR each of ES, FS, GS, DS" step).
  for (uint8_t seg : {ES, DS, FS, GS}) {
    SegmentCache& sc = state.seg[seg];
    bool data_or_nonconforming = !(sc.attr & segattr::CODE) || !(sc.attr & segattr::EXPAND_DOWN /*C bit*/);
    if (data_or_nonconforming && ((sc.attr & segattr::DPL) >> 5) < cpl()) {
      // The selector becomes null (unusable: attr 0); the base stays, as
      // 64-bit mode still adds the FS/GS bases of null selectors (the
      // IA32_FS_BASE/GS_BASE homes; SDM Vol. 3A, 3.4.4).
      sc.selector = 0;
      sc.attr = 0;
      sc.limit = 0;
    }
  }
}

void Cpu::innerStackFromTss(unsigned dpl, uint16_t& ss, uint32_t& esp) {
  // SDM 7.2.1: 32-bit TSS keeps ESPn at 4 + 8n and SSn at 8 + 8n; a 16-bit
  // TSS keeps SPn at 2 + 4n and SSn at 4 + 4n.
  bool tss32 = (state.tr.attr & segattr::TYPE) == sysdesc::TSS32_BUSY ||
               (state.tr.attr & segattr::TYPE) == sysdesc::TSS32_AVAIL;
  uint64_t off = tss32 ? 4 + 8 * dpl : 2 + 4 * dpl;
  unsigned width = tss32 ? 4 : 2;
  if (off + 2 * width - 1 > state.tr.limit) raise(vec::TS, state.tr.selector & 0xFFFC);
  esp = static_cast<uint32_t>(readLinear(state.tr.base + off, width, Access::ImplicitRead));
  ss = static_cast<uint16_t>(readLinear(state.tr.base + off + width, 2, Access::ImplicitRead));
}

}  // namespace sv
