#include "devices/acpi/acpi_table_set.h"

#include <stdexcept>

namespace sv {

namespace {
// QEMU hw/acpi/bios-linker-loader.c command layout: u32 command, then the
// command's fields; file names are 56 bytes, NUL-padded.
constexpr uint32_t kCommandAllocate = 1, kCommandAddPointer = 2, kCommandAddChecksum = 3;
constexpr uint8_t kZoneHigh = 1, kZoneFSeg = 2;
constexpr size_t kCommandSize = 128, kFileNameSize = 56;

struct CommandWriter {
  std::vector<uint8_t>& out;
  size_t at;
  void u8(uint8_t v) { out[at++] = v; }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void name(const std::string& file) {
    if (file.size() >= kFileNameSize) throw std::invalid_argument("fw_cfg file name '" + file + "' is too long");
    for (size_t i = 0; i < kFileNameSize; ++i) u8(i < file.size() ? static_cast<uint8_t>(file[i]) : 0);
  }
};
}  // namespace

AcpiBlob& AcpiTableSet::blob(const std::string& file) {
  for (AcpiBlob& b : blobs)
    if (b.file == file) return b;
  throw std::invalid_argument("no ACPI blob named '" + file + "'");
}

const AcpiBlob& AcpiTableSet::blob(const std::string& file) const { return const_cast<AcpiTableSet*>(this)->blob(file); }

void linkAcpiTables(AcpiTableSet& set, const std::vector<uint64_t>& addresses) {
  if (addresses.size() != set.blobs.size()) throw std::invalid_argument("one address per ACPI blob is needed");
  auto address_of = [&](const std::string& file) {
    for (size_t i = 0; i < set.blobs.size(); ++i)
      if (set.blobs[i].file == file) return addresses[i];
    throw std::invalid_argument("no ACPI blob named '" + file + "'");
  };
  for (const AcpiPointer& p : set.pointers) {
    std::vector<uint8_t>& d = set.blob(p.file).data;
    if (p.offset + p.size > d.size()) throw std::invalid_argument("ACPI pointer outside '" + p.file + "'");
    uint64_t v = 0;
    for (unsigned i = 0; i < p.size; ++i) v |= static_cast<uint64_t>(d[p.offset + i]) << (8 * i);
    v += address_of(p.target);
    if (p.size < 8 && v >> (8 * p.size)) throw std::invalid_argument("ACPI pointer in '" + p.file + "' does not fit its field");
    for (unsigned i = 0; i < p.size; ++i) d[p.offset + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  for (const AcpiChecksum& c : set.checksums) {
    std::vector<uint8_t>& d = set.blob(c.file).data;
    if (c.start + c.length > d.size() || c.offset >= d.size()) throw std::invalid_argument("ACPI checksum outside '" + c.file + "'");
    // The byte that makes the covered bytes sum to zero (as the loader's
    // ADD_CHECKSUM does: field -= sum).
    uint8_t sum = 0;
    for (uint32_t i = 0; i < c.length; ++i) sum = static_cast<uint8_t>(sum + d[c.start + i]);
    d[c.offset] = static_cast<uint8_t>(d[c.offset] - sum);
  }
}

std::vector<uint8_t> tableLoaderScript(const AcpiTableSet& set) {
  std::vector<uint8_t> out((set.blobs.size() + set.pointers.size() + set.checksums.size()) * kCommandSize, 0);
  size_t n = 0;
  for (const AcpiBlob& b : set.blobs) {
    CommandWriter w{out, n++ * kCommandSize};
    w.u32(kCommandAllocate);
    w.name(b.file);
    w.u32(b.alignment);
    w.u8(b.low_memory ? kZoneFSeg : kZoneHigh);
  }
  for (const AcpiPointer& p : set.pointers) {
    CommandWriter w{out, n++ * kCommandSize};
    w.u32(kCommandAddPointer);
    w.name(p.file);
    w.name(p.target);
    w.u32(p.offset);
    w.u8(p.size);
  }
  for (const AcpiChecksum& c : set.checksums) {
    CommandWriter w{out, n++ * kCommandSize};
    w.u32(kCommandAddChecksum);
    w.name(c.file);
    w.u32(c.offset);
    w.u32(c.start);
    w.u32(c.length);
  }
  return out;
}

}  // namespace sv
