// One floppy drive with a raw image in it: the medium's geometry, known
// from the image size (the five PC formats), the head position, the disk
// change line and write protection (a read-only image).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "devices/ide/disk_image.h"

namespace sv {

// Data rates as DSR/CCR bits 1:0 encode them (82077AA "Datarate Select").
enum class FloppyRate : uint8_t { k500 = 0, k300 = 1, k250 = 2, k1000 = 3 };

struct FloppyFormat {
  const char* name;
  uint8_t tracks, heads, sectors;  // 512-byte sectors
  uint8_t cmos_type;               // CMOS 0x10 drive type (SeaBIOS FloppyInfo)
  FloppyRate rate;                 // the rate the medium is written at
};

// The format of an image of `bytes` bytes (360K, 720K, 1.2M, 1.44M,
// 2.88M), or nullptr.
const FloppyFormat* floppyFormatForSize(uint64_t bytes);

class FloppyDrive {
 public:
  static constexpr unsigned kSectorSize = 512;

  // Opens the image (read-only when asked, or when the file is); throws
  // DiskImageError naming the file when it cannot be used or its size is
  // not one of the PC formats.
  FloppyDrive(const std::string& path, bool read_only);

  const FloppyFormat& format() const { return *format_; }
  bool writeProtected() const { return image_->readOnly(); }
  // Whether the medium can be read at the programmed rate (a 360K disk in
  // a 1.2M drive reads at 300 kb/s, in a 360K drive at 250).
  bool rateMatches(FloppyRate rate) const;

  uint8_t track() const { return track_; }
  // Moves the head. A step with a disk in clears the disk change line.
  void seek(uint8_t track);
  bool diskChanged() const { return disk_changed_; }

  // Whether sector (track, head, sector) exists on the medium.
  bool hasSector(unsigned track, unsigned head, unsigned sector) const;
  // 512 bytes; false on a host I/O error.
  bool readSector(unsigned track, unsigned head, unsigned sector, uint8_t* dst);
  bool writeSector(unsigned track, unsigned head, unsigned sector, const uint8_t* src);

 private:
  uint64_t offsetOf(unsigned track, unsigned head, unsigned sector) const;

  std::unique_ptr<DiskImage> image_;
  const FloppyFormat* format_;
  uint8_t track_ = 0;
  bool disk_changed_ = true;  // set at power-on / insertion until a step
};

}  // namespace sv
