#include "devices/ide/ide_drive.h"

#include <algorithm>

#include "devices/ide/ata_defs.h"

namespace sv {

using namespace ata;

namespace {
constexpr unsigned kMaxMultiple = 16;  // IDENTIFY word 47
}  // namespace

IdeDrive::IdeDrive(DriveStrings strings, bool master, InterruptRequest interrupt)
    : interrupt_(std::move(interrupt)), strings_(std::move(strings)), master_(master), buf_(kBufferBytes + 16) {}

IdeDrive::IdeDrive(std::unique_ptr<DiskImage> image, DriveStrings strings, bool master, InterruptRequest interrupt)
    : IdeDrive(std::move(strings), master, std::move(interrupt)) {
  disk_ = std::move(image);
  total_sectors_ = disk_->sizeBytes() / kSectorSize;
  default_chs_ = defaultGeometry(total_sectors_);
  hardwareReset();
}

IdeDrive::IdeDrive(std::unique_ptr<AtapiCdrom> cdrom, DriveStrings strings, bool master, InterruptRequest interrupt)
    : IdeDrive(std::move(strings), master, std::move(interrupt)) {
  cdrom_ = std::move(cdrom);
  hardwareReset();
}

void IdeDrive::hardwareReset() {
  current_chs_ = default_chs_;
  modes_ = TransferModes{};
  multiple_ = 0;
  write_cache_ = look_ahead_ = true;
  standby_ = false;
  if (cdrom_) cdrom_->reset();
  softwareReset();
}

void IdeDrive::softwareReset() {
  phase_ = Phase::Idle;
  pos_ = end_ = 0;
  interrupt_pending_ = false;
  setSignature();
  tf.device = 0;
  error_ = 0x01;  // diagnostic code: no error detected
  // A packet device clears DRDY until IDENTIFY PACKET DEVICE (ATA-6 9.12).
  status_ = isPacketDevice() ? 0 : kStatusDrdy | kStatusDsc;
}

void IdeDrive::holdInReset() {
  phase_ = Phase::Idle;
  interrupt_pending_ = false;
  status_ = kStatusBsy;
}

void IdeDrive::diagnose() {
  softwareReset();
  if (master_) raiseInterrupt();  // device 0 reports for both (ATA-6 9.11)
}

// The signature (ATA-6 9.12): count 1, LBA low 1, LBA mid/high 00h/00h
// for ATA devices and 14h/EBh for packet devices.
void IdeDrive::setSignature() {
  const uint8_t device = tf.device;
  tf = TaskFile{};
  tf.device = device;
  tf.count = 1;
  tf.lba_low = 1;
  tf.lba_mid = isPacketDevice() ? 0x14 : 0x00;
  tf.lba_high = isPacketDevice() ? 0xEB : 0x00;
}

void IdeDrive::raiseInterrupt() {
  interrupt_pending_ = true;
  if (interrupt_) interrupt_();
}

// Bit 4 is DSC for ATA devices and SERV (no service request) for packet ones.
uint8_t IdeDrive::readyStatus() const { return isPacketDevice() ? kStatusDrdy : kStatusDrdy | kStatusDsc; }

void IdeDrive::complete() {
  phase_ = Phase::Idle;
  status_ = readyStatus();
  raiseInterrupt();
}

void IdeDrive::fail(uint8_t error_bits) {
  phase_ = Phase::Idle;
  error_ = error_bits;
  status_ = kStatusDrdy | kStatusErr;
  raiseInterrupt();
}

void IdeDrive::command(uint8_t code) {
  interrupt_pending_ = false;
  if (isPacketDevice()) return packetCommand(code);
  error_ = 0;
  diskCommand(code);
}

bool IdeDrive::wantsDma() const {
  return phase_ == Phase::DmaIn || phase_ == Phase::DmaOut || phase_ == Phase::PacketDma;
}

uint32_t IdeDrive::readData(unsigned size) {
  if (phase_ != Phase::PioIn && phase_ != Phase::PacketPioIn) return 0;
  uint32_t v = 0;
  for (unsigned i = 0; i < size && pos_ < end_; ++i) v |= uint32_t{buf_[pos_++]} << (8 * i);
  if (pos_ == end_) {
    if (phase_ == Phase::PioIn) pioBlockDone();
    else nextPacketDrq();
  }
  return v;
}

void IdeDrive::writeData(unsigned size, uint32_t value) {
  if (phase_ != Phase::PioOut && phase_ != Phase::PacketCdb) return;
  for (unsigned i = 0; i < size && pos_ < end_; ++i) buf_[pos_++] = static_cast<uint8_t>(value >> (8 * i));
  if (pos_ != end_) return;
  if (phase_ == Phase::PioOut) pioBlockDone();
  else executePacket();
}

// --- ATA commands -----------------------------------------------------------

void IdeDrive::diskCommand(uint8_t code) {
  using namespace cmd;
  const bool ext = code == kReadSectorsExt || code == kReadDmaExt || code == kReadMultipleExt ||
                   code == kWriteSectorsExt || code == kWriteDmaExt || code == kWriteMultipleExt || code == kReadVerifyExt;
  lba48_ = ext;
  switch (code) {
    case kIdentifyDevice: {
      DiskIdentity d{strings_, total_sectors_, default_chs_, current_chs_, kMaxMultiple, multiple_, modes_,
                     write_cache_, look_ahead_, master_};
      return identify(identifyDevice(d));
    }
    case kReadSectors: case kReadSectorsNoRetry: case kReadSectorsExt:
    case kReadMultiple: case kReadMultipleExt: {
      const bool multiple = code == kReadMultiple || code == kReadMultipleExt;
      if (multiple && multiple_ == 0) return fail(kErrorAbrt);
      if (auto e = extent(ext)) startPioIn(*e, multiple ? multiple_ : 1);
      return;
    }
    case kWriteSectors: case kWriteSectorsNoRetry: case kWriteSectorsExt:
    case kWriteMultiple: case kWriteMultipleExt: {
      const bool multiple = code == kWriteMultiple || code == kWriteMultipleExt;
      if (multiple && multiple_ == 0) return fail(kErrorAbrt);
      if (disk_->readOnly()) return fail(kErrorAbrt);
      if (auto e = extent(ext)) startPioOut(*e, multiple ? multiple_ : 1);
      return;
    }
    case kReadDma: case kReadDmaNoRetry: case kReadDmaExt:
    case kWriteDma: case kWriteDmaNoRetry: case kWriteDmaExt: {
      const bool write = code == kWriteDma || code == kWriteDmaNoRetry || code == kWriteDmaExt;
      if (write && disk_->readOnly()) return fail(kErrorAbrt);
      auto e = extent(ext);
      if (!e) return;
      lba_ = e->lba, remaining_ = e->count;
      phase_ = write ? Phase::DmaOut : Phase::DmaIn;
      status_ = kStatusDrdy | kStatusDsc | kStatusDrq;  // DMARQ asserted
      return;
    }
    case kReadVerify: case kReadVerifyNoRetry: case kReadVerifyExt: {
      auto e = extent(ext);
      if (!e) return;
      // The medium is always readable; the registers end at the last sector.
      setPosition(e->lba + e->count - 1);
      return complete();
    }
    case kFlushCache: case kFlushCacheExt:
      if (!disk_->flush()) return fail(kErrorAbrt);
      return complete();
    case kSetFeatures: return setFeatures();
    case kSetMultipleMode: return setMultipleMode();
    case kInitializeDeviceParameters: return initializeDeviceParameters();
    case kStandby: case kStandbyImmediate:
      standby_ = true;
      return complete();
    case kIdle: case kIdleImmediate:
      standby_ = false;
      return complete();
    case kCheckPowerMode:
      tf.count = standby_ ? 0x00 : 0xFF;  // 00h standby, FFh active or idle (8.6)
      return complete();
    default:
      if ((code & 0xF0) == kRecalibrate) {  // obsolete; returns to cylinder 0
        return complete();
      }
      if ((code & 0xF0) == kSeek) {
        if (auto e = extent(false)) setPosition(e->lba), complete();
        return;
      }
      return fail(kErrorAbrt);  // not implemented: ATA-6 6.2, ABRT
  }
}

std::optional<IdeDrive::Extent> IdeDrive::extent(bool lba48) {
  uint64_t lba;
  uint32_t count;
  if (lba48) {
    lba = uint64_t{tf.hob_lba_high} << 40 | uint64_t{tf.hob_lba_mid} << 32 | uint64_t{tf.hob_lba_low} << 24 |
          uint64_t{tf.lba_high} << 16 | uint64_t{tf.lba_mid} << 8 | tf.lba_low;
    count = uint32_t{tf.hob_count} << 8 | tf.count;
    if (count == 0) count = 65536;
  } else {
    count = tf.count ? tf.count : 256;
    if (tf.device & kDeviceLba) {
      lba = uint64_t{tf.device & 0x0Fu} << 24 | uint64_t{tf.lba_high} << 16 | uint64_t{tf.lba_mid} << 8 | tf.lba_low;
    } else {
      // CHS through the current translation (INITIALIZE DEVICE PARAMETERS).
      const uint32_t cyl = uint32_t{tf.lba_high} << 8 | tf.lba_mid, head = tf.device & 0x0Fu, sector = tf.lba_low;
      const ChsGeometry& g = current_chs_;
      if (g.heads == 0 || sector == 0 || sector > g.sectors || head >= g.heads || cyl >= g.cylinders) {
        fail(kErrorIdnf);
        return std::nullopt;
      }
      lba = (uint64_t{cyl} * g.heads + head) * g.sectors + sector - 1;
    }
  }
  if (lba >= total_sectors_ || count > total_sectors_ - lba) {
    fail(kErrorIdnf);  // ATA-6 8.27.6: an address outside the user-accessible range
    return std::nullopt;
  }
  standby_ = false;  // media access spins the disk up
  return Extent{lba, count};
}

// The address registers name the last sector transferred, or the failing
// one after an error, in the addressing the command used.
void IdeDrive::setPosition(uint64_t lba) {
  if (lba48_) {
    tf.lba_low = static_cast<uint8_t>(lba), tf.lba_mid = static_cast<uint8_t>(lba >> 8);
    tf.lba_high = static_cast<uint8_t>(lba >> 16), tf.hob_lba_low = static_cast<uint8_t>(lba >> 24);
    tf.hob_lba_mid = static_cast<uint8_t>(lba >> 32), tf.hob_lba_high = static_cast<uint8_t>(lba >> 40);
  } else if (tf.device & kDeviceLba) {
    tf.lba_low = static_cast<uint8_t>(lba), tf.lba_mid = static_cast<uint8_t>(lba >> 8);
    tf.lba_high = static_cast<uint8_t>(lba >> 16);
    tf.device = static_cast<uint8_t>((tf.device & 0xF0) | ((lba >> 24) & 0x0F));
  } else if (current_chs_.heads && current_chs_.sectors) {
    const ChsGeometry& g = current_chs_;
    const uint64_t cyl = lba / (uint64_t{g.heads} * g.sectors);
    const uint64_t rest = lba % (uint64_t{g.heads} * g.sectors);
    tf.lba_mid = static_cast<uint8_t>(cyl), tf.lba_high = static_cast<uint8_t>(cyl >> 8);
    tf.device = static_cast<uint8_t>((tf.device & 0xF0) | (rest / g.sectors));
    tf.lba_low = static_cast<uint8_t>(rest % g.sectors + 1);
  }
}

void IdeDrive::identify(const IdentifyData& words) {
  for (unsigned i = 0; i < 256; ++i) buf_[2 * i] = static_cast<uint8_t>(words[i]), buf_[2 * i + 1] = static_cast<uint8_t>(words[i] >> 8);
  lba_ = 0, remaining_ = 1, block_sectors_ = 1;
  phase_ = Phase::PioIn;
  pos_ = 0, end_ = kSectorSize;
  status_ = readyStatus() | kStatusDrq;
  raiseInterrupt();
}

// PIO data-in (ATA-6 9.7): each DRQ block is announced by an interrupt;
// after the last one the device goes idle without another.
void IdeDrive::startPioIn(const Extent& e, unsigned block_sectors) {
  lba_ = e.lba, remaining_ = e.count, block_sectors_ = block_sectors;
  phase_ = Phase::PioIn;
  loadReadBlock();
}

void IdeDrive::loadReadBlock() {
  const unsigned n = std::min<uint32_t>(remaining_, block_sectors_);
  if (!disk_->read(lba_ * kSectorSize, buf_.data(), size_t{n} * kSectorSize)) {
    setPosition(lba_);
    return fail(kErrorUnc | kErrorAbrt);
  }
  pos_ = 0, end_ = size_t{n} * kSectorSize;
  status_ = kStatusDrdy | kStatusDsc | kStatusDrq;
  raiseInterrupt();
}

// PIO data-out (ATA-6 9.8): the first block is asked for without an
// interrupt; every block written is acknowledged by one.
void IdeDrive::startPioOut(const Extent& e, unsigned block_sectors) {
  lba_ = e.lba, remaining_ = e.count, block_sectors_ = block_sectors;
  phase_ = Phase::PioOut;
  pos_ = 0, end_ = size_t{std::min<uint32_t>(remaining_, block_sectors_)} * kSectorSize;
  status_ = kStatusDrdy | kStatusDsc | kStatusDrq;
}

void IdeDrive::pioBlockDone() {
  const unsigned n = static_cast<unsigned>(end_ / kSectorSize);
  if (phase_ == Phase::PioOut && !disk_->write(lba_ * kSectorSize, buf_.data(), end_)) {
    setPosition(lba_);
    return fail(kErrorAbrt);
  }
  lba_ += n, remaining_ -= n;
  if (remaining_ == 0) {
    // Data-out ends with an interrupt; data-in ended with its last DRQ.
    const bool out = phase_ == Phase::PioOut;
    setPosition(lba_ - 1);
    phase_ = Phase::Idle;
    pos_ = end_ = 0;
    status_ = kStatusDrdy | kStatusDsc;
    if (out) raiseInterrupt();
    return;
  }
  if (phase_ == Phase::PioIn) return loadReadBlock();
  pos_ = 0, end_ = size_t{std::min<uint32_t>(remaining_, block_sectors_)} * kSectorSize;
  status_ = kStatusDrdy | kStatusDsc | kStatusDrq;
  raiseInterrupt();
}

IdeDrive::DmaResult IdeDrive::runDma(PrdCursor& prd) {
  if (phase_ == Phase::PacketDma) {
    while (packet_left_ > 0) {
      if (window_pos_ == window_end_ && !refillWindow()) return DmaResult::Done;
      const size_t n = window_end_ - window_pos_;
      const size_t moved = prd.toMemory(buf_.data() + window_pos_, n);
      window_pos_ += moved, packet_left_ -= moved;
      if (moved < n) return DmaResult::TableShort;
    }
    packetComplete();
    return DmaResult::Done;
  }
  const bool in = phase_ == Phase::DmaIn;
  while (remaining_ > 0) {
    const uint32_t n = std::min<uint32_t>(remaining_, kBufferBytes / kSectorSize);
    const size_t bytes = size_t{n} * kSectorSize;
    if (in) {
      if (!disk_->read(lba_ * kSectorSize, buf_.data(), bytes)) {
        setPosition(lba_);
        fail(kErrorUnc | kErrorAbrt);
        return DmaResult::Done;
      }
      if (prd.toMemory(buf_.data(), bytes) < bytes) return DmaResult::TableShort;
    } else {
      if (prd.fromMemory(buf_.data(), bytes) < bytes) return DmaResult::TableShort;
      if (!disk_->write(lba_ * kSectorSize, buf_.data(), bytes)) {
        setPosition(lba_);
        fail(kErrorAbrt);
        return DmaResult::Done;
      }
    }
    lba_ += n, remaining_ -= n;
  }
  setPosition(lba_ - 1);
  complete();
  return DmaResult::Done;
}

// SET FEATURES (8.37): transfer mode, write cache, read look-ahead.
void IdeDrive::setFeatures() {
  switch (tf.feature) {
    case 0x03: {
      const uint8_t mode = tf.count;
      if (!transferModeSupported(mode)) return fail(kErrorAbrt);
      if (mode < 0x20) modes_.pio = mode;
      else modes_.dma = mode;
      return complete();
    }
    case 0x02: case 0x82:
      if (isPacketDevice()) return fail(kErrorAbrt);
      write_cache_ = tf.feature == 0x02;
      return complete();
    case 0xAA: case 0x55:
      if (isPacketDevice()) return fail(kErrorAbrt);
      look_ahead_ = tf.feature == 0xAA;
      return complete();
    default: return fail(kErrorAbrt);
  }
}

// SET MULTIPLE MODE (8.39): a power of two up to IDENTIFY word 47, or 0
// to disable READ/WRITE MULTIPLE.
void IdeDrive::setMultipleMode() {
  const uint8_t n = tf.count;
  if (n > kMaxMultiple || (n & (n - 1)) != 0) return fail(kErrorAbrt);
  multiple_ = n;
  complete();
}

// INITIALIZE DEVICE PARAMETERS (8.16): the CHS translation for heads
// (device bits 3:0 + 1) and sectors per track (count).
void IdeDrive::initializeDeviceParameters() {
  const uint32_t heads = (tf.device & 0x0Fu) + 1, sectors = tf.count;
  if (sectors == 0) return fail(kErrorAbrt);
  current_chs_ = {static_cast<uint32_t>(std::min<uint64_t>(total_sectors_ / (heads * sectors), 65535)), heads, sectors};
  complete();
}

}  // namespace sv
