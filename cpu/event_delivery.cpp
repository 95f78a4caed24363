// Delivery of exceptions and interrupts: through the IVT in real mode and
// through IDT gates in protected and virtual-8086 mode (Intel SDM Vol. 3A,
// 6.12 and 20.1.4).
#include <initializer_list>

#include "cpu/cpu.h"

namespace sv {

namespace {
constexpr uint64_t maskBytes(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
}  // namespace

void Cpu::softwareInterrupt(uint8_t vector, EventKind kind) {
  // The pushed return address is the next instruction; a fault during the
  // delivery is a fault of this INT instruction.
  deliverEvent(vector, kind, false, 0, next_rip);
  next_rip = state.rip;
}

void Cpu::deliverEvent(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code,
                       uint64_t return_rip) {
  // Only exceptions escalate to #DF when their delivery faults; INT n and
  // external interrupts fault like any instruction (SDM Vol. 3A, 6.15).
  bool exception = kind == EventKind::Exception || kind == EventKind::Icebp || kind == EventKind::Nmi;
  delivering_ = exception ? vector : kDeliveringBenign;
  event_in_insn_ = true;
  if (mode_ == CpuMode::Real) deliverRealMode(vector, return_rip);
  else deliverProtectedMode(vector, kind, has_error, error_code, return_rip);
  delivering_ = -1;
  state.halted = 0;
}

void Cpu::deliverRealMode(uint8_t vector, uint64_t return_rip) {
  // SDM Vol. 3A, 20.1.4: the IVT entry must lie within the IDTR limit.
  uint64_t entry = static_cast<uint64_t>(vector) * 4;
  if (entry + 3 > state.idtr.limit) raise(vec::GP, 0);
  uint32_t target = static_cast<uint32_t>(readLinear(state.idtr.base + entry, 4, Access::ImplicitRead));
  // Check the whole frame first so a fault leaves SP untouched.
  unsigned w = stackAddrSize();
  uint64_t sp = state.gpr[RSP];
  for (unsigned i = 1; i <= 3; ++i) checkSegmentAccess(SS, (sp - 2 * i) & maskBytes(w), 2, Access::Write);
  push(state.rflags & 0xFFFF, 2);
  push(state.seg[CS].selector, 2);
  push(return_rip & 0xFFFF, 2);
  state.rflags &= ~(flag::IF | flag::TF | flag::AC | flag::RF);
  state.seg[CS].selector = static_cast<uint16_t>(target >> 16);
  state.seg[CS].base = static_cast<uint64_t>(target >> 16) << 4;
  state.rip = target & 0xFFFF;
}

void Cpu::deliverProtectedMode(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code,
                               uint64_t return_rip) {
  if (state.efer & efer::LMA) {
    deliverLongMode(vector, kind, has_error, error_code, return_rip);
    return;
  }
  // EXT (bit 0 of error codes): set for events external to the program
  // (SDM 6.13); INT n, INT3 and INTO are the program's own.
  bool software = kind == EventKind::SoftwareInt || kind == EventKind::SoftwareException;
  uint32_t ext = software ? 0 : 1;
  uint32_t idt_error = vector * 8 + 2 + ext;

  if (static_cast<uint64_t>(vector) * 8 + 7 > state.idtr.limit) raise(vec::GP, idt_error);
  Descriptor gate;
  gate.lo = static_cast<uint32_t>(readLinear(state.idtr.base + vector * 8, 4, Access::ImplicitRead));
  gate.hi = static_cast<uint32_t>(readLinear(state.idtr.base + vector * 8 + 4, 4, Access::ImplicitRead));
  uint8_t type = gate.type();
  bool valid = !gate.isSegment() && (type == sysdesc::INT_GATE16 || type == sysdesc::TRAP_GATE16 ||
                                     type == sysdesc::INT_GATE32 || type == sysdesc::TRAP_GATE32 ||
                                     type == sysdesc::TASK_GATE);
  if (!valid) raise(vec::GP, idt_error);
  unsigned cpl_now = cpl();
  if (software && gate.dpl() < cpl_now) raise(vec::GP, idt_error);
  if (!gate.present()) raise(vec::NP, idt_error);
  if (type == sysdesc::TASK_GATE) {
    interruptTaskGate(gate, has_error && kind == EventKind::Exception, error_code, return_rip, ext);
    return;
  }

  uint16_t sel = gate.gateSelector();
  if ((sel & 0xFFFC) == 0) raise(vec::GP, ext);
  Descriptor code;
  if (!readDescriptor(sel, code) || !code.isCode() || code.dpl() > cpl_now) raise(vec::GP, (sel & 0xFFFC) + ext);
  if (!code.present()) raise(vec::NP, (sel & 0xFFFC) + ext);
  bool gate32 = type == sysdesc::INT_GATE32 || type == sysdesc::TRAP_GATE32;
  unsigned size = gate32 ? 4 : 2;
  uint64_t target = gate32 ? gate.gateOffset() : (gate.gateOffset() & 0xFFFF);
  if (target > code.limit()) raise(vec::GP, ext);
  bool from_v86 = mode_ == CpuMode::Virtual86;
  bool push_error = has_error && kind == EventKind::Exception;
  uint64_t old_flags = state.rflags;
  uint16_t old_cs = state.seg[CS].selector;

  if (!code.conforming() && code.dpl() < cpl_now) {
    // Inner privilege: stack from the TSS (SDM 6.12.1, Figure 6-4).
    unsigned new_cpl = code.dpl();
    if (from_v86 && new_cpl != 0) raise(vec::GP, (sel & 0xFFFC) + ext);
    uint16_t new_ss;
    uint32_t new_esp;
    innerStackFromTss(new_cpl, new_ss, new_esp);
    if ((new_ss & 0xFFFC) == 0) raise(vec::TS, ext);
    Descriptor ssd;
    if (!readDescriptor(new_ss, ssd)) raise(vec::TS, (new_ss & 0xFFFC) + ext);
    if ((new_ss & 3) != new_cpl || ssd.dpl() != new_cpl || !ssd.writable()) raise(vec::TS, (new_ss & 0xFFFC) + ext);
    if (!ssd.present()) raise(vec::SS, (new_ss & 0xFFFC) + ext);

    uint64_t old_esp = state.gpr[RSP];
    uint16_t old_ss = state.seg[SS].selector;
    unsigned slots = (from_v86 ? 9 : 5) + (push_error ? 1 : 0);
    unsigned new_w = ssd.defaultBig() ? 4 : 2;
    uint64_t sp = new_esp & maskBytes(new_w);
    SegmentCache new_ss_cache = toCache(ssd, new_ss);
    if (!segmentAllows(new_ss_cache, (sp - slots * size) & maskBytes(new_w), slots * size, Access::Write))
      raise(vec::SS, (new_ss & 0xFFFC) + ext);
    state.seg[SS] = new_ss_cache;
    setGpr(RSP, new_w, sp);
    setAccessCpl(static_cast<int>(new_cpl));  // the frame is written at the handler's privilege
    if (from_v86) {
      push(state.seg[GS].selector, size);
      push(state.seg[FS].selector, size);
      push(state.seg[DS].selector, size);
      push(state.seg[ES].selector, size);
    }
    push(old_ss, size);
    push(old_esp, size);
    push(old_flags, size);
    push(old_cs, size);
    push(return_rip, size);
    if (push_error) push(error_code, size);
    setAccessCpl(-1);
    setDescriptorAccessed(new_ss, ssd);
    if (from_v86) {
      for (uint8_t s : {ES, DS, FS, GS}) state.seg[s] = SegmentCache{0, 0, 0, 0};
    }
    state.rflags &= ~flag::VM;
    setDescriptorAccessed(sel, code);
    loadCodeSegmentProtected(sel, code, new_cpl);
  } else {
    if (from_v86) raise(vec::GP, (sel & 0xFFFC) + ext);
    if (!code.conforming() && code.dpl() != cpl_now) raise(vec::GP, (sel & 0xFFFC) + ext);
    unsigned slots = 3 + (push_error ? 1 : 0);
    unsigned w = stackAddrSize();
    checkSegmentAccess(SS, (state.gpr[RSP] - slots * size) & maskBytes(w), slots * size, Access::Write);
    push(old_flags, size);
    push(old_cs, size);
    push(return_rip, size);
    if (push_error) push(error_code, size);
    setDescriptorAccessed(sel, code);
    loadCodeSegmentProtected(sel, code, cpl_now);
  }
  // Interrupt gates also clear IF; both kinds clear TF, NT, RF, VM.
  state.rflags &= ~(flag::TF | flag::NT | flag::RF | flag::VM);
  if (type == sysdesc::INT_GATE16 || type == sysdesc::INT_GATE32) state.rflags &= ~flag::IF;
  updateMode();
  state.rip = target;
}

}  // namespace sv
