// The SCSI/MMC side of an ATAPI CD-ROM drive (SFF-8020i, MMC-3): it takes
// a 12-byte command packet and answers with data, a range of 2048-byte
// sectors to stream, or CHECK CONDITION with sense data. The ATA side (the
// PACKET protocol, DRQ blocks, DMA) is IdeDrive's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "devices/ide/disk_image.h"

namespace sv {

// Sense key, additional sense code and qualifier (SPC-3 4.5).
struct ScsiSense {
  uint8_t key = 0;
  uint8_t asc = 0;
  uint8_t ascq = 0;
};

namespace scsi {
constexpr uint8_t kNoSense = 0x0;
constexpr uint8_t kNotReady = 0x2;
constexpr uint8_t kMediumError = 0x3;
constexpr uint8_t kIllegalRequest = 0x5;
constexpr uint8_t kUnitAttention = 0x6;
}  // namespace scsi

class AtapiCdrom {
 public:
  // `medium` may be null: an empty drive.
  AtapiCdrom(std::unique_ptr<DiskImage> medium, std::string vendor, std::string product, std::string revision);

  struct Reply {
    bool good = true;           // false: CHECK CONDITION, sense() says why
    size_t length = 0;          // data-in bytes placed in the buffer
    uint64_t read_lba = 0;      // or: stream these sectors (readSectors)
    uint32_t read_blocks = 0;
    uint64_t bytes() const { return read_blocks ? uint64_t{read_blocks} * 2048 : length; }
  };
  // Runs one command packet; data replies go to `out` (at least 64 KiB).
  Reply execute(const uint8_t* cdb, std::span<uint8_t> out);
  // Reads `count` sectors for a streamed reply; false on an I/O error (the
  // sense then says MEDIUM ERROR).
  bool readSectors(uint64_t lba, uint32_t count, uint8_t* out);

  const ScsiSense& sense() const { return sense_; }

  // The tray: eject() takes the disc out (as a host-side eject or the guest's
  // START STOP UNIT), insert() puts a new one in; either reports UNIT
  // ATTENTION "medium may have changed" to the next command and a media
  // event to GET EVENT STATUS NOTIFICATION.
  void insert(std::unique_ptr<DiskImage> medium);
  void eject();
  bool hasMedium() const { return medium_ != nullptr && !tray_open_; }
  bool locked() const { return locked_; }

  // Back to power-on state except the disc (ATAPI DEVICE RESET keeps it).
  void reset();

 private:
  Reply fail(uint8_t key, uint8_t asc, uint8_t ascq = 0);
  Reply data(size_t produced, size_t allocation);
  uint64_t blocks() const;
  Reply requestSense(const uint8_t* cdb, std::span<uint8_t> out);
  Reply inquiry(const uint8_t* cdb, std::span<uint8_t> out);
  Reply readCapacity(std::span<uint8_t> out);
  Reply read(uint64_t lba, uint64_t count);
  Reply modeSense10(const uint8_t* cdb, std::span<uint8_t> out);
  Reply readToc(const uint8_t* cdb, std::span<uint8_t> out);
  Reply getConfiguration(const uint8_t* cdb, std::span<uint8_t> out);
  Reply getEventStatus(const uint8_t* cdb, std::span<uint8_t> out);
  Reply readDiscInformation(const uint8_t* cdb, std::span<uint8_t> out);
  Reply startStopUnit(const uint8_t* cdb);

  std::unique_ptr<DiskImage> medium_;
  std::unique_ptr<DiskImage> ejected_;  // the disc on the open tray
  std::string vendor_, product_, revision_;
  ScsiSense sense_;
  bool unit_attention_ = false;
  bool tray_open_ = false;
  bool locked_ = false;
  // Media event class (MMC-3 5.4.5.4): 0 none, 2 new media, 3 media removal.
  uint8_t media_event_ = 0;
};

}  // namespace sv
