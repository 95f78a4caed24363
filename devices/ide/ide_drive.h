// One ATA device on an IDE channel: a hard disk (raw image) or an ATAPI
// CD-ROM (ISO image, or empty). It keeps its copy of the command block
// registers, runs the ATA command protocols of ATA/ATAPI-6 (PIO data-in,
// PIO data-out, DMA, non-data, PACKET) and asks for INTRQ when the protocol
// does; IdeChannel owns the ports, the device control register, the
// INTRQ line and the bus-master engine.
//
// Commands complete at once (the image I/O is synchronous), so BSY is never
// seen set between commands; the guest sees DRQ and the interrupt exactly
// when the protocol has data for it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "devices/ide/ata_identify.h"
#include "devices/ide/atapi_cdrom.h"
#include "devices/ide/disk_image.h"
#include "devices/ide/prd_cursor.h"

namespace sv {

// The command block registers (ATA-6 7.1) with the "previous content" bytes
// that 48-bit commands read (HOB, 6.20).
struct TaskFile {
  uint8_t feature = 0, count = 0, lba_low = 0, lba_mid = 0, lba_high = 0, device = 0;
  uint8_t hob_feature = 0, hob_count = 0, hob_lba_low = 0, hob_lba_mid = 0, hob_lba_high = 0;
};

class IdeDrive {
 public:
  // `interrupt` runs when the drive asserts its interrupt request.
  using InterruptRequest = std::function<void()>;

  // A hard disk over `image` (sizes in 512-byte sectors).
  IdeDrive(std::unique_ptr<DiskImage> image, DriveStrings strings, bool master, InterruptRequest interrupt);
  // An ATAPI CD-ROM drive.
  IdeDrive(std::unique_ptr<AtapiCdrom> cdrom, DriveStrings strings, bool master, InterruptRequest interrupt);

  bool isPacketDevice() const { return cdrom_ != nullptr; }
  AtapiCdrom* cdrom() { return cdrom_.get(); }
  uint64_t totalSectors() const { return total_sectors_; }
  const ChsGeometry& defaultChs() const { return default_chs_; }

  TaskFile tf;
  uint8_t status() const { return status_; }
  uint8_t error() const { return error_; }
  bool interruptPending() const { return interrupt_pending_; }
  // Reading the status register or writing a command clears the request.
  void clearInterrupt() { interrupt_pending_ = false; }

  void command(uint8_t code);
  uint32_t readData(unsigned size);
  void writeData(unsigned size, uint32_t value);

  // Power-on/hardware reset (settings back to defaults) or the software
  // reset (SRST, DEVICE RESET) that keeps them: both leave the signature
  // (ATA-6 9.12) in the registers.
  void hardwareReset();
  void softwareReset();
  // SRST asserted: BSY until it is released.
  void holdInReset();
  // EXECUTE DEVICE DIAGNOSTIC (8.11): signature and "device 0 passed".
  void diagnose();

  // A DMA command is waiting for the bus master.
  bool wantsDma() const;
  enum class DmaResult : uint8_t { Done, TableShort };
  // Moves the command's data through the PRD table; TableShort when the
  // table ends before the data does (the transfer then stalls, as on
  // hardware, until the host resets).
  DmaResult runDma(PrdCursor& prd);

 private:
  // The data buffer: 256 disk sectors, 64 CD sectors, then the command
  // packet. One allocation per drive, at construction.
  static constexpr size_t kBufferBytes = 256 * 512;
  static constexpr size_t kPacketAt = kBufferBytes;
  enum class Phase : uint8_t { Idle, PioIn, PioOut, DmaIn, DmaOut, PacketCdb, PacketPioIn, PacketDma };

  IdeDrive(DriveStrings strings, bool master, InterruptRequest interrupt);
  void raiseInterrupt();
  uint8_t readyStatus() const;
  void complete();
  void fail(uint8_t error_bits);
  void setSignature();

  // ATA (non-packet) commands.
  void diskCommand(uint8_t code);
  // The LBA a command names (LBA28, CHS or LBA48) and its sector count, or
  // nothing with IDNF raised when it is not on the disk.
  struct Extent {
    uint64_t lba;
    uint32_t count;
  };
  std::optional<Extent> extent(bool lba48);
  void setPosition(uint64_t lba);
  void startPioIn(const Extent& e, unsigned block_sectors);
  void startPioOut(const Extent& e, unsigned block_sectors);
  void loadReadBlock();
  void pioBlockDone();
  void setFeatures();
  void setMultipleMode();
  void initializeDeviceParameters();
  void identify(const IdentifyData& words);

  // PACKET.
  void packetCommand(uint8_t code);
  void startPacket();
  void executePacket();
  void packetComplete();
  void packetError();
  bool refillWindow();
  void nextPacketDrq();

  InterruptRequest interrupt_;
  std::unique_ptr<DiskImage> disk_;
  std::unique_ptr<AtapiCdrom> cdrom_;
  DriveStrings strings_;
  bool master_;
  uint64_t total_sectors_ = 0;
  ChsGeometry default_chs_;
  ChsGeometry current_chs_;
  TransferModes modes_;
  uint8_t multiple_ = 0;
  bool write_cache_ = true;
  bool look_ahead_ = true;
  bool standby_ = false;

  uint8_t status_ = 0;
  uint8_t error_ = 0;
  bool interrupt_pending_ = false;

  // Data transfer: the DRQ block is buf_[pos_, end_).
  Phase phase_ = Phase::Idle;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t lba_ = 0;
  uint32_t remaining_ = 0;     // sectors left, the current block included
  unsigned block_sectors_ = 1; // sectors per DRQ block
  bool lba48_ = false;
  // PACKET: the reply's bytes not yet sent, the loaded part of it
  // buf_[window_pos_, window_end_), sectors still to load.
  uint64_t packet_left_ = 0;
  size_t window_pos_ = 0, window_end_ = 0;
  uint64_t stream_lba_ = 0;
  uint32_t stream_left_ = 0;
  uint32_t byte_limit_ = 0;
  bool packet_dma_ = false;
};

}  // namespace sv
