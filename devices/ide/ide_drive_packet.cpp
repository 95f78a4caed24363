// The PACKET side of IdeDrive (ATA/ATAPI-6 8.21 and 9.10/9.11, SFF-8020i
// 5.x): the 12-byte command packet, then data-in DRQ blocks of at most the
// host's byte count limit, each announced by an interrupt with the
// interrupt reason (IO/CoD) in the sector count register, or one DMA
// transfer; the completion interrupt carries the status.
#include <algorithm>

#include "devices/ide/ata_defs.h"
#include "devices/ide/ide_drive.h"

namespace sv {

using namespace ata;

namespace {
constexpr unsigned kPacketBytes = 12;
}  // namespace

// The commands of the PACKET feature set a packet device accepts (ATA-6
// 6.6); the rest are aborted.
void IdeDrive::packetCommand(uint8_t code) {
  using namespace cmd;
  error_ = 0;
  switch (code) {
    case kPacket: return startPacket();
    case kIdentifyPacketDevice: return identify(identifyPacketDevice(PacketIdentity{strings_, modes_, master_}));
    case kIdentifyDevice:
      // A packet device aborts it with its signature in the registers (8.15),
      // which is how hosts tell it apart.
      setSignature();
      return fail(kErrorAbrt);
    case kDeviceReset:
      // 8.10: the device resets and clears BSY; no interrupt.
      softwareReset();
      return;
    case kSetFeatures: return setFeatures();
    case kCheckPowerMode:
      tf.count = 0xFF;
      return complete();
    case kIdleImmediate: case kStandbyImmediate: return complete();
    default: return fail(kErrorAbrt);
  }
}

void IdeDrive::startPacket() {
  if (tf.feature & 0x02) return fail(kErrorAbrt);  // OVL: overlapped commands are not supported
  packet_dma_ = tf.feature & 0x01;
  byte_limit_ = uint32_t{tf.lba_high} << 8 | tf.lba_mid;
  phase_ = Phase::PacketCdb;
  pos_ = kPacketAt, end_ = kPacketAt + kPacketBytes;
  tf.count = kReasonCoD;  // host to device, command packet
  // DRQ within 3 ms and without an interrupt (IDENTIFY PACKET word 0 6:5 = 00b).
  status_ = readyStatus() | kStatusDrq;
}

void IdeDrive::executePacket() {
  phase_ = Phase::Idle;
  const AtapiCdrom::Reply r = cdrom_->execute(buf_.data() + kPacketAt, std::span<uint8_t>(buf_.data(), kBufferBytes));
  if (!r.good) return packetError();
  packet_left_ = r.bytes();
  if (packet_left_ == 0) return packetComplete();
  stream_lba_ = r.read_lba, stream_left_ = r.read_blocks;
  window_pos_ = 0, window_end_ = r.read_blocks ? 0 : r.length;
  if (packet_dma_) {
    phase_ = Phase::PacketDma;
    tf.count = kReasonIo;
    status_ = readyStatus() | kStatusDrq;
    return;
  }
  phase_ = Phase::PacketPioIn;
  nextPacketDrq();
}

// The next sectors of a READ reply into the buffer.
bool IdeDrive::refillWindow() {
  const uint32_t n = std::min<uint32_t>(stream_left_, kBufferBytes / kCdSectorSize);
  if (n == 0 || !cdrom_->readSectors(stream_lba_, n, buf_.data())) {
    packetError();
    return false;
  }
  stream_lba_ += n, stream_left_ -= n;
  window_pos_ = 0, window_end_ = size_t{n} * kCdSectorSize;
  return true;
}

// One data-in DRQ block: at most the byte count limit (made even; 0 is
// taken as the largest, as the host may not give it), its size in LBA
// mid/high (8.21.5).
void IdeDrive::nextPacketDrq() {
  if (packet_left_ == 0) return packetComplete();
  if (window_pos_ == window_end_ && !refillWindow()) return;
  uint32_t limit = byte_limit_ & ~1u;
  if (limit == 0) limit = 0xFFFE;
  const size_t chunk = std::min<uint64_t>({limit, window_end_ - window_pos_, packet_left_});
  pos_ = window_pos_, end_ = pos_ + chunk;
  window_pos_ += chunk, packet_left_ -= chunk;
  tf.lba_mid = static_cast<uint8_t>(chunk), tf.lba_high = static_cast<uint8_t>(chunk >> 8);
  tf.count = kReasonIo;
  status_ = readyStatus() | kStatusDrq;
  raiseInterrupt();
}

void IdeDrive::packetComplete() {
  phase_ = Phase::Idle;
  tf.count = kReasonIo | kReasonCoD;
  status_ = readyStatus();
  raiseInterrupt();
}

// CHECK CONDITION: ERR (CHK) with the sense key in the error register's
// upper nibble (SFF-8020i 7.1.6); the host fetches the rest with REQUEST
// SENSE.
void IdeDrive::packetError() {
  phase_ = Phase::Idle;
  error_ = static_cast<uint8_t>(cdrom_->sense().key << 4);
  tf.count = kReasonIo | kReasonCoD;
  status_ = readyStatus() | kStatusErr;
  raiseInterrupt();
}

}  // namespace sv
