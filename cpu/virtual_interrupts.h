// Virtual interrupt support: CR4.VME (virtual-8086 mode extensions) and
// CR4.PVI (protected-mode virtual interrupts), Intel SDM Vol. 3B 20.3-20.4.
//
// With them, a task whose IOPL is below its CPL (3) may run CLI/STI (and in
// virtual-8086 mode the 16-bit PUSHF/POPF/IRET) without trapping to its
// monitor: they act on the virtual interrupt flag VIF, never on IF. VIP,
// set only by the monitor, makes the enabling forms trap instead. Hardware
// interrupts and exceptions are not affected. INT n in virtual-8086 mode is
// handled in Cpu::interruptInstruction (the redirection bitmap).
#pragma once

#include <cstdint>

namespace sv {

class Cpu;

// Which flag an interrupt-flag instruction acts on, or #GP(0).
enum class InterruptFlagTarget : uint8_t { If, Vif, Fault };

// CLI/STI (SDM Vol. 2, Tables 3-7/4-x "Decision Table for CLI/STI Results"):
// IF when CPL <= IOPL (and in real mode); VIF in virtual-8086 mode with
// CR4.VME or at CPL 3 in protected mode with CR4.PVI; #GP(0) otherwise.
InterruptFlagTarget cliStiTarget(const Cpu& cpu);

// PUSHF/POPF/IRET in virtual-8086 mode (SDM 20.3.2 and the instruction
// pages): IF at IOPL 3; VIF for the 16-bit forms with CR4.VME; else #GP(0)
// (the 32-bit forms always trap when IOPL < 3).
InterruptFlagTarget v86FlagsTarget(const Cpu& cpu, unsigned opsize);

// The FLAGS image a VIF-mode PUSHF (or a redirected INT n) pushes: VIF in
// the IF position and IOPL read as 3.
uint16_t virtualFlagsImage(uint64_t rflags);

// A FLAGS image popped by a VIF-mode POPF/IRET may not set TF, nor set IF
// while VIP is pending: #GP(0). Call before anything is committed.
void checkVirtualFlagsImage(Cpu& cpu, uint64_t image);

// Loads such an image: VIF from the IF position, FLAGS[15:0] except IF and
// IOPL from the image.
void loadVirtualFlagsImage(Cpu& cpu, uint64_t image);

}  // namespace sv
