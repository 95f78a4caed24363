// What the ACPI tables describe: the board's fixed facts, in one struct, so
// the table builder needs no Machine and tests can build tables for any
// board. Interrupt controllers and the HPET appear only when the board has
// them (MADT, HPET table, the HPET device in the DSDT).
#pragma once

#include <cstdint>

#include "devices/acpi/acpi_pm_registers.h"
#include "devices/acpi/piix4_pm.h"

namespace sv {

struct AcpiBoardDescription {
  // PIIX4 power management (FADT).
  uint16_t pm_base = piix4_pm::kDefaultPmBase;
  uint8_t sci_irq = piix4_pm::kSciIrq;
  uint16_t smi_command_port = piix4_pm::kApmControlPort;
  uint8_t acpi_enable = piix4_pm::kAcpiEnable;
  uint8_t acpi_disable = piix4_pm::kAcpiDisable;
  uint8_t s5_sleep_type = acpi_pm::kSleepTypeSoftOff;
  // FADT RESET_REG: the PIIX3 reset control register, "hard reset".
  uint16_t reset_port = 0xCF9;
  uint8_t reset_value = 0x06;
  uint8_t rtc_century_index = 0x32;  // CMOS byte holding the century
  // PCI bus 0 windows: memory from the hole's start to just below the IOAPIC.
  uint32_t pci_hole_start = 0xC0000000;
  uint32_t pci_hole_end = 0xFEBFFFFF;  // inclusive
  uint16_t com1_base = 0x3F8;
  uint8_t com1_irq = 4;
  // Local APIC + IOAPIC (MADT) and the HPET (HPET table, PNP0103).
  bool has_apic = false;
  uint32_t local_apic_base = 0xFEE00000;
  uint32_t ioapic_base = 0xFEC00000;
  uint8_t ioapic_id = 0;
  bool has_hpet = false;
  uint32_t hpet_base = 0xFED00000;
  // HPET General Capabilities bits 31:0 (vendor 8086, legacy-route
  // capable, 64-bit counter, 3 timers, revision 1), as the HPET table wants.
  uint32_t hpet_event_timer_block_id = 0x8086A201;
};

}  // namespace sv
