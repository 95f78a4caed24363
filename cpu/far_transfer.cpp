// Far JMP, CALL, RET and IRET in real, virtual-8086 and protected mode
// (Intel SDM Vol. 2 operation sections of JMP, CALL, RET, IRET; Vol. 3A 5.8).
// Every check happens before any register or stack changes, so a fault
// leaves the state of the instruction's start.
#include "cpu/cpu.h"
#include "cpu/virtual_interrupts.h"

namespace sv {

namespace {
constexpr uint64_t maskBytes(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
}  // namespace

void Cpu::farJump(uint16_t selector, uint64_t offset, unsigned opsize) {
  if (mode_ == CpuMode::Real || mode_ == CpuMode::Virtual86) {
    offset &= maskBytes(opsize);
    if (offset > state.seg[CS].limit) raise(vec::GP, 0);
    loadCodeSegmentReal(selector, offset);
    return;
  }
  farJumpProtected(selector, offset, opsize, false);
}

void Cpu::farCall(uint16_t selector, uint64_t offset, unsigned opsize) {
  if (mode_ == CpuMode::Real || mode_ == CpuMode::Virtual86) {
    offset &= maskBytes(opsize);
    if (offset > state.seg[CS].limit) raise(vec::GP, 0);
    unsigned w = stackAddrSize();
    uint64_t sp = state.gpr[RSP];
    checkSegmentAccess(SS, (sp - opsize) & maskBytes(w), opsize, Access::Write);
    checkSegmentAccess(SS, (sp - 2 * opsize) & maskBytes(w), opsize, Access::Write);
    push(state.seg[CS].selector, opsize);
    push(next_rip, opsize);
    loadCodeSegmentReal(selector, offset);
    return;
  }
  farJumpProtected(selector, offset, opsize, true);
}

// Checks a code segment descriptor as a direct far JMP/CALL target (no gate).
void Cpu::checkDirectCodeTarget(uint16_t selector, const Descriptor& d) {
  unsigned cpl_now = cpl();
  if (d.conforming()) {
    if (d.dpl() > cpl_now) raiseSelector(vec::GP, selector);
  } else if ((selector & 3) > cpl_now || d.dpl() != cpl_now) {
    raiseSelector(vec::GP, selector);
  }
  if (!d.present()) raiseSelector(vec::NP, selector);
}

// The code segment a RETF/IRET returns to (SDM "RET", "IRET"): RPL >= CPL,
// DPL = RPL (conforming: DPL <= RPL), present.
void Cpu::checkReturnCodeSegment(uint16_t cs, Descriptor& d) {
  unsigned rpl = cs & 3;
  if ((cs & 0xFFFC) == 0) raise(vec::GP, 0);
  if (!readDescriptor(cs, d) || !d.isCode() || rpl < cpl()) raiseSelector(vec::GP, cs);
  if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) raiseSelector(vec::GP, cs);
  if (!d.present()) raiseSelector(vec::NP, cs);
}

// The (non-null) SS a return to privilege `rpl` loads: RPL = DPL = rpl,
// writable data, present.
void Cpu::checkReturnStackSegment(uint16_t ss, unsigned rpl, Descriptor& d) {
  if (!readDescriptor(ss, d)) raiseSelector(vec::GP, ss);
  if ((ss & 3) != rpl || !d.writable() || d.dpl() != rpl) raiseSelector(vec::GP, ss);
  if (!d.present()) raiseSelector(vec::SS, ss);
}

// EFLAGS bits a protected-mode IRET may load (SDM "IRET"): IOPL only at
// CPL 0, IF only when CPL <= IOPL; VIF and VIP only at CPL 0 (how a monitor
// sets VIP for a PVI task, SDM 20.4); never VM or the fixed bits.
uint64_t Cpu::iretSettableFlags(unsigned opsize) const {
  uint64_t settable = (opsize == 2 ? 0xFFFF : 0x3FFFFF) & ~(flag::VM | 0x8 | 0x20 | 0x8000 | 0x2);
  if (cpl() > 0) settable &= ~(flag::IOPL | flag::VIF | flag::VIP);
  if (cpl() > ((state.rflags & flag::IOPL) >> 12)) settable &= ~flag::IF;
  return settable;
}

void Cpu::farJumpProtected(uint16_t selector, uint64_t offset, unsigned opsize, bool call) {
  if (state.efer & efer::LMA) {
    farJumpLong(selector, offset, opsize, call);
    return;
  }
  if ((selector & 0xFFFC) == 0) raise(vec::GP, 0);
  Descriptor d;
  if (!readDescriptor(selector, d)) raiseSelector(vec::GP, selector);

  unsigned cpl_now = cpl();
  unsigned gate_params = 0;
  bool gate32 = false;
  uint16_t target_sel = selector;
  Descriptor target = d;

  if (d.isCode()) {
    checkDirectCodeTarget(selector, d);
    offset &= maskBytes(opsize);
  } else if (!d.isSegment() && (d.type() == sysdesc::CALL_GATE16 || d.type() == sysdesc::CALL_GATE32)) {
    // Call gate (SDM 5.8.4): the gate's DPL bounds who may use it.
    if (d.dpl() < cpl_now || d.dpl() < (selector & 3)) raiseSelector(vec::GP, selector);
    if (!d.present()) raiseSelector(vec::NP, selector);
    target_sel = d.gateSelector();
    gate32 = d.type() == sysdesc::CALL_GATE32;
    gate_params = d.gateParamCount();
    offset = gate32 ? d.gateOffset() : (d.gateOffset() & 0xFFFF);
    opsize = gate32 ? 4 : 2;
    if ((target_sel & 0xFFFC) == 0) raise(vec::GP, 0);
    if (!readDescriptor(target_sel, target) || !target.isCode()) raiseSelector(vec::GP, target_sel);
    if (target.dpl() > cpl_now) raiseSelector(vec::GP, target_sel);
    if (!call && !target.conforming() && target.dpl() != cpl_now) raiseSelector(vec::GP, target_sel);
    if (!target.present()) raiseSelector(vec::NP, target_sel);
  } else {
    // Task gates and TSS descriptors switch tasks; anything else is #GP.
    farTaskTransfer(selector, d, call);
    return;
  }

  if (offset > target.limit()) raise(vec::GP, 0);
  unsigned new_cpl = target.conforming() ? cpl_now : target.dpl();

  if (call && new_cpl < cpl_now) {
    // Call gate to an inner level: switch to the TSS stack for new_cpl and
    // copy the parameters (SDM 5.8.5).
    uint16_t new_ss;
    uint32_t new_esp;
    innerStackFromTss(new_cpl, new_ss, new_esp);
    if ((new_ss & 0xFFFC) == 0) raise(vec::TS, 0);
    Descriptor ssd;
    if (!readDescriptor(new_ss, ssd)) raiseSelector(vec::TS, new_ss);
    if ((new_ss & 3) != new_cpl || ssd.dpl() != new_cpl || !ssd.writable()) raiseSelector(vec::TS, new_ss);
    if (!ssd.present()) raiseSelector(vec::SS, new_ss);

    unsigned old_w = stackAddrSize();
    uint64_t old_esp = state.gpr[RSP] & maskBytes(old_w);
    uint16_t old_ss = state.seg[SS].selector;
    uint64_t params[32];
    for (unsigned i = 0; i < gate_params; ++i)
      params[i] = readMem(SS, (old_esp + i * opsize) & maskBytes(old_w), opsize);

    // Build the new frame on the inner stack, checking it before committing.
    SegmentCache new_ss_cache = toCache(ssd, new_ss);
    unsigned new_w = ssd.defaultBig() ? 4 : 2;
    uint64_t frame = (4 + gate_params) * opsize;
    uint64_t sp = new_esp & maskBytes(new_w);
    // A frame that does not fit is a #SS naming the new stack.
    if (!segmentAllows(new_ss_cache, (sp - frame) & maskBytes(new_w), static_cast<unsigned>(frame), Access::Write))
      raiseSelector(vec::SS, new_ss);

    setDescriptorAccessed(new_ss, ssd);
    loadStackSegmentProtected(new_ss, ssd);
    setGpr(RSP, new_w, sp);
    setAccessCpl(static_cast<int>(new_cpl));  // the inner stack is written at the new privilege
    push(old_ss, opsize);
    push(old_esp, opsize);
    for (unsigned i = gate_params; i-- > 0;) push(params[i], opsize);
    push(state.seg[CS].selector, opsize);
    push(next_rip, opsize);
    setAccessCpl(-1);
    setDescriptorAccessed(target_sel, target);
    loadCodeSegmentProtected(target_sel, target, new_cpl);
    next_rip = offset;
    return;
  }

  if (call) {
    unsigned w = stackAddrSize();
    uint64_t sp = state.gpr[RSP];
    checkSegmentAccess(SS, (sp - 2 * opsize) & maskBytes(w), 2 * opsize, Access::Write);
    push(state.seg[CS].selector, opsize);
    push(next_rip, opsize);
  }
  setDescriptorAccessed(target_sel, target);
  loadCodeSegmentProtected(target_sel, target, new_cpl);
  next_rip = offset;
}

void Cpu::farReturn(unsigned opsize, uint16_t release_bytes) {
  if (mode_ == CpuMode::Real || mode_ == CpuMode::Virtual86) {
    uint64_t ip = peekStack(0, opsize);
    uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
    if (ip > state.seg[CS].limit) raise(vec::GP, 0);
    unsigned w = stackAddrSize();
    setGpr(RSP, w, state.gpr[RSP] + 2 * opsize + release_bytes);
    loadCodeSegmentReal(cs, ip);
    return;
  }
  farReturnProtected(opsize, release_bytes);
}

void Cpu::farReturnProtected(unsigned opsize, uint16_t release_bytes) {
  if (state.efer & efer::LMA) {
    farReturnLong(opsize, release_bytes, false);
    return;
  }
  uint64_t ip = peekStack(0, opsize);
  uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
  unsigned rpl = cs & 3;
  unsigned cpl_now = cpl();
  Descriptor d;
  checkReturnCodeSegment(cs, d);
  ip &= maskBytes(opsize);
  if (ip > d.limit()) raise(vec::GP, 0);

  unsigned w = stackAddrSize();
  if (rpl == cpl_now) {
    setGpr(RSP, w, state.gpr[RSP] + 2 * opsize + release_bytes);
    loadCodeSegmentProtected(cs, d, rpl);
    next_rip = ip;
    return;
  }
  // Return to an outer level: the caller's SS:ESP follows the parameters.
  uint64_t base = 2 * opsize + release_bytes;
  uint64_t new_esp = peekStack(base, opsize);
  uint16_t new_ss = static_cast<uint16_t>(peekStack(base + opsize, opsize));
  if ((new_ss & 0xFFFC) == 0) raise(vec::GP, 0);
  Descriptor ssd;
  checkReturnStackSegment(new_ss, rpl, ssd);

  setDescriptorAccessed(cs, d);
  loadCodeSegmentProtected(cs, d, rpl);
  setDescriptorAccessed(new_ss, ssd);
  loadStackSegmentProtected(new_ss, ssd);
  unsigned new_w = ssd.defaultBig() ? 4 : 2;
  setGpr(RSP, new_w, new_esp + release_bytes);
  nullifyDataSegmentsForOuterLevel();
  next_rip = ip;
}

void Cpu::interruptReturn(unsigned opsize) {
  if (mode_ == CpuMode::Real) {
    uint64_t ip = peekStack(0, opsize);
    uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
    uint64_t fl = peekStack(2 * opsize, opsize);
    if ((ip & maskBytes(opsize)) > state.seg[CS].limit) raise(vec::GP, 0);
    unsigned w = stackAddrSize();
    setGpr(RSP, w, state.gpr[RSP] + 3 * opsize);
    loadCodeSegmentReal(cs, ip & maskBytes(opsize));
    // SDM "IRET", real-address mode: EFLAGS <- tempEFLAGS AND 257FD5H OR
    // (EFLAGS AND 1A0000H) for 32 bits; the low 16 bits for a 16-bit IRET.
    uint64_t settable = opsize == 2 ? 0x7FD5 : 0x257FD5;
    state.rflags = (state.rflags & ~settable) | (fl & settable) | flag::FIXED1;
    return;
  }
  if (mode_ == CpuMode::Virtual86) {
    // IOPL-sensitive; with CR4.VME the 16-bit form works on VIF (SDM
    // "IRET", virtual-8086 mode; Vol. 3B 20.3.2).
    InterruptFlagTarget target = v86FlagsTarget(*this, opsize);
    if (target == InterruptFlagTarget::Fault) raise(vec::GP, 0);
    uint64_t ip = peekStack(0, opsize);
    uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
    uint64_t fl = peekStack(2 * opsize, opsize);
    if ((ip & maskBytes(opsize)) > state.seg[CS].limit) raise(vec::GP, 0);
    if (target == InterruptFlagTarget::Vif) checkVirtualFlagsImage(*this, fl);
    setGpr(RSP, 2, state.gpr[RSP] + 3 * opsize);
    loadCodeSegmentReal(cs, ip & maskBytes(opsize));
    if (target == InterruptFlagTarget::Vif) {
      loadVirtualFlagsImage(*this, fl);
      return;
    }
    // IOPL, VM, VIP, VIF stay (SDM "IRET", virtual-8086 mode).
    uint64_t settable = (opsize == 2 ? 0xFFFF : 0x3FFFFF) & ~(flag::IOPL | flag::VM | flag::VIP | flag::VIF);
    state.rflags = (state.rflags & ~settable) | (fl & settable) | flag::FIXED1;
    return;
  }
  interruptReturnProtected(opsize);
}

void Cpu::interruptReturnProtected(unsigned opsize) {
  if (state.efer & efer::LMA) {
    farReturnLong(opsize, 0, true);
    return;
  }
  if (state.rflags & flag::NT) {  // task return (SDM 7.4)
    taskReturn();
    return;
  }
  uint64_t ip = peekStack(0, opsize);
  uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
  uint64_t fl = peekStack(2 * opsize, opsize);
  unsigned cpl_now = cpl();
  unsigned w = stackAddrSize();

  if (opsize == 4 && (fl & flag::VM) && cpl_now == 0) {
    // Return to virtual-8086 mode (SDM "IRET", RETURN-TO-VIRTUAL-8086-MODE).
    uint64_t sp = state.gpr[RSP];
    uint32_t v[6];
    for (unsigned i = 0; i < 6; ++i) v[i] = static_cast<uint32_t>(peekStack(12 + 4 * i, 4));
    (void)sp;
    state.rflags = (fl & 0x3F7FD7) | flag::FIXED1;  // all but RF's neighbours that IRET cannot set
    updateMode();
    state.seg[CS] = SegmentCache{static_cast<uint64_t>(cs) << 4, 0xFFFF, cs, segattr::REAL_CODE | (3 << 5)};
    uint16_t segs[4] = {static_cast<uint16_t>(v[2]), static_cast<uint16_t>(v[3]), static_cast<uint16_t>(v[4]),
                        static_cast<uint16_t>(v[5])};
    uint8_t order[4] = {ES, DS, FS, GS};
    for (int i = 0; i < 4; ++i) loadSegment(order[i], segs[i]);
    loadSegment(SS, static_cast<uint16_t>(v[1]));
    state.gpr[RSP] = v[0];
    next_rip = ip & 0xFFFF;
    return;
  }

  Descriptor d;
  unsigned rpl = cs & 3;
  checkReturnCodeSegment(cs, d);
  ip &= maskBytes(opsize);
  if (ip > d.limit()) raise(vec::GP, 0);

  uint64_t new_esp = 0;
  uint16_t new_ss = 0;
  Descriptor ssd;
  if (rpl > cpl_now) {
    new_esp = peekStack(3 * opsize, opsize);
    new_ss = static_cast<uint16_t>(peekStack(4 * opsize, opsize));
    if ((new_ss & 0xFFFC) == 0) raise(vec::GP, 0);
    checkReturnStackSegment(new_ss, rpl, ssd);
  }

  uint64_t settable = iretSettableFlags(opsize);
  setDescriptorAccessed(cs, d);
  loadCodeSegmentProtected(cs, d, rpl);
  if (rpl > cpl_now) {
    setDescriptorAccessed(new_ss, ssd);
    loadStackSegmentProtected(new_ss, ssd);
    setGpr(RSP, ssd.defaultBig() ? 4 : 2, new_esp);
    nullifyDataSegmentsForOuterLevel();
  } else {
    setGpr(RSP, w, state.gpr[RSP] + 3 * opsize);
  }
  state.rflags = (state.rflags & ~settable) | (fl & settable) | flag::FIXED1;
  next_rip = ip;
}

}  // namespace sv
