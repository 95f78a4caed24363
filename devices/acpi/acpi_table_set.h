// A set of ACPI tables before it is placed in guest memory: the blobs, the
// pointers between them (stored as offsets into their target blob, to which
// the blob's final address is added) and the checksums to compute last.
// This is the model of QEMU's fw_cfg linker/loader ("etc/table-loader",
// docs/specs/fw_cfg and SeaBIOS src/fw/romfile_loader.c), so the same set
// is either linked here at known addresses (direct boot) or handed to the
// firmware as loader commands (SeaBIOS).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sv {

struct AcpiBlob {
  std::string file;  // fw_cfg file name
  std::vector<uint8_t> data;
  uint32_t alignment;
  bool low_memory;  // the F-segment (the RSDP, which must be below 1 MiB)
};

struct AcpiPointer {
  std::string file;    // the blob holding the pointer field
  uint32_t offset;     // of the field
  uint8_t size;        // 1, 2, 4 or 8 bytes
  std::string target;  // the blob whose address is added
};

struct AcpiChecksum {
  std::string file;
  uint32_t offset;  // of the checksum byte
  uint32_t start;   // the bytes it covers
  uint32_t length;
};

struct AcpiTableSet {
  std::vector<AcpiBlob> blobs;
  std::vector<AcpiPointer> pointers;
  std::vector<AcpiChecksum> checksums;  // applied after every pointer

  AcpiBlob& blob(const std::string& file);
  const AcpiBlob& blob(const std::string& file) const;
};

// Places the set: adds each blob's address (addresses[i] for blobs[i]) to
// the pointers and fills in the checksums. Throws std::invalid_argument on a
// pointer that does not fit its field.
void linkAcpiTables(AcpiTableSet& set, const std::vector<uint64_t>& addresses);

// The "etc/table-loader" file: ALLOCATE every blob, then ADD_POINTER, then
// ADD_CHECKSUM commands, 128 bytes each.
std::vector<uint8_t> tableLoaderScript(const AcpiTableSet& set);

}  // namespace sv
