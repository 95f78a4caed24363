#include "devices/fdc/floppy_drive.h"

namespace sv {

namespace {
// The formats QEMU and SeaBIOS know by CMOS type, 2 heads, 512-byte sectors.
constexpr FloppyFormat kFormats[] = {
    {"360K", 40, 2, 9, 1, FloppyRate::k250},
    {"1.2M", 80, 2, 15, 2, FloppyRate::k500},
    {"720K", 80, 2, 9, 3, FloppyRate::k250},
    {"1.44M", 80, 2, 18, 4, FloppyRate::k500},
    {"2.88M", 80, 2, 36, 5, FloppyRate::k1000},
};
// DiskImage's refusals, worded for a floppy.
std::unique_ptr<DiskImage> openImage(const std::string& path, bool read_only) {
  try {
    return std::make_unique<DiskImage>(path, read_only, FloppyDrive::kSectorSize);
  } catch (const DiskImageError& e) {
    std::string m = e.what();
    if (m.rfind("disk image", 0) == 0) m = "floppy image" + m.substr(10);
    throw DiskImageError(m);
  }
}
}  // namespace

const FloppyFormat* floppyFormatForSize(uint64_t bytes) {
  for (const FloppyFormat& f : kFormats)
    if (static_cast<uint64_t>(f.tracks) * f.heads * f.sectors * FloppyDrive::kSectorSize == bytes) return &f;
  return nullptr;
}

FloppyDrive::FloppyDrive(const std::string& path, bool read_only)
    : image_(openImage(path, read_only)), format_(floppyFormatForSize(image_->sizeBytes())) {
  if (!format_)
    throw DiskImageError("floppy image '" + path + "' has " + std::to_string(image_->sizeBytes()) +
                         " bytes, which is no floppy format (give 360K, 720K, 1.2M, 1.44M or 2.88M: 368640, 737280, "
                         "1228800, 1474560 or 2949120 bytes)");
}

bool FloppyDrive::rateMatches(FloppyRate rate) const {
  if (format_->cmos_type == 1) return rate == FloppyRate::k250 || rate == FloppyRate::k300;
  return rate == format_->rate;
}

void FloppyDrive::seek(uint8_t track) {
  if (track != track_) disk_changed_ = false;
  track_ = track;
}

bool FloppyDrive::hasSector(unsigned track, unsigned head, unsigned sector) const {
  return track < format_->tracks && head < format_->heads && sector >= 1 && sector <= format_->sectors;
}

uint64_t FloppyDrive::offsetOf(unsigned track, unsigned head, unsigned sector) const {
  return ((static_cast<uint64_t>(track) * format_->heads + head) * format_->sectors + (sector - 1)) * kSectorSize;
}

bool FloppyDrive::readSector(unsigned track, unsigned head, unsigned sector, uint8_t* dst) {
  return image_->read(offsetOf(track, head, sector), dst, kSectorSize);
}

bool FloppyDrive::writeSector(unsigned track, unsigned head, unsigned sector, const uint8_t* src) {
  return image_->write(offsetOf(track, head, sector), src, kSectorSize);
}

}  // namespace sv
