#include "devices/ide/ide_channel.h"

#include "devices/ide/ata_defs.h"

namespace sv {

using namespace ata;

namespace {
// Command block register offsets (ATA-6 Table 2).
constexpr unsigned kData = 0, kErrorFeature = 1, kCount = 2, kLbaLow = 3, kLbaMid = 4, kLbaHigh = 5, kDevice = 6,
                   kStatusCommand = 7;
// Bus master registers (82371AB 2.7.x).
constexpr uint8_t kBmStart = 0x01, kBmReadWrite = 0x08;
constexpr uint8_t kBmActive = 0x01, kBmError = 0x02, kBmInterrupt = 0x04, kBmDmaCapable = 0x60;
}  // namespace

IdeChannel::IdeChannel(uint16_t command_base, uint16_t control_port, DmaMemory& dma, IrqOutput::Sink irq,
                       std::function<bool()> bus_master_enabled)
    : command_base_(command_base), control_port_(control_port), dma_(dma), irq_(std::move(irq)),
      bus_master_enabled_(std::move(bus_master_enabled)) {}

void IdeChannel::attachDisk(unsigned slot, std::unique_ptr<DiskImage> image, DriveStrings strings) {
  drives_[slot] = std::make_unique<IdeDrive>(std::move(image), std::move(strings), slot == 0, [this] { driveInterrupt(); });
}

void IdeChannel::attachCdrom(unsigned slot, std::unique_ptr<AtapiCdrom> cdrom, DriveStrings strings) {
  drives_[slot] = std::make_unique<IdeDrive>(std::move(cdrom), std::move(strings), slot == 0, [this] { driveInterrupt(); });
}

void IdeChannel::reset() {
  device_register_ = 0;
  control_ = 0;
  bm_command_ = bm_status_ = 0;
  bm_prd_ = 0;
  for (auto& d : drives_)
    if (d) d->hardwareReset();
  updateIrq();
}

// The interrupt status bit latches the rising INTRQ of the drive whether or
// not nIEN masks the line (82371AB, BMISX bit 2).
void IdeChannel::driveInterrupt() {
  bm_status_ |= kBmInterrupt;
  updateIrq();
}

void IdeChannel::updateIrq() {
  IdeDrive* d = selected();
  irq_.set(d && d->interruptPending() && !(control_ & kControlNien));
}

uint8_t IdeChannel::readStatus(bool acknowledge) {
  IdeDrive* d = selected();
  if (!d) return 0;
  const uint8_t s = d->status();
  if (acknowledge) {
    d->clearInterrupt();
    updateIrq();
  }
  return s;
}

uint8_t IdeChannel::readRegister(unsigned reg) {
  if (empty()) return 0;
  if (reg == kStatusCommand) return readStatus(true);
  // Device 0 answers the other registers for an absent device 1.
  IdeDrive* d = selected() ? selected() : drives_[0] ? drives_[0].get() : drives_[1].get();
  const TaskFile& tf = d->tf;
  const bool hob = control_ & kControlHob;
  switch (reg) {
    case kErrorFeature: return selected() ? d->error() : 0;
    case kCount: return hob ? tf.hob_count : tf.count;
    case kLbaLow: return hob ? tf.hob_lba_low : tf.lba_low;
    case kLbaMid: return hob ? tf.hob_lba_mid : tf.lba_mid;
    case kLbaHigh: return hob ? tf.hob_lba_high : tf.lba_high;
    case kDevice: return device_register_;
    default: return 0;
  }
}

uint32_t IdeChannel::ioRead(uint16_t port, unsigned size) {
  if (port == control_port_) return empty() ? 0 : readStatus(false);  // alternate status
  const unsigned reg = port - command_base_;
  if (reg == kData) {
    IdeDrive* d = selected();
    if (!d) return 0;
    const uint32_t v = d->readData(size);
    updateIrq();
    return v;
  }
  return readRegister(reg);
}

void IdeChannel::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  if (port == control_port_) return writeControl(static_cast<uint8_t>(value));
  const unsigned reg = port - command_base_;
  if (reg == kData) {
    if (IdeDrive* d = selected()) {
      d->writeData(size, value);
      tryDma();  // a completed command packet may start DMA
      updateIrq();
    }
    return;
  }
  writeRegister(reg, static_cast<uint8_t>(value));
}

// Writes reach both devices; each keeps the previous byte for 48-bit
// commands, and any write clears HOB (ATA-6 6.20).
void IdeChannel::writeRegister(unsigned reg, uint8_t value) {
  control_ &= static_cast<uint8_t>(~kControlHob);
  if (reg == kStatusCommand) return writeCommand(value);
  if (reg == kDevice) {
    device_register_ = value;
    for (auto& d : drives_)
      if (d) d->tf.device = value;
    return updateIrq();
  }
  for (auto& d : drives_) {
    if (!d) continue;
    TaskFile& tf = d->tf;
    auto shift = [&](uint8_t& cur, uint8_t& prev) { prev = cur, cur = value; };
    switch (reg) {
      case kErrorFeature: shift(tf.feature, tf.hob_feature); break;
      case kCount: shift(tf.count, tf.hob_count); break;
      case kLbaLow: shift(tf.lba_low, tf.hob_lba_low); break;
      case kLbaMid: shift(tf.lba_mid, tf.hob_lba_mid); break;
      case kLbaHigh: shift(tf.lba_high, tf.hob_lba_high); break;
      default: break;
    }
  }
}

void IdeChannel::writeCommand(uint8_t code) {
  // EXECUTE DEVICE DIAGNOSTIC runs on both devices whichever is selected
  // (ATA-6 8.11); device 0 reports.
  if (code == cmd::kExecuteDiagnostic) {
    for (auto& d : drives_)
      if (d) d->diagnose();
    device_register_ = 0;
    return updateIrq();
  }
  // A command for an absent device 1 is not executed by anybody.
  IdeDrive* d = selected();
  if (!d) return;
  d->command(code);
  tryDma();
  updateIrq();
}

// SRST (ATA-6 9.2): devices stay in reset while it is set and come out
// with their signature when it is cleared.
void IdeChannel::writeControl(uint8_t value) {
  const bool was_reset = control_ & kControlSrst, reset = value & kControlSrst;
  control_ = value;
  if (reset && !was_reset) {
    for (auto& d : drives_)
      if (d) d->holdInReset();
  } else if (!reset && was_reset) {
    for (auto& d : drives_)
      if (d) d->softwareReset();
    device_register_ = 0;
  }
  updateIrq();
}

uint8_t IdeChannel::busMasterRead(unsigned offset) const {
  switch (offset) {
    case 0: return bm_command_;
    case 2: return bm_status_;
    case 4: case 5: case 6: case 7: return static_cast<uint8_t>(bm_prd_ >> (8 * (offset - 4)));
    default: return 0;
  }
}

void IdeChannel::busMasterWrite(unsigned offset, uint8_t value) {
  switch (offset) {
    case 0: {
      const bool was_started = bm_command_ & kBmStart;
      bm_command_ = value & (kBmStart | kBmReadWrite);
      if (!(value & kBmStart)) {
        // Stopping aborts a transfer in progress; the device keeps waiting.
        bm_status_ &= static_cast<uint8_t>(~kBmActive);
      } else if (!was_started) {
        bm_status_ |= kBmActive;
        tryDma();
        updateIrq();
      }
      return;
    }
    case 2:
      bm_status_ = static_cast<uint8_t>((bm_status_ & ~kBmDmaCapable & ~(value & (kBmError | kBmInterrupt))) |
                                        (value & kBmDmaCapable));
      return;
    case 4: case 5: case 6: case 7: {
      const unsigned shift = 8 * (offset - 4);
      bm_prd_ = (bm_prd_ & ~(0xFFu << shift)) | (uint32_t{value} << shift);
      bm_prd_ &= ~3u;  // dword aligned
      return;
    }
    default: return;
  }
}

// Runs a DMA command once both sides are ready: the device has asserted
// DMARQ and the bus master is started and allowed to master. The table
// table in the datasheet (BMISX): interrupt + not active is the normal
// end; interrupt + active means the PRDs were larger than the transfer;
// neither means they were smaller and the transfer stalled.
void IdeChannel::tryDma() {
  IdeDrive* d = selected();
  if (!d || !d->wantsDma() || !(bm_command_ & kBmStart) || !(bm_status_ & kBmActive)) return;
  if (bus_master_enabled_ && !bus_master_enabled_()) return;
  PrdCursor prd(dma_, bm_prd_);
  const IdeDrive::DmaResult r = d->runDma(prd);
  if (r == IdeDrive::DmaResult::TableShort || prd.exhausted()) bm_status_ &= static_cast<uint8_t>(~kBmActive);
}

}  // namespace sv
