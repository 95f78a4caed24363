// Where the APIC family sits on our "pc" board, and the identities it
// reports. One header so the board (vmm/machine.*), the MP table
// (vmm/mp_table.*) and the ACPI tables (MADT, HPET) agree on every number.
// The addresses and the HPET identity follow QEMU's "pc" machine, which
// unmodified firmware and kernels expect.
#pragma once

#include <cstdint>

namespace sv::apic_board {

// Local APIC of the one vCPU (SDM Vol. 3A, 11.4.1: default base 0xFEE00000).
constexpr uint64_t kLocalApicBase = 0xFEE00000;
constexpr uint64_t kLocalApicSize = 0x1000;
constexpr uint8_t kBspApicId = 0;

// The 82093AA I/O APIC. Its ID differs from every local APIC ID, as the MP
// spec (1.4, 4.3.3) requires of APIC IDs on one bus.
constexpr uint64_t kIoApicBase = 0xFEC00000;
constexpr uint64_t kIoApicSize = 0x1000;
constexpr uint8_t kIoApicId = 1;
constexpr uint8_t kIoApicVersion = 0x20;
constexpr unsigned kIoApicPins = 24;
constexpr uint32_t kIoApicGsiBase = 0;

// ISA IRQ n reaches IOAPIC pin n, except the PIT's IRQ0, which is wired to
// pin 2 (the PC's interrupt source override; the 8259 cascade has no pin).
constexpr unsigned kPitIoApicPin = 2;
constexpr unsigned isaIrqToIoApicPin(unsigned irq) { return irq == 0 ? kPitIoApicPin : irq; }
// PCI PIRQA-D reach pins 16-19, level-triggered, active low (as QEMU).
constexpr unsigned kPirqIoApicPinBase = 16;

// HPET (IA-PC HPET spec 1.0a): the event timer block, 3 comparators.
constexpr uint64_t kHpetBase = 0xFED00000;
constexpr uint64_t kHpetSize = 0x1000;  // 1 KiB of registers, the rest reads 0
constexpr unsigned kHpetTimers = 3;
constexpr uint32_t kHpetPeriodFs = 10'000'000;  // 100 MHz main counter
// General capabilities low dword = the ACPI HPET table's "event timer block
// ID": vendor 0x8086, LEG_RT_CAP, COUNT_SIZE_CAP (64-bit), 3 timers - 1,
// revision 1.
constexpr uint32_t kHpetBlockId = (0x8086u << 16) | (1u << 15) | (1u << 13) | ((kHpetTimers - 1) << 8) | 1u;
constexpr uint8_t kHpetNumber = 0;
constexpr uint16_t kHpetMinimumTick = 100;  // main counter ticks (1 us), the table's minimum clock tick
// Interrupt routing capability of each comparator (bit n: IOAPIC pin n):
// as QEMU, pins 2 (timer 0 only), 8 and the PCI pins 16-23.
constexpr uint32_t kHpetRouteCap = 0x00FF0104;

}  // namespace sv::apic_board
