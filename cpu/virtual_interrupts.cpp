// Virtual interrupt flag rules (CR4.VME/PVI) and software interrupt
// redirection in virtual-8086 mode (Intel SDM Vol. 3B 20.3.2, 20.3.3, 20.4).
#include "cpu/virtual_interrupts.h"

#include "cpu/cpu.h"

namespace sv {

namespace {
unsigned iopl(const Cpu& cpu) { return (cpu.state.rflags & flag::IOPL) >> 12; }
}  // namespace

InterruptFlagTarget cliStiTarget(const Cpu& cpu) {
  if (cpu.realMode() || cpu.cpl() <= iopl(cpu)) return InterruptFlagTarget::If;
  uint64_t cr4 = cpu.state.cr4;
  // Virtual-8086 mode implies CPL 3; PVI applies only at CPL 3 (SDM 20.4).
  bool virtual_if = cpu.mode() == CpuMode::Virtual86 ? (cr4 & cr4::VME) != 0
                                                     : cpu.cpl() == 3 && (cr4 & cr4::PVI) != 0;
  return virtual_if ? InterruptFlagTarget::Vif : InterruptFlagTarget::Fault;
}

InterruptFlagTarget v86FlagsTarget(const Cpu& cpu, unsigned opsize) {
  if (iopl(cpu) == 3) return InterruptFlagTarget::If;
  if ((cpu.state.cr4 & cr4::VME) && opsize == 2) return InterruptFlagTarget::Vif;
  return InterruptFlagTarget::Fault;
}

uint16_t virtualFlagsImage(uint64_t rflags) {
  uint64_t image = rflags & ~flag::IF;
  if (rflags & flag::VIF) image |= flag::IF;
  return static_cast<uint16_t>(image | flag::IOPL);
}

void checkVirtualFlagsImage(Cpu& cpu, uint64_t image) {
  bool sets_if = (image & flag::IF) != 0;
  if ((image & flag::TF) || (sets_if && (cpu.state.rflags & flag::VIP))) cpu.raise(vec::GP, 0);
}

void loadVirtualFlagsImage(Cpu& cpu, uint64_t image) {
  cpu.writeFlags(image, 0xFFFF & ~(flag::IF | flag::IOPL));
  if (image & flag::IF) cpu.state.rflags |= flag::VIF;
  else cpu.state.rflags &= ~flag::VIF;
}

// ---------------------------------------------------------------- INT n

// SDM 20.3.3, Table 20-2 (methods 1-6). Only INT n (CD ib) is redirected or
// IOPL-sensitive; INT3, INTO and INT1 always go through the IDT.
void Cpu::interruptInstruction(uint8_t vector) {
  if (mode_ == CpuMode::Virtual86) {
    bool iopl3 = iopl(*this) == 3;
    if (state.cr4 & cr4::VME) {
      if (!redirectionBitSet(vector)) {  // methods 5 and 6
        deliverThroughV86Ivt(vector);
        return;
      }
      if (!iopl3) raise(vec::GP, 0);  // method 3; method 4 falls through
    } else if (!iopl3) {
      raise(vec::GP, 0);  // method 2; method 1 falls through
    }
  }
  softwareInterrupt(vector, EventKind::SoftwareInt);
}

// Bit n of the software interrupt redirection bitmap: the 32 bytes just
// below the I/O map base of the (32-bit) TSS. A set bit sends INT n to the
// protected-mode IDT. Where the SDM is silent we treat the bitmap like the
// I/O bitmap: a 16-bit TSS, a TSS shorter than 104 bytes, or a bitmap byte
// beyond the TSS limit (including an I/O map base below 32) is #GP(0).
bool Cpu::redirectionBitSet(uint8_t vector) {
  uint8_t type = state.tr.attr & segattr::TYPE;
  bool tss32 = type == sysdesc::TSS32_AVAIL || type == sysdesc::TSS32_BUSY;
  if (!tss32 || state.tr.limit < 103) raise(vec::GP, 0);
  uint32_t io_map = static_cast<uint32_t>(readLinear(state.tr.base + 102, 2, Access::ImplicitRead));
  uint32_t byte = io_map - 32 + vector / 8;  // wraps above any limit when io_map < 32
  if (byte > state.tr.limit) raise(vec::GP, 0);
  uint64_t bits = readLinear(state.tr.base + byte, 1, Access::ImplicitRead);
  return (bits >> (vector & 7)) & 1;
}

// Methods 5 and 6: an 8086-style interrupt inside virtual-8086 mode, through
// the 8086 program's vector table at linear 0 of its address space. The SDM
// does not say at which privilege the table is read; we read it like the
// IDT (an implicit supervisor access, through paging), as Bochs does. With
// IOPL < 3 the pushed FLAGS carry VIF in the IF position and IOPL 3, and
// VIF (not IF) is cleared (SDM "INT n"). The frame is pushed at CPL 3.
void Cpu::deliverThroughV86Ivt(uint8_t vector) {
  uint32_t target =
      static_cast<uint32_t>(readLinear(static_cast<uint64_t>(vector) * 4, 4, Access::ImplicitRead));
  bool virtual_if = iopl(*this) < 3;
  uint16_t image = virtual_if ? virtualFlagsImage(state.rflags) : static_cast<uint16_t>(state.rflags);
  // The frame is written below SP first and SP committed last, so a fault
  // (#SS at the segment wrap, #PF) leaves SP as it was.
  uint64_t sp = state.gpr[RSP] & 0xFFFF;
  uint64_t slot[3] = {(sp - 2) & 0xFFFF, (sp - 4) & 0xFFFF, (sp - 6) & 0xFFFF};
  for (uint64_t at : slot) checkSegmentAccess(SS, at, 2, Access::Write);
  writeMem(SS, slot[0], 2, image);
  writeMem(SS, slot[1], 2, state.seg[CS].selector);
  writeMem(SS, slot[2], 2, next_rip & 0xFFFF);
  setGpr(RSP, 2, slot[2]);
  state.rflags &= ~(flag::TF | flag::RF | (virtual_if ? flag::VIF : flag::IF));
  loadCodeSegmentReal(static_cast<uint16_t>(target >> 16), target & 0xFFFF);
  event_in_insn_ = true;  // like any INT n: no single-step trap after it
}

}  // namespace sv
