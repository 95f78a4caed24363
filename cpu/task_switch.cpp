// Hardware task switching (Intel SDM Vol. 3A, chapter 7 "Task Management",
// 7.3 and 7.4; the JMP, CALL, IRET and INT n operation sections of Vol. 2).
//
// A switch has two halves separated by the commit point. Before it, every
// check that names the old context (TSS types, busy bits, limits, the pages
// holding both TSSs and the GDT entries) is done, and a fault leaves the old
// task untouched. After it (SDM 7.3 step 12 onwards), the new task's state
// is loaded and its segment descriptors are checked: a fault there is raised
// in the context of the new task, with its EIP as the return address and the
// segment registers not yet validated left unusable (Table 7-1).
//
// Not modelled: the debug trap flag (T) of the new TSS; a single-step trap
// pending from the old task is discarded, as a switch starts a new context.
#include <initializer_list>

#include "cpu/cpu.h"

namespace sv {

namespace {

constexpr uint32_t kBusyBit = 0x200;  // type bit 1 in the descriptor's high dword

bool isTssType(uint8_t t) {
  return t == sysdesc::TSS16_AVAIL || t == sysdesc::TSS16_BUSY || t == sysdesc::TSS32_AVAIL ||
         t == sysdesc::TSS32_BUSY;
}
bool isBusyTss(uint8_t t) { return t == sysdesc::TSS16_BUSY || t == sysdesc::TSS32_BUSY; }
bool isTss32(uint8_t t) { return t == sysdesc::TSS32_AVAIL || t == sysdesc::TSS32_BUSY; }

// EFLAGS bits a task switch loads (all defined bits of a 32-bit EFLAGS).
constexpr uint64_t kEflagsLoadable = 0x3F7FD5;

// Field offsets (SDM Figures 7-2 and 7-11).
namespace tss32 {
constexpr unsigned LINK = 0x00, CR3 = 0x1C, EIP = 0x20, EFLAGS = 0x24, GPR = 0x28, SEG = 0x48, LDT = 0x60,
                   TRAP = 0x64, MIN_LIMIT = 0x67, SAVE_END = 0x5F;
}
namespace tss16 {
constexpr unsigned LINK = 0x00, IP = 0x0E, FLAGS = 0x10, GPR = 0x12, SEG = 0x22, LDT = 0x2A, MIN_LIMIT = 0x2B,
                   SAVE_END = 0x29;
}

// The new task's state, read in full before anything changes.
struct TssImage {
  uint32_t cr3 = 0, eip = 0, eflags = 0;
  uint32_t gpr[8] = {};
  uint16_t seg[kSegCount] = {};
  uint16_t ldt = 0;
};

}  // namespace

void Cpu::farTaskTransfer(uint16_t selector, const Descriptor& d, bool call) {
  // JMP/CALL to a task gate or TSS descriptor (SDM "JMP"/"CALL",
  // TASK-GATE and TASK-STATE-SEGMENT). IA-32e mode has no task switching.
  if (d.isSegment() || mode_ == CpuMode::Long64 || mode_ == CpuMode::Compat) raiseSelector(vec::GP, selector);
  unsigned cpl_now = cpl();
  unsigned rpl = selector & 3;
  uint16_t tss_sel = selector;
  Descriptor tss = d;
  if (d.type() == sysdesc::TASK_GATE) {
    if (d.dpl() < cpl_now || d.dpl() < rpl) raiseSelector(vec::GP, selector);
    if (!d.present()) raiseSelector(vec::NP, selector);
    tss_sel = d.gateSelector();
    // TSS descriptors live only in the GDT (SDM 7.2.2).
    if ((tss_sel & 4) || !readDescriptor(tss_sel, tss)) raiseSelector(vec::GP, tss_sel);
    if (tss.isSegment() || !isTssType(tss.type()) || isBusyTss(tss.type())) raiseSelector(vec::GP, tss_sel);
    if (!tss.present()) raiseSelector(vec::NP, tss_sel);
  } else if (isTssType(d.type())) {
    if (selector & 4) raiseSelector(vec::GP, selector);
    if (d.dpl() < cpl_now || d.dpl() < rpl || isBusyTss(d.type())) raiseSelector(vec::GP, selector);
    if (!d.present()) raiseSelector(vec::NP, selector);
  } else {
    raiseSelector(vec::GP, selector);
  }
  taskSwitch(tss_sel, tss, call ? TaskSwitchReason::Call : TaskSwitchReason::Jump, false, 0, next_rip);
}

void Cpu::taskReturn() {
  // IRET with NT set (SDM "IRET", TASK-RETURN): back to the task named by
  // the previous-task link of the current TSS, which must be busy.
  if (mode_ == CpuMode::Long64 || mode_ == CpuMode::Compat) raise(vec::GP, 0);
  uint16_t link = static_cast<uint16_t>(readLinear(state.tr.base + tss32::LINK, 2, Access::ImplicitRead));
  Descriptor d;
  if ((link & 4) || !readDescriptor(link, d)) raiseSelector(vec::TS, link);
  if (d.isSegment() || !isBusyTss(d.type())) raiseSelector(vec::TS, link);
  if (!d.present()) raiseSelector(vec::NP, link);
  taskSwitch(link, d, TaskSwitchReason::Iret, false, 0, next_rip);
}

void Cpu::interruptTaskGate(const Descriptor& gate, bool push_error, uint32_t error_code, uint64_t return_rip,
                            uint32_t ext) {
  // Interrupt or exception through a task gate in the IDT (SDM "INT n",
  // TASK-GATE); the gate's DPL and presence were checked by the caller.
  uint16_t tss_sel = gate.gateSelector();
  uint32_t err = (tss_sel & 0xFFFC) | ext;
  Descriptor tss;
  if ((tss_sel & 4) || !readDescriptor(tss_sel, tss)) raise(vec::GP, err);
  if (tss.isSegment() || !isTssType(tss.type()) || isBusyTss(tss.type())) raise(vec::GP, err);
  if (!tss.present()) raise(vec::NP, err);
  taskSwitch(tss_sel, tss, TaskSwitchReason::Interrupt, push_error, error_code, return_rip);
}

void Cpu::taskSwitch(uint16_t selector, const Descriptor& tss_desc, TaskSwitchReason reason, bool has_error,
                     uint32_t error_code, uint64_t return_rip) {
  const bool nesting = reason == TaskSwitchReason::Call || reason == TaskSwitchReason::Interrupt;
  const bool new32 = isTss32(tss_desc.type());
  const uint64_t new_base = tss_desc.base();
  const uint16_t old_sel = state.tr.selector;
  const bool old32 = isTss32(state.tr.attr & segattr::TYPE);
  const uint64_t old_base = state.tr.base;

  // Step 3: the new TSS must hold a whole TSS; the old one the saved fields.
  if (tss_desc.limit() < (new32 ? tss32::MIN_LIMIT : tss16::MIN_LIMIT)) raiseSelector(vec::TS, selector);
  if (state.tr.limit < (old32 ? tss32::SAVE_END : tss16::SAVE_END)) raiseSelector(vec::TS, old_sel);

  // Step 5: everything the switch touches must be accessible before the
  // first write: read the new TSS in full, probe the writes.
  auto rd = [&](unsigned off, unsigned size) {
    return static_cast<uint32_t>(readLinear(new_base + off, size, Access::ImplicitRead));
  };
  TssImage img;
  if (new32) {
    img.cr3 = rd(tss32::CR3, 4);
    img.eip = rd(tss32::EIP, 4);
    img.eflags = rd(tss32::EFLAGS, 4);
    for (unsigned i = 0; i < 8; ++i) img.gpr[i] = rd(tss32::GPR + 4 * i, 4);
    for (unsigned s = 0; s < kSegCount; ++s) img.seg[s] = static_cast<uint16_t>(rd(tss32::SEG + 4 * s, 2));
    img.ldt = static_cast<uint16_t>(rd(tss32::LDT, 2));
    (void)rd(tss32::TRAP, 2);  // the T bit is read (and may fault) but not acted on
  } else {
    // A 16-bit TSS holds 16-bit registers and no FS, GS or CR3; the upper
    // halves of the 32-bit registers read as ones and FS/GS are loaded
    // null, as Bochs and QEMU model it (SDM 7.6 leaves it undefined).
    img.eip = rd(tss16::IP, 2);
    img.eflags = rd(tss16::FLAGS, 2);
    for (unsigned i = 0; i < 8; ++i) img.gpr[i] = 0xFFFF0000u | rd(tss16::GPR + 2 * i, 2);
    for (unsigned s = 0; s < 4; ++s) img.seg[s] = static_cast<uint16_t>(rd(tss16::SEG + 2 * s, 2));
    img.ldt = static_cast<uint16_t>(rd(tss16::LDT, 2));
  }
  const uint64_t old_desc_hi = state.gdtr.base + (old_sel & 0xFFF8) + 4;
  const uint64_t new_desc_hi = state.gdtr.base + (selector & 0xFFF8) + 4;
  const unsigned save_lo = old32 ? tss32::EIP : tss16::IP;
  const unsigned save_hi = old32 ? tss32::SAVE_END : tss16::SAVE_END;
  translate(old_base + save_lo, Access::ImplicitWrite);
  translate(old_base + save_hi, Access::ImplicitWrite);
  if (nesting) translate(new_base + tss32::LINK, Access::ImplicitWrite);
  uint32_t old_hi = static_cast<uint32_t>(readLinear(old_desc_hi, 4, Access::ImplicitRead));
  if (reason == TaskSwitchReason::Jump || reason == TaskSwitchReason::Iret) translate(old_desc_hi, Access::ImplicitWrite);
  if (reason != TaskSwitchReason::Iret) translate(new_desc_hi, Access::ImplicitWrite);

  // Step 6: JMP and IRET leave the old task; CALL and events nest it.
  if (reason == TaskSwitchReason::Jump || reason == TaskSwitchReason::Iret)
    writeLinear(old_desc_hi, 4, old_hi & ~kBusyBit, Access::ImplicitWrite);

  // Step 7: IRET clears NT in the saved image (Table 7-2: JMP, CALL and
  // events leave it unchanged).
  uint64_t old_flags = state.rflags;
  if (reason == TaskSwitchReason::Iret) old_flags &= ~flag::NT;

  // Step 8: save the dynamic fields into the old TSS.
  auto wr = [&](unsigned off, unsigned size, uint64_t v) {
    writeLinear(old_base + off, size, v, Access::ImplicitWrite);
  };
  if (old32) {
    wr(tss32::EIP, 4, return_rip & 0xFFFFFFFFu);
    wr(tss32::EFLAGS, 4, old_flags & 0xFFFFFFFFu);
    for (unsigned i = 0; i < 8; ++i) wr(tss32::GPR + 4 * i, 4, state.gpr[i] & 0xFFFFFFFFu);
    for (unsigned s = 0; s < kSegCount; ++s) wr(tss32::SEG + 4 * s, 2, state.seg[s].selector);
  } else {
    wr(tss16::IP, 2, return_rip & 0xFFFF);
    wr(tss16::FLAGS, 2, old_flags & 0xFFFF);
    for (unsigned i = 0; i < 8; ++i) wr(tss16::GPR + 2 * i, 2, state.gpr[i] & 0xFFFF);
    for (unsigned s = 0; s < 4; ++s) wr(tss16::SEG + 2 * s, 2, state.seg[s].selector);
  }

  // Step 9 (7.4): a nested task links back to the old one.
  if (nesting) writeLinear(new_base + tss32::LINK, 2, old_sel, Access::ImplicitWrite);

  // Step 10: the new task is busy (an IRET target already is).
  if (reason != TaskSwitchReason::Iret) {
    uint32_t hi = static_cast<uint32_t>(readLinear(new_desc_hi, 4, Access::ImplicitRead));
    writeLinear(new_desc_hi, 4, hi | kBusyBit, Access::ImplicitWrite);
  }

  // ---- Commit point. Step 11: TR, CR0.TS (7.3 and 2.5), CR3.
  Descriptor busy = tss_desc;
  busy.hi |= kBusyBit;
  state.tr = toCache(busy, selector);
  state.cr0 |= cr0::TS;
  state.dr[7] &= ~0x155ull;  // L0-L3 and LE are per task (SDM Vol. 3B, 18.2.4)
  debugRegistersChanged();
  event_in_insn_ = true;  // no single-step trap carries over into the new task
  state.interrupt_shadow = 0;
  if (new32 && (state.cr0 & cr0::PG)) setPagingRegisters(state.cr0, img.cr3, state.cr4, state.efer);

  // Step 12: registers. Segment registers get their selectors with unusable
  // caches until their descriptors pass the checks below.
  uint64_t fl = img.eflags;
  if (nesting) fl |= flag::NT;
  state.rflags = (fl & kEflagsLoadable) | flag::FIXED1;
  for (unsigned i = 0; i < 8; ++i) state.gpr[i] = img.gpr[i];
  state.rip = img.eip;
  next_rip = img.eip;
  for (unsigned s = 0; s < kSegCount; ++s) state.seg[s] = SegmentCache{0, 0, img.seg[s], 0};
  state.ldtr = SegmentCache{0, 0, img.ldt, 0};
  updateMode();

  // Step 13: the LDT, then the segment descriptors (Table 7-1).
  if ((img.ldt & 0xFFFC) != 0) {
    Descriptor ld;
    if ((img.ldt & 4) || !readDescriptor(img.ldt, ld)) raiseSelector(vec::TS, img.ldt);
    if (ld.isSegment() || ld.type() != sysdesc::LDT || !ld.present()) raiseSelector(vec::TS, img.ldt);
    state.ldtr = toCache(ld, img.ldt);
  }

  if (state.rflags & flag::VM) {
    // Virtual-8086 task: segments as in real mode, at privilege 3.
    for (unsigned s = 0; s < kSegCount; ++s) {
      uint16_t sel = img.seg[s];
      uint16_t attr = (s == CS ? segattr::REAL_CODE : segattr::REAL_DATA) | (3 << 5);
      state.seg[s] = SegmentCache{static_cast<uint64_t>(sel) << 4, 0xFFFF, sel, attr};
    }
  } else {
    const uint16_t cs = img.seg[CS];
    const unsigned new_cpl = cs & 3;  // CPL is the RPL of the new CS selector
    Descriptor cd;
    if ((cs & 0xFFFC) == 0) raise(vec::TS, 0);
    if (!readDescriptor(cs, cd) || !cd.isCode()) raiseSelector(vec::TS, cs);
    if (cd.conforming() ? cd.dpl() > new_cpl : cd.dpl() != new_cpl) raiseSelector(vec::TS, cs);
    if (!cd.present()) raiseSelector(vec::NP, cs);
    setDescriptorAccessed(cs, cd);
    loadCodeSegmentProtected(cs, cd, new_cpl);

    const uint16_t ss = img.seg[SS];
    Descriptor sd;
    if ((ss & 0xFFFC) == 0) raise(vec::TS, 0);
    if (!readDescriptor(ss, sd) || !sd.writable()) raiseSelector(vec::TS, ss);
    if ((ss & 3) != new_cpl || sd.dpl() != new_cpl) raiseSelector(vec::TS, ss);
    if (!sd.present()) raiseSelector(vec::SS, ss);
    setDescriptorAccessed(ss, sd);
    loadStackSegmentProtected(ss, sd);

    for (uint8_t s : {ES, DS, FS, GS}) {
      const uint16_t sel = img.seg[s];
      if ((sel & 0xFFFC) == 0) continue;  // null: stays unusable
      Descriptor dd;
      if (!readDescriptor(sel, dd) || !dd.isSegment() || !dd.readable()) raiseSelector(vec::TS, sel);
      if ((dd.isData() || !dd.conforming()) && (dd.dpl() < new_cpl || dd.dpl() < (sel & 3u)))
        raiseSelector(vec::TS, sel);
      if (!dd.present()) raiseSelector(vec::NP, sel);
      setDescriptorAccessed(sel, dd);
      state.seg[s] = toCache(dd, sel);
    }
  }

  // An exception with an error code pushes it on the new task's stack, at
  // the width of the new TSS (SDM 6.12.2).
  if (has_error) push(error_code, new32 ? 4 : 2);
  if (state.rip > state.seg[CS].limit) raise(vec::GP, 0);
}

}  // namespace sv
