// Builds the board's ACPI tables (ACPI 6.4 ch. 5.2) from its description:
// RSDP (revision 2), RSDT and XSDT, FADT (revision 3, the ACPI 2.0 layout
// with 64-bit X_ fields), FACS, DSDT, and the MADT and HPET table when the
// board has those devices. The result is an unplaced AcpiTableSet: blob
// "etc/acpi/tables" (64-byte aligned: the FACS comes first) and
// "etc/acpi/rsdp" (16-byte aligned, F-segment), the names QEMU's fw_cfg
// uses.
#pragma once

#include "devices/acpi/acpi_board.h"
#include "devices/acpi/acpi_table_set.h"

namespace sv {

namespace acpi_files {
inline constexpr const char* kTables = "etc/acpi/tables";
inline constexpr const char* kRsdp = "etc/acpi/rsdp";
inline constexpr const char* kTableLoader = "etc/table-loader";
}  // namespace acpi_files

AcpiTableSet buildAcpiTables(const AcpiBoardDescription& board);

}  // namespace sv
