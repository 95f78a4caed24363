#include "devices/acpi/acpi_tables.h"

#include <cstring>
#include <string>

#include "devices/acpi/dsdt.h"

namespace sv {

namespace {

constexpr char kOemId[7] = "SFTVSR";
constexpr char kOemTableId[9] = "SVPC    ";
constexpr char kCreatorId[5] = "SVAM";

using Bytes = std::vector<uint8_t>;

void put(Bytes& b, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void putText(Bytes& b, size_t at, const char* text, size_t n) { std::memcpy(b.data() + at, text, n); }

// Generic Address Structure (5.2.3.2) for a system I/O register block.
void putIoGas(Bytes& b, size_t at, uint16_t port, unsigned bytes) {
  b[at] = 1;  // System I/O
  b[at + 1] = static_cast<uint8_t>(bytes * 8);  // register bit width
  b[at + 2] = 0;  // bit offset
  b[at + 3] = static_cast<uint8_t>(bytes == 4 ? 3 : bytes == 2 ? 2 : 1);  // access size: dword/word/byte
  put(b, at + 4, port, 8);
}

class Builder {
 public:
  AcpiTableSet set;

  Builder() {
    set.blobs.push_back({acpi_files::kRsdp, {}, 16, true});
    set.blobs.push_back({acpi_files::kTables, {}, 64, false});
  }
  Bytes& tables() { return set.blobs[1].data; }

  // Appends a table (the 36-byte header, 5.2.6, is filled here) and
  // returns its offset in the tables blob.
  uint32_t addTable(const char* signature, uint8_t revision, const Bytes& body) {
    Bytes& t = tables();
    const uint32_t at = static_cast<uint32_t>(t.size());
    Bytes table(36, 0);
    table.insert(table.end(), body.begin(), body.end());
    putText(table, 0, signature, 4);
    put(table, 4, table.size(), 4);
    table[8] = revision;
    putText(table, 10, kOemId, 6);
    putText(table, 16, kOemTableId, 8);
    put(table, 24, 1, 4);  // OEM revision
    putText(table, 28, kCreatorId, 4);
    put(table, 32, 1, 4);  // creator revision
    t.insert(t.end(), table.begin(), table.end());
    set.checksums.push_back({acpi_files::kTables, at + 9, at, static_cast<uint32_t>(table.size())});
    return at;
  }
  void pointer(const char* file, uint32_t offset, uint8_t size, const char* target) {
    set.pointers.push_back({file, offset, size, target});
  }
};

// FACS (5.2.10), version 2 layout, 64 bytes; placed first so it is
// 64-byte aligned.
void addFacs(Builder& b) {
  Bytes facs(64, 0);
  putText(facs, 0, "FACS", 4);
  put(facs, 4, 64, 4);
  facs[32] = 2;  // version
  b.tables().insert(b.tables().end(), facs.begin(), facs.end());
}

// FADT revision 3 (5.2.9, the ACPI 2.0 layout, 244 bytes).
uint32_t addFadt(Builder& b, const AcpiBoardDescription& board, uint32_t facs, uint32_t dsdt) {
  Bytes f(244 - 36, 0);
  auto at = [](size_t table_offset) { return table_offset - 36; };
  put(f, at(36), facs, 4);   // FIRMWARE_CTRL (linked)
  put(f, at(40), dsdt, 4);   // DSDT (linked)
  f[at(45)] = 0;             // Preferred_PM_Profile: unspecified
  put(f, at(46), board.sci_irq, 2);
  put(f, at(48), board.smi_command_port, 4);
  f[at(52)] = board.acpi_enable;
  f[at(53)] = board.acpi_disable;
  put(f, at(56), board.pm_base + acpi_pm::kPm1Status, 4);   // PM1a_EVT_BLK
  put(f, at(64), board.pm_base + acpi_pm::kPm1Control, 4);  // PM1a_CNT_BLK
  put(f, at(76), board.pm_base + acpi_pm::kPmTimer, 4);     // PM_TMR_BLK
  f[at(88)] = acpi_pm::kPm1EventLength;
  f[at(89)] = acpi_pm::kPm1ControlLength;
  f[at(91)] = acpi_pm::kPmTimerLength;
  put(f, at(96), 0x0FFF, 2);  // P_LVL2_LAT > 100: no C2
  put(f, at(98), 0x0FFF, 2);  // P_LVL3_LAT > 1000: no C3
  f[at(108)] = board.rtc_century_index;
  // IAPC_BOOT_ARCH (5.2.9.3): LEGACY_DEVICES | 8042.
  put(f, at(109), 0x0003, 2);
  // Flags (Table 5.10): WBINVD, PROC_C1, SLP_BUTTON (no fixed sleep
  // button; the power button is the fixed one), RESET_REG_SUP; TMR_VAL_EXT
  // clear: a 24-bit timer.
  put(f, at(112), (1u << 0) | (1u << 2) | (1u << 5) | (1u << 10), 4);
  putIoGas(f, at(116), board.reset_port, 1);
  f[at(128)] = board.reset_value;
  put(f, at(140), dsdt, 8);  // X_DSDT (linked); X_FIRMWARE_CTRL stays 0: FIRMWARE_CTRL is set
  putIoGas(f, at(148), board.pm_base + acpi_pm::kPm1Status, acpi_pm::kPm1EventLength);
  putIoGas(f, at(172), board.pm_base + acpi_pm::kPm1Control, acpi_pm::kPm1ControlLength);
  putIoGas(f, at(208), board.pm_base + acpi_pm::kPmTimer, acpi_pm::kPmTimerLength);
  const uint32_t fadt = b.addTable("FACP", 3, f);
  b.pointer(acpi_files::kTables, fadt + 36, 4, acpi_files::kTables);
  b.pointer(acpi_files::kTables, fadt + 40, 4, acpi_files::kTables);
  b.pointer(acpi_files::kTables, fadt + 140, 8, acpi_files::kTables);
  return fadt;
}

// MADT (5.2.12): the local APIC of CPU 0, the IOAPIC at GSI 0, ISA IRQ 0 on
// GSI 2 and the SCI as level/active high (5.2.12.5), NMI on LINT1.
uint32_t addMadt(Builder& b, const AcpiBoardDescription& board) {
  Bytes m(8, 0);
  put(m, 0, board.local_apic_base, 4);
  put(m, 4, 1, 4);  // PCAT_COMPAT: 8259s present
  auto entry = [&](std::initializer_list<uint8_t> bytes) { m.insert(m.end(), bytes); };
  entry({0, 8, 0, 0, 1, 0, 0, 0});  // Processor Local APIC: UID 0, APIC ID 0, enabled
  Bytes io{1, 12, board.ioapic_id, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  put(io, 4, board.ioapic_base, 4);  // GSI base stays 0
  m.insert(m.end(), io.begin(), io.end());
  entry({2, 10, 0, 0, 2, 0, 0, 0, 0x00, 0x00});  // ISO: ISA IRQ 0 -> GSI 2, conforming
  Bytes sci{2, 10, 0, board.sci_irq, 0, 0, 0, 0, 0x0D, 0x00};  // level (11b << 2) | active high (01b)
  put(sci, 4, board.sci_irq, 4);
  m.insert(m.end(), sci.begin(), sci.end());
  entry({4, 6, 0xFF, 0x00, 0x00, 1});  // Local APIC NMI: all processors, conforming, LINT1
  return b.addTable("APIC", 3, m);
}

// HPET Description Table (IA-PC HPET spec 1.0a, 3.2.4).
uint32_t addHpet(Builder& b, const AcpiBoardDescription& board) {
  Bytes h(20, 0);
  put(h, 0, board.hpet_event_timer_block_id, 4);
  h[4] = 0;   // System Memory
  h[5] = 64;  // register width
  put(h, 8, board.hpet_base, 8);
  h[16] = 0;                // HPET number
  put(h, 17, 0x0080, 2);    // minimum clock tick in periodic mode (QEMU's value)
  h[19] = 0;                // no page protection
  return b.addTable("HPET", 1, h);
}

}  // namespace

AcpiTableSet buildAcpiTables(const AcpiBoardDescription& board) {
  Builder b;
  addFacs(b);
  const uint32_t facs = 0;
  const uint32_t dsdt = b.addTable("DSDT", 2, buildDsdtBody(board));
  std::vector<uint32_t> listed{addFadt(b, board, facs, dsdt)};
  if (board.has_apic) listed.push_back(addMadt(b, board));
  if (board.has_hpet) listed.push_back(addHpet(b, board));

  Bytes rsdt_body(4 * listed.size(), 0), xsdt_body(8 * listed.size(), 0);
  for (size_t i = 0; i < listed.size(); ++i) put(rsdt_body, 4 * i, listed[i], 4), put(xsdt_body, 8 * i, listed[i], 8);
  const uint32_t rsdt = b.addTable("RSDT", 1, rsdt_body);
  for (size_t i = 0; i < listed.size(); ++i) b.pointer(acpi_files::kTables, rsdt + 36 + 4 * i, 4, acpi_files::kTables);
  const uint32_t xsdt = b.addTable("XSDT", 1, xsdt_body);
  for (size_t i = 0; i < listed.size(); ++i) b.pointer(acpi_files::kTables, xsdt + 36 + 8 * i, 8, acpi_files::kTables);

  // RSDP (5.2.5.3), revision 2: checksum over the first 20 bytes, extended
  // checksum over all 36.
  Bytes& r = b.set.blobs[0].data;
  r.assign(36, 0);
  putText(r, 0, "RSD PTR ", 8);
  putText(r, 9, kOemId, 6);
  r[15] = 2;
  put(r, 16, rsdt, 4);
  put(r, 20, 36, 4);
  put(r, 24, xsdt, 8);
  b.pointer(acpi_files::kRsdp, 16, 4, acpi_files::kTables);
  b.pointer(acpi_files::kRsdp, 24, 8, acpi_files::kTables);
  b.set.checksums.push_back({acpi_files::kRsdp, 8, 0, 20});
  b.set.checksums.push_back({acpi_files::kRsdp, 32, 0, 36});
  return std::move(b.set);
}

}  // namespace sv
