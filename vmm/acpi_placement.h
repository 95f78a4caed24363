// Where the board's ACPI tables go, for both boot paths:
// - firmware boot: fw_cfg files "etc/acpi/tables", "etc/acpi/rsdp" and the
//   "etc/table-loader" script, from which SeaBIOS allocates, links and
//   checksums them (QEMU's interface);
// - direct boot: linked here at fixed addresses in 0xE0000-0xEFFFF (RSDP
//   first, where Linux's scan of 0xE0000-0xFFFFF finds it; the tables
//   64-byte aligned after it), a range the e820 map reports reserved.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/acpi/acpi_table_set.h"
#include "devices/fw_cfg.h"

namespace sv {

void addAcpiFwCfgFiles(FwCfg& fw_cfg, const AcpiTableSet& tables);

struct PlacedAcpiTables {
  uint64_t rsdp_address;
  uint64_t tables_address;
  std::vector<uint8_t> image;  // bytes from rsdp_address on
};
// Links a copy of `tables` at kAcpiTablesStart; throws ConfigError when they
// do not fit the area.
PlacedAcpiTables placeAcpiTablesForDirectBoot(const AcpiTableSet& tables);

}  // namespace sv
