// The 82077AA's registers and phases; the commands are in
// floppy_commands.cpp.
#include "devices/fdc/floppy_controller.h"

namespace sv {

namespace {
// DOR (82077AA datasheet, "Digital Output Register")
constexpr uint8_t kDorSelect = 0x03;
constexpr uint8_t kDorNotReset = 0x04;
constexpr uint8_t kDorDmaGate = 0x08;  // AT mode: enables INT and DRQ
// MSR ("Main Status Register")
constexpr uint8_t kMsrRqm = 0x80, kMsrDio = 0x40, kMsrNonDma = 0x20, kMsrBusy = 0x10;
// DSR ("Datarate Select Register")
constexpr uint8_t kDsrReset = 0x80;
}  // namespace

FloppyController::FloppyController(IsaDma& dma, IrqOutput::Sink irq) : dma_(dma), irq_(std::move(irq)) {
  dma_.connect(kDmaChannel, [this] { serviceDma(); });
  reset();
}

void FloppyController::attach(IoBus& io) {
  io.registerPorts(kBase, 6, *this, "isa-fdc");
  io.registerPorts(kDirPort, 1, *this, "isa-fdc-dir");
}

void FloppyController::reset() {
  dor_ = tdr_ = 0;
  rate_ = FloppyRate::k250;  // hardware reset ("Datarate Select Register")
  specify_[0] = specify_[1] = 0;
  lock_ = false;
  perpendicular_ = 0;
  last_eot_ = 0;
  enterReset();  // DOR 0: held in reset until the guest sets nRESET
}

void FloppyController::enterReset() {
  phase_ = Phase::Command;
  command_.clear();
  result_.clear();
  result_pos_ = 0;
  seek_status_ = false;
  reset_sense_ = 0;
  dma_.setRequest(kDmaChannel, false);
  // A reset returns CONFIGURE to its defaults unless LOCK keeps EFIFO,
  // FIFOTHR and PRETRK (datasheet, "Configure", "Lock"); EIS and POLL
  // always reset. PERPENDICULAR MODE's GAP and WGATE are cleared, its
  // drive bits kept ("Perpendicular Mode").
  config_ = lock_ ? static_cast<uint8_t>(config_ & 0x2F) : 0x20;
  if (!lock_) pretrk_ = 0;
  perpendicular_ &= 0x3C;
  setInt(false);
}

void FloppyController::leaveReset() {
  // Drive polling (CONFIGURE POLL = 0, which every reset restores) reports
  // a ready change of each of the four drives after a reset: one
  // interrupt, four SENSE INTERRUPT STATUS answers (datasheet, "Drive
  // Polling"; QEMU and Bochs do the same).
  reset_sense_ = 4;
  setInt(true);
}

void FloppyController::setInt(bool pending) {
  int_pending_ = pending;
  updateIrq();
}

void FloppyController::updateIrq() { irq_.set(int_pending_ && (dor_ & kDorDmaGate)); }

uint32_t FloppyController::ioRead(uint16_t port, unsigned size) {
  uint32_t v = readRegister(port);
  for (unsigned i = 1; i < size; ++i) v |= 0xFFu << (8 * i);  // one-byte registers
  return v;
}

void FloppyController::ioWrite(uint16_t port, unsigned, uint32_t value) { writeRegister(port, static_cast<uint8_t>(value)); }

uint8_t FloppyController::msr() const {
  if (!(dor_ & kDorNotReset)) return 0;
  switch (phase_) {
    case Phase::Command: return static_cast<uint8_t>(kMsrRqm | (command_.empty() ? 0 : kMsrBusy));
    case Phase::Execution:
      if (xfer_.dma) return kMsrBusy;
      return static_cast<uint8_t>(kMsrRqm | kMsrNonDma | kMsrBusy | (xfer_.op == Op::Read ? kMsrDio : 0));
    case Phase::Result: return kMsrRqm | kMsrDio | kMsrBusy;
  }
  return 0;
}

uint8_t FloppyController::readRegister(uint16_t port) {
  switch (port - kBase) {
    case 0:  // SRA: INT pending, second drive not installed
      return static_cast<uint8_t>((int_pending_ ? 0x80 : 0) | (drives_[1] ? 0 : 0x40));
    case 1:  // SRB: motor enables, drive select (QEMU's PS/2 bits, 7:6 read 1)
      return static_cast<uint8_t>(0xC0 | ((dor_ >> 4) & 3) | ((dor_ & 1) ? 0x20 : 0));
    case 2: return dor_;
    case 3: return tdr_;
    case 4: return msr();
    case 5: return readData();
    case 7: {
      // DIR: bit 7 the selected drive's disk change line; bits 6:0 are not
      // driven by the floppy controller in AT mode (they read 0, as QEMU).
      FloppyDrive* d = drive(dor_ & kDorSelect);
      return (d && d->diskChanged()) ? 0x80 : 0x00;
    }
    default: return 0xFF;
  }
}

void FloppyController::writeRegister(uint16_t port, uint8_t value) {
  switch (port - kBase) {
    case 2: writeDor(value); break;
    case 3: tdr_ = value & 3; break;
    case 4:  // DSR: rate, precompensation (not modelled), power down, reset
      rate_ = static_cast<FloppyRate>(value & 3);
      if ((value & kDsrReset) && (dor_ & kDorNotReset)) {
        enterReset();  // self-clearing: the reset ends at once
        leaveReset();
      }
      break;
    case 5: writeData(value); break;
    case 7: rate_ = static_cast<FloppyRate>(value & 3); break;  // CCR
    default: break;  // SRA/SRB are read-only
  }
}

void FloppyController::writeDor(uint8_t value) {
  const uint8_t old = dor_;
  dor_ = value;
  if ((old & kDorNotReset) && !(value & kDorNotReset)) enterReset();
  else if (!(old & kDorNotReset) && (value & kDorNotReset)) leaveReset();
  updateIrq();
}

uint8_t FloppyController::readData() {
  if (!(dor_ & kDorNotReset)) return 0;
  if (phase_ == Phase::Execution && !xfer_.dma && xfer_.op == Op::Read) return pioRead();
  if (phase_ != Phase::Result) return 0;  // nothing to read (DIO = 0)
  // Reading the result clears the interrupt of the command that ended
  // (82077AA datasheet, "Result Phase": reading the first result byte
  // clears INT).
  if (result_pos_ == 0 && result_clears_int_) setInt(false);
  const uint8_t v = result_[result_pos_++];
  if (result_pos_ == result_.size()) {
    phase_ = Phase::Command;
    result_.clear();
    result_pos_ = 0;
  }
  return v;
}

void FloppyController::writeData(uint8_t value) {
  if (!(dor_ & kDorNotReset)) return;
  if (phase_ == Phase::Execution && !xfer_.dma && xfer_.op != Op::Read) {
    pioWrite(value);
    return;
  }
  if (phase_ != Phase::Command) return;  // RQM/DIO say the CPU must read
  command_.push_back(value);
  if (command_.size() == commandLength(command_[0])) execute();
}

}  // namespace sv
