// Control transfers in IA-32e mode (64-bit and compatibility mode): event
// delivery through 16-byte IDT gates with IST (Intel SDM Vol. 3A, 6.14),
// far JMP/CALL through 64-bit call gates (5.8.3.1, 5.8.6), RETF and IRET
// (Vol. 2 "RET", "IRET" IA-32e-MODE). Task gates and TSS targets do not
// exist in IA-32e mode. As in far_transfer.cpp, every check and every
// stack write happens before a register changes.
#include "cpu/cpu.h"

namespace sv {

namespace {
constexpr uint64_t maskBytes(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

// 64-bit TSS (SDM Vol. 3A, 8.7, Figure 8-11): RSPn at 4 + 8n, ISTn at
// 0x24 + 8(n-1).
constexpr uint64_t kTssRsp0 = 4, kTssIst1 = 0x24;
}  // namespace

uint64_t Cpu::longModeStack(unsigned dpl, unsigned ist) {
  uint64_t off = ist ? kTssIst1 + 8 * (ist - 1) : kTssRsp0 + 8 * dpl;
  if (off + 7 > state.tr.limit) raise(vec::TS, state.tr.selector & 0xFFFC);
  return readLinear(state.tr.base + off, 8, Access::ImplicitRead);
}

// Writes values[0..count) downwards from `rsp` (values[0] at the highest
// address) after checking the whole frame is canonical.
void Cpu::writeStackFrame(uint64_t rsp, const uint64_t* values, unsigned count, unsigned size,
                          uint32_t ss_error) {
  uint64_t bottom = rsp - static_cast<uint64_t>(count) * size;
  if (!isCanonical(bottom) || !isCanonical(rsp - 1)) raise(vec::SS, ss_error);
  // Probe both ends first so a #PF leaves memory untouched where possible.
  translate(bottom, Access::Write);
  translate(rsp - 1, Access::Write);
  for (unsigned i = 0; i < count; ++i) writeLinear(rsp - (i + 1) * size, size, values[i], Access::Write);
}

// A code segment as the target of a transfer in IA-32e mode: L with D is
// reserved (SDM Vol. 3A, 5.2.1); a 64-bit target needs a canonical RIP, a
// compatibility-mode one an offset within the limit.
void Cpu::checkLongModeCodeTarget(const Descriptor& d, uint16_t selector, uint64_t offset) {
  if (d.longMode() && d.defaultBig()) raiseSelector(vec::GP, selector);
  if (d.longMode() ? !isCanonical(offset) : offset > d.limit()) raise(vec::GP, 0);
}

void Cpu::deliverLongMode(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code,
                          uint64_t return_rip) {
  bool software = kind == EventKind::SoftwareInt || kind == EventKind::SoftwareException;
  uint32_t ext = software ? 0 : 1;
  uint32_t idt_error = vector * 8 + 2 + ext;
  // 16-byte gates; only 64-bit interrupt and trap gates (types E/F) exist.
  uint64_t entry = static_cast<uint64_t>(vector) * 16;
  if (entry + 15 > state.idtr.limit) raise(vec::GP, idt_error);
  uint64_t addr = state.idtr.base + entry;
  Descriptor gate;
  gate.lo = static_cast<uint32_t>(readLinear(addr, 4, Access::ImplicitRead));
  gate.hi = static_cast<uint32_t>(readLinear(addr + 4, 4, Access::ImplicitRead));
  uint64_t offset_hi = readLinear(addr + 8, 4, Access::ImplicitRead);
  uint32_t top = static_cast<uint32_t>(readLinear(addr + 12, 4, Access::ImplicitRead));
  uint8_t type = gate.type();
  if (gate.isSegment() || (type != sysdesc::INT_GATE32 && type != sysdesc::TRAP_GATE32) || ((top >> 8) & 0x1F))
    raise(vec::GP, idt_error);
  unsigned cpl_now = cpl();
  if (software && gate.dpl() < cpl_now) raise(vec::GP, idt_error);
  if (!gate.present()) raise(vec::NP, idt_error);

  uint16_t sel = gate.gateSelector();
  if ((sel & 0xFFFC) == 0) raise(vec::GP, ext);
  Descriptor code;
  if (!readDescriptor(sel, code) || !code.isCode() || code.dpl() > cpl_now) raise(vec::GP, (sel & 0xFFFC) + ext);
  if (!code.longMode() || code.defaultBig()) raise(vec::GP, (sel & 0xFFFC) + ext);
  if (!code.present()) raise(vec::NP, (sel & 0xFFFC) + ext);
  uint64_t target = gate.gateOffset() | (offset_hi << 32);
  if (!isCanonical(target)) raise(vec::GP, ext);

  // New stack: an IST slot if the gate names one, else RSPn of the TSS on a
  // privilege change, else the current one; aligned to 16 either way (SDM
  // 6.14.2). The frame always holds SS:RSP.
  unsigned new_cpl = code.conforming() ? cpl_now : code.dpl();
  bool inner = new_cpl < cpl_now;
  unsigned ist = gate.gateIst();
  uint64_t rsp = (inner || ist) ? longModeStack(new_cpl, ist) : state.gpr[RSP];
  rsp &= ~0xFull;
  bool push_error = has_error && kind == EventKind::Exception;
  uint64_t frame[6] = {state.seg[SS].selector, state.gpr[RSP], state.rflags, state.seg[CS].selector, return_rip,
                       error_code};
  unsigned count = push_error ? 6 : 5;
  setAccessCpl(static_cast<int>(new_cpl));  // the frame is written at the handler's privilege
  writeStackFrame(rsp, frame, count, 8, (inner || ist) ? ext : 0);
  setAccessCpl(-1);

  setDescriptorAccessed(sel, code);
  if (inner) state.seg[SS] = nullStackCache(static_cast<uint16_t>(new_cpl), new_cpl);
  loadCodeSegmentProtected(sel, code, new_cpl);
  state.gpr[RSP] = rsp - count * 8;
  state.rflags &= ~(flag::TF | flag::NT | flag::RF | flag::VM);
  if (type == sysdesc::INT_GATE32) state.rflags &= ~flag::IF;
  updateMode();
  state.rip = target;
}

void Cpu::farJumpLong(uint16_t selector, uint64_t offset, unsigned opsize, bool call) {
  if ((selector & 0xFFFC) == 0) raise(vec::GP, 0);
  Descriptor d;
  if (!readDescriptor(selector, d)) raiseSelector(vec::GP, selector);
  unsigned cpl_now = cpl();

  if (d.isCode()) {
    checkDirectCodeTarget(selector, d);
    offset &= maskBytes(opsize);
    checkLongModeCodeTarget(d, selector, offset);
    if (call) {
      uint64_t frame[2] = {state.seg[CS].selector, next_rip};
      unsigned w = stackAddrSize();
      uint64_t sp = state.gpr[RSP];
      checkSegmentAccess(SS, (sp - 2 * opsize) & maskBytes(w), 2 * opsize, Access::Write);
      push(frame[0], opsize);
      push(frame[1], opsize);
    }
    setDescriptorAccessed(selector, d);
    loadCodeSegmentProtected(selector, d, cpl_now);
    next_rip = offset;
    return;
  }
  // In IA-32e mode type 0xC is the 16-byte 64-bit call gate; 16-bit call
  // gates, task gates and TSSs are #GP (SDM Vol. 3A, 5.8.3.1, 8.7).
  if (d.isSegment() || d.type() != sysdesc::CALL_GATE32) raiseSelector(vec::GP, selector);
  if (d.dpl() < cpl_now || d.dpl() < (selector & 3)) raiseSelector(vec::GP, selector);
  if (!d.present()) raiseSelector(vec::NP, selector);
  uint32_t offset_hi;
  if (!readDescriptorHigh(selector, offset_hi)) raiseSelector(vec::GP, selector);
  uint16_t target_sel = d.gateSelector();
  offset = d.gateOffset() | (static_cast<uint64_t>(offset_hi) << 32);
  if ((target_sel & 0xFFFC) == 0) raise(vec::GP, 0);
  Descriptor target;
  if (!readDescriptor(target_sel, target) || !target.isCode() || target.dpl() > cpl_now)
    raiseSelector(vec::GP, target_sel);
  if (!target.longMode() || target.defaultBig()) raiseSelector(vec::GP, target_sel);
  if (!call && !target.conforming() && target.dpl() != cpl_now) raiseSelector(vec::GP, target_sel);
  if (!target.present()) raiseSelector(vec::NP, target_sel);
  if (!isCanonical(offset)) raise(vec::GP, 0);
  unsigned new_cpl = target.conforming() ? cpl_now : target.dpl();

  if (call && new_cpl < cpl_now) {
    // Inner level: RSPn from the TSS, SS becomes null at the new CPL, and
    // the frame is 8-byte SS, RSP, CS, RIP; no parameters are copied.
    uint64_t rsp = longModeStack(new_cpl, 0);
    uint64_t frame[4] = {state.seg[SS].selector, state.gpr[RSP], state.seg[CS].selector, next_rip};
    setAccessCpl(static_cast<int>(new_cpl));
    writeStackFrame(rsp, frame, 4, 8, 0);
    setAccessCpl(-1);
    setDescriptorAccessed(target_sel, target);
    state.seg[SS] = nullStackCache(static_cast<uint16_t>(new_cpl), new_cpl);
    state.gpr[RSP] = rsp - 32;
  } else if (call) {
    // Through a 64-bit gate the pushes are 8 bytes at any stack width.
    uint64_t frame[2] = {state.seg[CS].selector, next_rip};
    uint64_t sp = state.gpr[RSP] & maskBytes(stackAddrSize());
    checkSegmentAccess(SS, sp - 16, 16, Access::Write);
    push(frame[0], 8);
    push(frame[1], 8);
    setDescriptorAccessed(target_sel, target);
  } else {
    setDescriptorAccessed(target_sel, target);
  }
  loadCodeSegmentProtected(target_sel, target, new_cpl);
  next_rip = offset;
}

// RETF (iret = false, then `release_bytes` of parameters) and IRET in
// IA-32e mode. IRET pops SS:RSP in 64-bit mode even without a privilege
// change; both allow a null SS when returning to 64-bit code at CPL < 3.
void Cpu::farReturnLong(unsigned opsize, uint16_t release_bytes, bool iret) {
  if (iret && (state.rflags & flag::NT)) raise(vec::GP, 0);  // no task return in IA-32e mode
  uint64_t ip = peekStack(0, opsize) & maskBytes(opsize);
  uint16_t cs = static_cast<uint16_t>(peekStack(opsize, opsize));
  uint64_t fl = iret ? peekStack(2 * opsize, opsize) : 0;
  unsigned cpl_now = cpl();
  unsigned rpl = cs & 3;
  Descriptor d;
  checkReturnCodeSegment(cs, d);
  checkLongModeCodeTarget(d, cs, ip);

  bool outer = rpl > cpl_now;
  bool pop_stack = outer || (iret && mode_ == CpuMode::Long64);
  uint64_t frame = iret ? 3 * opsize : 2 * opsize + release_bytes;
  uint64_t new_rsp = 0;
  uint16_t new_ss = 0;
  Descriptor ssd;
  if (pop_stack) {
    new_rsp = peekStack(frame, opsize) & maskBytes(opsize);
    new_ss = static_cast<uint16_t>(peekStack(frame + opsize, opsize));
    if ((new_ss & 0xFFFC) == 0) {
      if (!d.longMode() || rpl == 3 || (new_ss & 3) != rpl) raise(vec::GP, 0);
    } else {
      checkReturnStackSegment(new_ss, rpl, ssd);
    }
  }
  uint64_t settable = iretSettableFlags(opsize);  // VM stays 0 in IA-32e mode

  uint64_t old_sp = state.gpr[RSP];
  unsigned old_w = stackAddrSize();
  setDescriptorAccessed(cs, d);
  loadCodeSegmentProtected(cs, d, rpl);
  if (pop_stack) {
    if ((new_ss & 0xFFFC) == 0) {
      state.seg[SS] = nullStackCache(new_ss, rpl);
    } else {
      setDescriptorAccessed(new_ss, ssd);
      loadStackSegmentProtected(new_ss, ssd);
    }
    state.gpr[RSP] = new_rsp + (iret ? 0 : release_bytes);
  } else {
    setGpr(RSP, old_w, old_sp + frame);
  }
  if (outer) nullifyDataSegmentsForOuterLevel();
  if (iret) state.rflags = (state.rflags & ~settable) | (fl & settable) | flag::FIXED1;
  updateMode();
  next_rip = ip;
}

}  // namespace sv
