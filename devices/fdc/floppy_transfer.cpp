// READ DATA, WRITE DATA and FORMAT TRACK: the execution phase through DMA
// channel 2 or, with SPECIFY's ND bit, through the FIFO (82077AA
// datasheet, "Execution Phase", "Read Data", "Write Data", "Format
// Track"). A DMA transfer ends at terminal count, normally; running
// past EOT (of side 1 with MT) without TC ends it with "end of cylinder",
// which is also how every non-DMA transfer ends, since only the 8237
// drives TC on a PC.
#include <cstring>

#include "devices/fdc/floppy_controller.h"
#include "devices/fdc/floppy_status.h"

namespace sv {

using namespace fdc;

void FloppyController::startTransfer(Op op) {
  const std::vector<uint8_t>& p = params_;
  Transfer& x = xfer_;
  x.op = op;
  x.drive = p[1] & 3u;
  x.head = (p[1] >> 2) & 1u;
  x.mt = (p[0] & 0x80) && op != Op::Format;
  x.dma = !(specify_[1] & 1);
  x.pos = x.len = 0;
  FloppyDrive* d = drive(x.drive);
  if (op == Op::Format) {
    // HDS/DS, N, SC, GPL, D: formats the current cylinder.
    x.c = pcn_[x.drive];
    x.h = static_cast<uint8_t>(x.head);
    x.r = 1;
    x.n = p[2];
    x.eot = p[3];
    x.ids_left = p[3];
    x.fill = p[5];
  } else {
    // HDS/DS, C, H, R, N, EOT, GPL, DTL. The head goes to C first (an
    // implied seek, as QEMU and Bochs do whatever CONFIGURE's EIS says).
    x.c = p[2];
    x.h = p[3];
    x.r = p[4];
    x.n = p[5];
    x.eot = p[6];
    last_eot_ = x.eot;
    pcn_[x.drive] = x.c;
    if (d) d->seek(x.c);
  }
  // No drive, no medium or the wrong data rate: no ID field is ever read.
  if (!d || !d->rateMatches(rate_)) return endTransfer(kSt0Abnormal, kSt1MissingAddressMark, 0);
  if (op != Op::Read && d->writeProtected()) return endTransfer(kSt0Abnormal, kSt1NotWritable, 0);
  if (op == Op::Format && (x.n != kSizeCode512 || x.eot != d->format().sectors)) {
    // The image holds one fixed layout; another cannot be written to it.
    return endTransfer(kSt0Abnormal, kSt1NoData, 0);
  }
  if (op != Op::Format && !sectorFound()) return;
  phase_ = Phase::Execution;
  if (x.dma) {
    dma_.setRequest(kDmaChannel, true);  // served now if channel 2 is ready, else at its unmask
    return;
  }
  if (op == Op::Read && !loadPioSector()) return;
  setInt(true);  // non-DMA: INT with RQM, byte by byte
}

bool FloppyController::sectorFound() {
  Transfer& x = xfer_;
  FloppyDrive* d = drive(x.drive);
  // The ID field must match C, H, R and N of the command; the medium's are
  // (PCN, head, 1..sectors, 2).
  if (x.c == pcn_[x.drive] && x.h == x.head && x.n == kSizeCode512 && d->hasSector(x.c, x.head, x.r)) return true;
  endTransfer(kSt0Abnormal, kSt1NoData, x.c != pcn_[x.drive] ? kSt2WrongCylinder : 0);
  return false;
}

bool FloppyController::nextSector() {
  // Result C/H/R after the last sector (82077AA datasheet, the table of
  // ID information in the result phase of READ/WRITE DATA):
  // R+1 below EOT; at EOT, R=1 and with MT on side 0 the other side,
  // else the next cylinder (H complemented with MT).
  Transfer& x = xfer_;
  if (x.r != x.eot) {
    ++x.r;
    return true;
  }
  x.r = 1;
  if (x.mt && x.head == 0) {
    x.head = 1;
    x.h ^= 1;
    return true;
  }
  if (x.mt) {
    x.head = 0;
    x.h ^= 1;
  }
  ++x.c;
  return false;
}

void FloppyController::endTransfer(uint8_t st0, uint8_t st1, uint8_t st2) {
  dma_.setRequest(kDmaChannel, false);
  const Transfer& x = xfer_;
  finish({static_cast<uint8_t>(st0 | x.head << 2 | x.drive), st1, st2, x.c, x.h, x.r, x.n}, true);
}

void FloppyController::serviceDma() {
  if (phase_ != Phase::Execution || !xfer_.dma) {
    dma_.setRequest(kDmaChannel, false);
    return;
  }
  while (phase_ == Phase::Execution && transferSector()) {
  }
}

bool FloppyController::transferSector() {
  Transfer& x = xfer_;
  FloppyDrive* d = drive(x.drive);
  uint8_t* buf = x.buffer.data();
  IsaDma::Result moved;
  if (x.op == Op::Format) {
    uint8_t id[4];
    moved = dma_.transfer(kDmaChannel, id, 4, false);
    if (moved.bytes == 0) return false;  // channel 2 not ready: wait for it
    if (moved.bytes < 4) std::memset(id + moved.bytes, 0, 4 - moved.bytes);
    if (!formatId(id)) return false;
    if (moved.terminal_count && phase_ == Phase::Execution) {
      endTransfer(0, 0, 0);  // TC before the last ID: the format stops there
      return false;
    }
    return phase_ == Phase::Execution;
  }
  if (x.op == Op::Read) {
    if (!d->readSector(x.c, x.head, x.r, buf)) {
      endTransfer(kSt0Abnormal, kSt1DataError, kSt2DataError);
      return false;
    }
    moved = dma_.transfer(kDmaChannel, buf, FloppyDrive::kSectorSize, true);
    if (moved.bytes == 0) return false;
  } else {
    moved = dma_.transfer(kDmaChannel, buf, FloppyDrive::kSectorSize, false);
    if (moved.bytes == 0) return false;
    // TC inside the sector: the controller completes it with zeros.
    std::memset(buf + moved.bytes, 0, FloppyDrive::kSectorSize - moved.bytes);
    if (!d->writeSector(x.c, x.head, x.r, buf)) {
      endTransfer(kSt0Abnormal, kSt1DataError, kSt2DataError);
      return false;
    }
  }
  const bool more = nextSector();
  if (moved.terminal_count) {
    endTransfer(0, 0, 0);
    return false;
  }
  if (!more) {
    endTransfer(kSt0Abnormal, kSt1EndOfCylinder, 0);
    return false;
  }
  return sectorFound();
}

bool FloppyController::formatId(const uint8_t id[4]) {
  // One ID field (C, H, R, N) and a data field of the fill byte. The image
  // can only keep the medium's own layout.
  Transfer& x = xfer_;
  FloppyDrive* d = drive(x.drive);
  x.c = id[0];
  x.h = id[1];
  x.r = id[2];
  x.n = id[3];
  if (x.c != pcn_[x.drive] || x.h != x.head || x.n != kSizeCode512 || !d->hasSector(x.c, x.head, x.r)) {
    endTransfer(kSt0Abnormal, kSt1NoData, 0);
    return false;
  }
  x.buffer.fill(x.fill);
  if (!d->writeSector(x.c, x.head, x.r, x.buffer.data())) {
    endTransfer(kSt0Abnormal, kSt1DataError, kSt2DataError);
    return false;
  }
  if (--x.ids_left == 0) endTransfer(0, 0, 0);
  return true;
}

bool FloppyController::loadPioSector() {
  Transfer& x = xfer_;
  if (!drive(x.drive)->readSector(x.c, x.head, x.r, x.buffer.data())) {
    endTransfer(kSt0Abnormal, kSt1DataError, kSt2DataError);
    return false;
  }
  x.pos = 0;
  x.len = FloppyDrive::kSectorSize;
  return true;
}

uint8_t FloppyController::pioRead() {
  // Each byte read clears INT; the next byte raises it again.
  Transfer& x = xfer_;
  setInt(false);
  const uint8_t v = x.buffer[x.pos++];
  if (x.pos < x.len) {
    setInt(true);
    return v;
  }
  if (!nextSector()) {
    endTransfer(kSt0Abnormal, kSt1EndOfCylinder, 0);
  } else if (sectorFound() && loadPioSector()) {
    setInt(true);
  }
  return v;
}

void FloppyController::pioWrite(uint8_t value) {
  Transfer& x = xfer_;
  setInt(false);
  x.buffer[x.pos++] = value;
  if (x.op == Op::Format) {
    if (x.pos < 4) return setInt(true);
    x.pos = 0;
    const uint8_t id[4] = {x.buffer[0], x.buffer[1], x.buffer[2], x.buffer[3]};
    if (formatId(id) && phase_ == Phase::Execution) setInt(true);
    return;
  }
  if (x.pos < FloppyDrive::kSectorSize) return setInt(true);
  x.pos = 0;
  if (!drive(x.drive)->writeSector(x.c, x.head, x.r, x.buffer.data())) {
    return endTransfer(kSt0Abnormal, kSt1DataError, kSt2DataError);
  }
  if (!nextSector()) return endTransfer(kSt0Abnormal, kSt1EndOfCylinder, 0);
  if (sectorFound()) setInt(true);
}

}  // namespace sv
