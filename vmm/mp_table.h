// The Intel MultiProcessor Specification 1.4 tables for the direct boot
// path (no firmware): an MP floating pointer structure and a configuration
// table describing our one CPU, the PCI and ISA buses, the I/O APIC, how
// every interrupt source reaches it, and the local APIC's LINT pins. With
// acpi=off, Linux finds the I/O APIC only here.
//
// A pure function of the board description, so it is tested without a
// Machine; the Machine adds the result to the boot plan.
#pragma once

#include <cstdint>
#include <vector>

#include "vmm/boot_plan.h"

namespace sv {

struct MpBoardDescription {
  uint8_t cpu_apic_id = 0;
  uint8_t cpu_apic_version = 0x14;
  uint32_t cpu_signature = 0;      // CPUID.1:EAX
  uint32_t cpu_features = 0;       // CPUID.1:EDX
  uint32_t local_apic_address = 0;
  uint8_t io_apic_id = 0;
  uint8_t io_apic_version = 0;
  uint32_t io_apic_address = 0;
  // PCI functions on bus 0 with an interrupt pin: device number and pin
  // (1 = INTA# ... 4 = INTD#, the config space's Interrupt Pin).
  struct PciInterrupt {
    uint8_t device;
    uint8_t pin;
  };
  std::vector<PciInterrupt> pci_interrupts;
};

// Where the tables go: the last KiB of base memory, one of the places
// Linux and other MP-aware systems scan (MP spec 4.0), reserved in our e820
// map (vmm/pc_memory_map.cpp).
constexpr uint64_t kMpTableAddress = 0x9FC00;
constexpr uint64_t kMpTableSpace = 0x400;

// The floating pointer followed by the configuration table, as one write
// at kMpTableAddress.
MemoryWrite buildMpTable(const MpBoardDescription& board);

}  // namespace sv
