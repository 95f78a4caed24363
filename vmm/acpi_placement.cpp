#include "vmm/acpi_placement.h"

#include <string>

#include "devices/acpi/acpi_tables.h"
#include "vmm/machine_config.h"
#include "vmm/pc_memory_map.h"

namespace sv {

void addAcpiFwCfgFiles(FwCfg& fw_cfg, const AcpiTableSet& tables) {
  for (const AcpiBlob& b : tables.blobs) fw_cfg.addFile(b.file, b.data);
  fw_cfg.addFile(acpi_files::kTableLoader, tableLoaderScript(tables));
}

PlacedAcpiTables placeAcpiTablesForDirectBoot(const AcpiTableSet& tables) {
  AcpiTableSet linked = tables;
  const AcpiBlob& rsdp = linked.blob(acpi_files::kRsdp);
  const AcpiBlob& body = linked.blob(acpi_files::kTables);
  const uint64_t rsdp_at = kAcpiTablesStart;
  const uint64_t tables_at = (rsdp_at + rsdp.data.size() + body.alignment - 1) / body.alignment * body.alignment;
  const uint64_t end = tables_at + body.data.size();
  if (end > kAcpiTablesStart + kAcpiTablesSize)
    throw ConfigError("the ACPI tables (" + std::to_string(end - rsdp_at) + " bytes) do not fit the 64 KiB at 0xE0000");
  std::vector<uint64_t> addresses;
  for (const AcpiBlob& b : linked.blobs) addresses.push_back(b.file == acpi_files::kRsdp ? rsdp_at : tables_at);
  linkAcpiTables(linked, addresses);
  PlacedAcpiTables out{rsdp_at, tables_at, std::vector<uint8_t>(end - rsdp_at, 0)};
  const AcpiBlob& r = linked.blob(acpi_files::kRsdp);
  const AcpiBlob& t = linked.blob(acpi_files::kTables);
  std::copy(r.data.begin(), r.data.end(), out.image.begin());
  std::copy(t.data.begin(), t.data.end(), out.image.begin() + (tables_at - rsdp_at));
  return out;
}

}  // namespace sv
