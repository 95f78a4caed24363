// The 82077AA's commands (datasheet section 5, "Command Set
// Descriptions"); the data transfers are in floppy_transfer.cpp.
#include "devices/fdc/floppy_controller.h"
#include "devices/fdc/floppy_status.h"

namespace sv {

using namespace fdc;

unsigned FloppyController::commandLength(uint8_t c) {
  if ((c & 0x1F) == 0x06) return 9;  // READ DATA (MT MFM SK)
  if ((c & 0x3F) == 0x05) return 9;  // WRITE DATA (MT MFM)
  if ((c & 0xBF) == 0x0A) return 2;  // READ ID (MFM)
  if ((c & 0xBF) == 0x0D) return 6;  // FORMAT TRACK (MFM)
  if ((c & 0xBF) == 0x8F) return 3;  // RELATIVE SEEK (DIR)
  if ((c & 0x7F) == 0x14) return 1;  // LOCK
  switch (c) {
    case 0x03: return 3;  // SPECIFY
    case 0x04: return 2;  // SENSE DRIVE STATUS
    case 0x07: return 2;  // RECALIBRATE
    case 0x08: return 1;  // SENSE INTERRUPT STATUS
    case 0x0E: return 1;  // DUMPREG
    case 0x0F: return 3;  // SEEK
    case 0x10: return 1;  // VERSION
    case 0x12: return 2;  // PERPENDICULAR MODE
    case 0x13: return 4;  // CONFIGURE
    default: return 1;    // invalid: answered with ST0 = 80h
  }
}

void FloppyController::finish(std::initializer_list<uint8_t> result, bool interrupt) {
  result_.assign(result);
  result_pos_ = 0;
  result_clears_int_ = interrupt && !result_.empty();
  phase_ = result_.empty() ? Phase::Command : Phase::Result;
  if (interrupt) setInt(true);
}

void FloppyController::execute() {
  params_ = std::move(command_);
  command_.clear();
  const std::vector<uint8_t>& p = params_;
  const uint8_t c = p[0];
  const unsigned ds = p.size() > 1 ? p[1] & 3u : 0u;
  const unsigned head = p.size() > 1 ? (p[1] >> 2) & 1u : 0u;
  if ((c & 0x1F) == 0x06) return startTransfer(Op::Read);
  if ((c & 0x3F) == 0x05) return startTransfer(Op::Write);
  if ((c & 0xBF) == 0x0D) return startTransfer(Op::Format);
  if ((c & 0xBF) == 0x0A) return readId();
  if ((c & 0xBF) == 0x8F || c == 0x0F) {
    // SEEK to NCN, or RELATIVE SEEK by RCN outward (DIR 0) or inward
    // (DIR 1), staying within 0-255. No step is verified: a seek succeeds
    // with or without a drive (82077AA datasheet, "Seek").
    int target = p[2];
    if (c != 0x0F) target = (c & 0x40) ? pcn_[ds] + p[2] : pcn_[ds] - p[2];
    pcn_[ds] = static_cast<uint8_t>(target < 0 ? 0 : target > 255 ? 255 : target);
    if (FloppyDrive* d = drive(ds)) d->seek(pcn_[ds]);
    return seekDone(static_cast<uint8_t>(kSt0SeekEnd | head << 2 | ds));
  }
  if ((c & 0x7F) == 0x14) {  // LOCK / UNLOCK
    lock_ = c & 0x80;
    return finish({static_cast<uint8_t>(lock_ ? 0x10 : 0x00)}, false);
  }
  switch (c) {
    case 0x03:  // SPECIFY: SRT/HUT, HLT/ND
      specify_[0] = p[1];
      specify_[1] = p[2];
      return finish({}, false);
    case 0x04: {  // SENSE DRIVE STATUS
      FloppyDrive* d = drive(ds);
      uint8_t st3 = static_cast<uint8_t>(kSt3Ready | head << 2 | ds);  // the 82077AA has no READY input: always ready
      if (d) st3 |= static_cast<uint8_t>(kSt3TwoSided | (pcn_[ds] == 0 ? kSt3Track0 : 0) | (d->writeProtected() ? kSt3WriteProtected : 0));
      return finish({st3}, false);
    }
    case 0x07: {  // RECALIBRATE: step out until TRK0, at most 79 steps
      FloppyDrive* d = drive(ds);
      if (!d) return seekDone(static_cast<uint8_t>(kSt0Abnormal | kSt0SeekEnd | kSt0EquipmentCheck | ds));
      pcn_[ds] = 0;
      d->seek(0);
      return seekDone(static_cast<uint8_t>(kSt0SeekEnd | ds));
    }
    case 0x08: return senseInterrupt();
    case 0x0E:  // DUMPREG
      return finish({pcn_[0], pcn_[1], pcn_[2], pcn_[3], specify_[0], specify_[1], last_eot_,
                     static_cast<uint8_t>((lock_ ? 0x80 : 0) | (perpendicular_ & 0x3F)), config_, pretrk_},
                    false);
    case 0x10: return finish({0x90}, false);  // VERSION: 82077AA
    case 0x12:  // PERPENDICULAR MODE: OW set updates D3-D0; GAP, WGATE always
      perpendicular_ = (p[1] & 0x80) ? static_cast<uint8_t>(p[1] & 0x3F)
                                     : static_cast<uint8_t>((perpendicular_ & 0x3C) | (p[1] & 0x03));
      return finish({}, false);
    case 0x13:  // CONFIGURE: 0, EIS EFIFO POLL FIFOTHR, PRETRK
      config_ = p[2] & 0x7F;
      pretrk_ = p[3];
      return finish({}, false);
    default: return finish({kSt0Invalid}, false);
  }
}

void FloppyController::seekDone(uint8_t st0) {
  // SEEK and RECALIBRATE have no result phase: their end raises INT and
  // SENSE INTERRUPT STATUS reads ST0 and PCN.
  seek_status_ = true;
  seek_st0_ = st0;
  finish({}, true);
}

void FloppyController::senseInterrupt() {
  if (reset_sense_ > 0) {
    // The polling answers after a reset: drives 0-3 in turn, "ready
    // changed" (ST0 11xxxxxx); the first one drops INT.
    const unsigned ds = 4 - reset_sense_--;
    setInt(false);
    return finish({static_cast<uint8_t>(kSt0Polling | ds), pcn_[ds]}, false);
  }
  if (!seek_status_) return finish({kSt0Invalid}, false);  // no interrupt to report
  seek_status_ = false;
  setInt(false);
  finish({seek_st0_, pcn_[seek_st0_ & 3]}, false);
}

void FloppyController::readId() {
  // The first ID field found on the current cylinder (we say sector 1);
  // no medium, or one written at another data rate, has none readable.
  const unsigned ds = params_[1] & 3u, head = (params_[1] >> 2) & 1u;
  FloppyDrive* d = drive(ds);
  const uint8_t st0 = static_cast<uint8_t>(head << 2 | ds);
  if (!d || !d->rateMatches(rate_) || !d->hasSector(pcn_[ds], head, 1))
    return finish({static_cast<uint8_t>(kSt0Abnormal | st0), kSt1MissingAddressMark, 0, pcn_[ds],
                   static_cast<uint8_t>(head), 1, kSizeCode512},
                  true);
  finish({st0, 0, 0, pcn_[ds], static_cast<uint8_t>(head), 1, kSizeCode512}, true);
}

}  // namespace sv
