// The ACPI table set: layout, links, checksums, the board flags, the
// fw_cfg loader script and the direct-boot placement.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "devices/acpi/acpi_tables.h"
#include "vmm/acpi_placement.h"
#include "vmm/pc_memory_map.h"

using namespace sv;

namespace {
uint64_t le(const std::vector<uint8_t>& b, size_t at, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[at + i]) << (8 * i);
  return v;
}
uint8_t sum(const std::vector<uint8_t>& b, size_t at, size_t n) {
  uint8_t s = 0;
  for (size_t i = 0; i < n; ++i) s = static_cast<uint8_t>(s + b[at + i]);
  return s;
}
// The image's table at physical `addr`, checked for signature and checksum.
size_t tableAt(const PlacedAcpiTables& p, uint64_t addr, const char* sig) {
  REQUIRE(addr >= p.rsdp_address);
  const size_t at = addr - p.rsdp_address;
  REQUIRE(at + 36 <= p.image.size());
  CHECK(std::string(reinterpret_cast<const char*>(&p.image[at]), 4) == sig);
  const size_t len = le(p.image, at + 4, 4);
  REQUIRE(at + len <= p.image.size());
  if (std::string(sig) != "FACS") CHECK(sum(p.image, at, len) == 0);
  return at;
}
std::vector<std::string> listedTables(const PlacedAcpiTables& p, size_t rsdt) {
  std::vector<std::string> out;
  const size_t n = (le(p.image, rsdt + 4, 4) - 36) / 4;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = le(p.image, rsdt + 36 + 4 * i, 4) - p.rsdp_address;
    out.emplace_back(reinterpret_cast<const char*>(&p.image[at]), 4);
  }
  return out;
}
}  // namespace

TEST_CASE("direct-boot tables: RSDP at 0xE0000 links RSDT/XSDT -> FADT -> FACS/DSDT with valid checksums") {
  const PlacedAcpiTables p = placeAcpiTablesForDirectBoot(buildAcpiTables(AcpiBoardDescription{}));
  CHECK(p.rsdp_address == kAcpiTablesStart);
  CHECK(p.tables_address % 64 == 0);
  CHECK(std::memcmp(p.image.data(), "RSD PTR ", 8) == 0);
  CHECK(sum(p.image, 0, 20) == 0);
  CHECK(sum(p.image, 0, 36) == 0);
  CHECK(p.image[15] == 2);
  const size_t rsdt = tableAt(p, le(p.image, 16, 4), "RSDT");
  const size_t xsdt = tableAt(p, le(p.image, 24, 8), "XSDT");
  CHECK(listedTables(p, rsdt) == std::vector<std::string>{"FACP"});
  CHECK(le(p.image, xsdt + 36, 8) == le(p.image, rsdt + 36, 4));
  const size_t fadt = tableAt(p, le(p.image, rsdt + 36, 4), "FACP");
  CHECK(le(p.image, fadt + 4, 4) == 244);
  CHECK(p.image[fadt + 8] == 3);
  const uint64_t facs_addr = le(p.image, fadt + 36, 4);
  CHECK(facs_addr % 64 == 0);
  tableAt(p, facs_addr, "FACS");
  const size_t dsdt = tableAt(p, le(p.image, fadt + 40, 4), "DSDT");
  CHECK(le(p.image, fadt + 140, 8) == le(p.image, fadt + 40, 4));  // X_DSDT
  CHECK(p.image[dsdt + 8] == 2);  // 64-bit integers
  // The FADT's fixed hardware (ACPI 6.4 Table 5.9).
  CHECK(le(p.image, fadt + 46, 2) == 9);       // SCI_INT
  CHECK(le(p.image, fadt + 48, 4) == 0xB2);    // SMI_CMD
  CHECK(p.image[fadt + 52] == 0xF1);
  CHECK(p.image[fadt + 53] == 0xF0);
  CHECK(le(p.image, fadt + 56, 4) == 0x600);   // PM1a_EVT_BLK
  CHECK(le(p.image, fadt + 64, 4) == 0x604);   // PM1a_CNT_BLK
  CHECK(le(p.image, fadt + 76, 4) == 0x608);   // PM_TMR_BLK
  CHECK(p.image[fadt + 88] == 4);
  CHECK(p.image[fadt + 89] == 2);
  CHECK(p.image[fadt + 91] == 4);
  CHECK(p.image[fadt + 108] == 0x32);          // CENTURY
  CHECK(le(p.image, fadt + 109, 2) == 0x0003); // legacy devices + 8042
  CHECK((le(p.image, fadt + 112, 4) & (1u << 10)));  // RESET_REG_SUP
  CHECK(le(p.image, fadt + 116 + 4, 8) == 0xCF9);
  CHECK(p.image[fadt + 128] == 0x06);
  CHECK(le(p.image, fadt + 208 + 4, 8) == 0x608);  // X_PM_TMR_BLK
}

TEST_CASE("the DSDT declares \\_S5, PCI0, the link devices and the ISA devices") {
  const PlacedAcpiTables p = placeAcpiTablesForDirectBoot(buildAcpiTables(AcpiBoardDescription{}));
  const std::string image(p.image.begin(), p.image.end());
  // Name(\_S5, Package(4){0, 0, 0, 0})
  CHECK(image.find(std::string("\x08\x5C_S5_\x12\x06\x04\x00\x00\x00\x00", 12)) != std::string::npos);
  for (const char* eisa : {"\x41\xD0\x0A\x03", "\x41\xD0\x03\x03", "\x41\xD0\x0F\x13", "\x41\xD0\x05\x01",
                           "\x41\xD0\x0B\x00", "\x41\xD0\x01\x00", "\x41\xD0\x0C\x0F"})
    CHECK(image.find(std::string(eisa, 4)) != std::string::npos);
  CHECK(image.find(std::string("\x41\xD0\x00\x00", 4)) != std::string::npos);  // PNP0000
  // FDC0 (PNP0700) with IRQ 6 and DMA channel 2; the DMA controller (PNP0200).
  CHECK(image.find(std::string("\x41\xD0\x07\x00", 4)) != std::string::npos);
  CHECK(image.find(std::string("\x47\x01\xF0\x03\xF0\x03\x01\x06\x47\x01\xF7\x03\xF7\x03\x01\x01\x22\x40\x00\x2A\x04\x00", 22)) !=
        std::string::npos);
  CHECK(image.find(std::string("\x41\xD0\x02\x00", 4)) != std::string::npos);
  CHECK(image.find("LNKD") != std::string::npos);
  CHECK(image.find("_PRT") != std::string::npos);
  CHECK(image.find(std::string("\x41\xD0\x01\x03", 4)) == std::string::npos);  // no HPET (PNP0103)
}

TEST_CASE("MADT and HPET tables appear only when the board has those devices") {
  AcpiBoardDescription board;
  board.has_apic = board.has_hpet = true;
  const PlacedAcpiTables p = placeAcpiTablesForDirectBoot(buildAcpiTables(board));
  const size_t rsdt = tableAt(p, le(p.image, 16, 4), "RSDT");
  CHECK(listedTables(p, rsdt) == std::vector<std::string>{"FACP", "APIC", "HPET"});
  const size_t madt = tableAt(p, le(p.image, rsdt + 40, 4), "APIC");
  CHECK(le(p.image, madt + 36, 4) == 0xFEE00000);
  CHECK(le(p.image, madt + 40, 4) == 1);  // PCAT_COMPAT
  // Local APIC, IOAPIC, two overrides, LAPIC NMI.
  size_t at = madt + 44;
  const size_t end = madt + le(p.image, madt + 4, 4);
  std::vector<uint8_t> types;
  while (at < end) types.push_back(p.image[at]), at += p.image[at + 1];
  CHECK(at == end);
  CHECK(types == std::vector<uint8_t>{0, 1, 2, 2, 4});
  CHECK(le(p.image, madt + 44 + 8 + 4, 4) == 0xFEC00000);
  CHECK(le(p.image, madt + 44 + 20 + 4, 4) == 2);  // IRQ0 -> GSI 2
  CHECK(p.image[madt + 44 + 30 + 3] == 9);         // the SCI ...
  CHECK(le(p.image, madt + 44 + 30 + 8, 2) == 0x000D);  // ... level, active high
  const size_t hpet = tableAt(p, le(p.image, rsdt + 44, 4), "HPET");
  CHECK(le(p.image, hpet + 36, 4) == 0x8086A201);
  CHECK(le(p.image, hpet + 44, 8) == 0xFED00000);
  const std::string image(p.image.begin(), p.image.end());
  CHECK(image.find(std::string("\x41\xD0\x01\x03", 4)) != std::string::npos);  // PNP0103 in the DSDT
}

TEST_CASE("the table-loader script allocates, links and checksums in QEMU's command layout") {
  const AcpiTableSet set = buildAcpiTables(AcpiBoardDescription{});
  const std::vector<uint8_t> script = tableLoaderScript(set);
  REQUIRE(script.size() == 128 * (set.blobs.size() + set.pointers.size() + set.checksums.size()));
  // First command: ALLOCATE etc/acpi/rsdp, align 16, F-segment.
  CHECK(le(script, 0, 4) == 1);
  CHECK(std::string(reinterpret_cast<const char*>(&script[4])) == "etc/acpi/rsdp");
  CHECK(le(script, 60, 4) == 16);
  CHECK(script[64] == 2);
  CHECK(le(script, 128, 4) == 1);
  CHECK(script[128 + 64] == 1);  // tables in the high zone
  // Then the pointers: dest file, source file, offset, size.
  const size_t p0 = 128 * set.blobs.size();
  CHECK(le(script, p0, 4) == 2);
  CHECK(std::string(reinterpret_cast<const char*>(&script[p0 + 4])) == set.pointers[0].file);
  CHECK(std::string(reinterpret_cast<const char*>(&script[p0 + 60])) == set.pointers[0].target);
  CHECK(le(script, p0 + 116, 4) == set.pointers[0].offset);
  CHECK(script[p0 + 120] == set.pointers[0].size);
  const size_t c0 = p0 + 128 * set.pointers.size();
  CHECK(le(script, c0, 4) == 3);
  CHECK(le(script, c0 + 60, 4) == set.checksums[0].offset);
}

TEST_CASE("linking refuses pointers that do not fit their field") {
  AcpiTableSet set;
  set.blobs.push_back({"a", std::vector<uint8_t>(4, 0), 4, false});
  set.pointers.push_back({"a", 0, 1, "a"});
  CHECK_THROWS(linkAcpiTables(set, {0x100}));
}
