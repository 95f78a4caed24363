#include "devices/uart16550.h"

#include <utility>

namespace sv {

namespace {

// Register offsets from the base port (PC16550D Table II).
enum : unsigned {
  kRbrThrDll = 0,
  kIerDlm = 1,
  kIirFcr = 2,
  kLcr = 3,
  kMcr = 4,
  kLsr = 5,
  kMsr = 6,
  kScr = 7,
};

// IER bits.
constexpr uint8_t kIerRxData = 0x01;     // ERBFI: received data (and timeout)
constexpr uint8_t kIerThre = 0x02;       // ETBEI
constexpr uint8_t kIerLineStatus = 0x04; // ELSI
constexpr uint8_t kIerModem = 0x08;      // EDSSI

// IIR values (PC16550D "Interrupt Identification Register" table).
constexpr uint8_t kIirNone = 0x01;
constexpr uint8_t kIirLineStatus = 0x06;
constexpr uint8_t kIirRxData = 0x04;
constexpr uint8_t kIirTimeout = 0x0C;
constexpr uint8_t kIirThre = 0x02;
constexpr uint8_t kIirModem = 0x00;
constexpr uint8_t kIirFifosEnabled = 0xC0;

// FCR bits.
constexpr uint8_t kFcrEnable = 0x01;
constexpr uint8_t kFcrClearRx = 0x02;
constexpr uint8_t kFcrKept = 0xC9;  // enable, DMA mode, trigger level

// LCR/MCR bits.
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kMcrDtr = 0x01;
constexpr uint8_t kMcrRts = 0x02;
constexpr uint8_t kMcrOut1 = 0x04;
constexpr uint8_t kMcrOut2 = 0x08;
constexpr uint8_t kMcrLoop = 0x10;

// LSR bits.
constexpr uint8_t kLsrDataReady = 0x01;
constexpr uint8_t kLsrOverrun = 0x02;
constexpr uint8_t kLsrErrors = 0x1E;  // OE, PE, FE, BI: cleared by reading LSR
constexpr uint8_t kLsrThre = 0x20;
constexpr uint8_t kLsrTemt = 0x40;

// MSR bits.
constexpr uint8_t kMsrDeltaCts = 0x01;
constexpr uint8_t kMsrDeltaDsr = 0x02;
constexpr uint8_t kMsrTrailingRi = 0x04;
constexpr uint8_t kMsrDeltaDcd = 0x08;
constexpr uint8_t kMsrDeltas = 0x0F;
constexpr uint8_t kMsrCts = 0x10;
constexpr uint8_t kMsrDsr = 0x20;
constexpr uint8_t kMsrRi = 0x40;
constexpr uint8_t kMsrDcd = 0x80;

// With nothing attached to the modem inputs, the port looks like a
// terminal that is present and ready (what QEMU/Bochs report too).
constexpr uint8_t kModemInputsIdle = kMsrCts | kMsrDsr | kMsrDcd;

// The PC serial card's 1.8432 MHz crystal: divisor 1 = 115200 baud.
constexpr uint64_t kBaudBase = 115200;

constexpr unsigned kRxTriggerLevels[4] = {1, 4, 8, 14};

}  // namespace

Uart16550::Uart16550(uint16_t base, unsigned irq, DeviceClock& clock, IrqOutput::Sink irq_out,
                     ByteSink* sink)
    : base_(base), irq_(irq), clock_(clock), irq_out_(std::move(irq_out)), sink_(sink) {
  reset();
}

void Uart16550::reset() {
  rx_head_ = rx_count_ = 0;
  rbr_ = 0;
  timeout_pending_ = false;
  ier_ = fcr_ = lcr_ = mcr_ = scr_ = 0;
  lsr_ = kLsrThre | kLsrTemt;
  msr_ = kModemInputsIdle;
  divisor_ = 12;  // undefined on the chip; 9600 baud like QEMU
  thre_pending_ = false;
  updateIrq();
}

uint32_t Uart16550::ioRead(uint16_t port, unsigned size) {
  // Wider accesses read the one byte register; the upper bytes float.
  uint32_t value = readRegister(static_cast<uint16_t>(port - base_) & 7u);
  if (size == 2) value |= 0xFF00u;
  if (size == 4) value |= 0xFFFFFF00u;
  return value;
}

void Uart16550::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  writeRegister(static_cast<uint16_t>(port - base_) & 7u, static_cast<uint8_t>(value));
}

uint8_t Uart16550::readRegister(unsigned offset) {
  switch (offset) {
    case kRbrThrDll: {
      if (lcr_ & kLcrDlab) return static_cast<uint8_t>(divisor_);
      checkTimeout(clock_.nowNs());
      uint8_t byte = popReceived();
      updateIrq();
      return byte;
    }
    case kIerDlm:
      if (lcr_ & kLcrDlab) return static_cast<uint8_t>(divisor_ >> 8);
      return ier_;
    case kIirFcr: {
      checkTimeout(clock_.nowNs());
      uint8_t id = interruptId();
      // Reading IIR clears the THRE interrupt when it is the one reported
      // ("Interrupt Identification Register", reset control of THRE).
      if (id == kIirThre) thre_pending_ = false;
      updateIrq();
      return id | ((fcr_ & kFcrEnable) ? kIirFifosEnabled : 0);
    }
    case kLcr:
      return lcr_;
    case kMcr:
      return mcr_;
    case kLsr: {
      checkTimeout(clock_.nowNs());
      uint8_t value = lsr_;
      lsr_ &= static_cast<uint8_t>(~kLsrErrors);  // errors clear on read
      updateIrq();
      return value;
    }
    case kMsr: {
      uint8_t value = msr_;
      msr_ &= static_cast<uint8_t>(~kMsrDeltas);  // deltas clear on read
      updateIrq();
      return value;
    }
    default:
      return scr_;
  }
}

void Uart16550::writeRegister(unsigned offset, uint8_t value) {
  switch (offset) {
    case kRbrThrDll:
      if (lcr_ & kLcrDlab) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0xFF00) | value);
      } else {
        transmit(value);
      }
      break;
    case kIerDlm:
      if (lcr_ & kLcrDlab) {
        divisor_ = static_cast<uint16_t>((divisor_ & 0x00FF) | (value << 8));
      } else {
        uint8_t old = ier_;
        ier_ = value & 0x0F;  // bits 4-7 are always 0 on the 16550
        // Enabling ETBEI while THR is empty raises THRE at once: the real
        // chip re-asserts it, and Linux's "THRE test" (serial8250_do_startup)
        // toggles IER to check exactly that.
        if ((ier_ & kIerThre) && !(old & kIerThre) && (lsr_ & kLsrThre)) thre_pending_ = true;
        if (!(ier_ & kIerThre)) thre_pending_ = false;
        updateIrq();
      }
      break;
    case kIirFcr:
      writeFcr(value);  // FCR does not depend on DLAB
      break;
    case kLcr:
      lcr_ = value;
      break;
    case kMcr:
      writeMcr(value);
      break;
    case kLsr:
    case kMsr:
      break;  // factory-test writes on the real chip; not modelled
    default:
      scr_ = value;
      break;
  }
}

void Uart16550::writeFcr(uint8_t value) {
  // "FIFO Control Register": changing FCR0 clears both FIFOs; the other bits
  // are only programmed while FCR0 is (being) set.
  bool was_enabled = fcr_ & kFcrEnable;
  bool enable = value & kFcrEnable;
  if (enable != was_enabled) clearRxFifo();
  if (!enable) {
    fcr_ = 0;
  } else {
    fcr_ = value & kFcrKept;
    if (value & kFcrClearRx) clearRxFifo();
    // FCR bit 2 (clear XMIT FIFO): the transmitter is always empty here.
  }
  updateIrq();
}

void Uart16550::writeMcr(uint8_t value) {
  mcr_ = value & 0x1F;
  if (mcr_ & kMcrLoop) {
    // Loopback ("Modem Control Register" bit 4): the modem inputs are the
    // modem outputs: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2.
    uint8_t status = 0;
    if (mcr_ & kMcrRts) status |= kMsrCts;
    if (mcr_ & kMcrDtr) status |= kMsrDsr;
    if (mcr_ & kMcrOut1) status |= kMsrRi;
    if (mcr_ & kMcrOut2) status |= kMsrDcd;
    setModemInputs(status);
  } else {
    setModemInputs(kModemInputsIdle);
  }
  updateIrq();
}

void Uart16550::setModemInputs(uint8_t status) {
  uint8_t old = msr_;
  uint8_t changed = (old ^ status) & 0xF0;
  uint8_t deltas = old & kMsrDeltas;
  if (changed & kMsrCts) deltas |= kMsrDeltaCts;
  if (changed & kMsrDsr) deltas |= kMsrDeltaDsr;
  if (changed & kMsrDcd) deltas |= kMsrDeltaDcd;
  if ((old & kMsrRi) && !(status & kMsrRi)) deltas |= kMsrTrailingRi;  // RI's falling edge only
  msr_ = static_cast<uint8_t>((status & 0xF0) | deltas);
}

void Uart16550::transmit(uint8_t byte) {
  // Writing THR clears the THRE interrupt; the byte then moves through the
  // shift register at once, so THR is empty again and THRE is raised anew.
  if (mcr_ & kMcrLoop) {
    pushReceived(byte);  // SOUT is looped back to the receiver internally
  } else if (sink_ != nullptr) {
    sink_->putByte(byte);
  }
  lsr_ |= kLsrThre | kLsrTemt;
  thre_pending_ = (ier_ & kIerThre) != 0;
  updateIrq();
}

void Uart16550::receive(uint8_t byte) {
  if (mcr_ & kMcrLoop) return;  // SIN is disconnected in loopback
  pushReceived(byte);
  updateIrq();
}

size_t Uart16550::rxFreeSpace() const {
  size_t depth = (fcr_ & kFcrEnable) ? kFifoSize : 1;
  return rx_count_ < depth ? depth - rx_count_ : 0;
}

void Uart16550::pushReceived(uint8_t byte) {
  if (fcr_ & kFcrEnable) {
    if (rx_count_ == kFifoSize) {
      // FIFO full: the new character is lost in the shift register, the
      // FIFO keeps its contents, and OE is set.
      lsr_ |= kLsrOverrun;
      return;
    }
    rx_[(rx_head_ + rx_count_) % kFifoSize] = byte;
    ++rx_count_;
  } else {
    // 16450 mode: RBR is overwritten, destroying the unread character.
    if (rx_count_ != 0) lsr_ |= kLsrOverrun;
    rx_head_ = 0;
    rx_[0] = byte;
    rx_count_ = 1;
  }
  lsr_ |= kLsrDataReady;
  rx_activity_ns_ = clock_.nowNs();
}

uint8_t Uart16550::popReceived() {
  if (rx_count_ != 0) {
    rbr_ = rx_[rx_head_];
    rx_head_ = (rx_head_ + 1) % kFifoSize;
    --rx_count_;
  }
  if (rx_count_ == 0) lsr_ &= static_cast<uint8_t>(~kLsrDataReady);
  // A read clears a timeout interrupt and restarts the timer ("FIFO
  // Interrupt Mode Operation").
  timeout_pending_ = false;
  rx_activity_ns_ = clock_.nowNs();
  return rbr_;
}

void Uart16550::clearRxFifo() {
  rx_head_ = rx_count_ = 0;
  lsr_ &= static_cast<uint8_t>(~kLsrDataReady);
  timeout_pending_ = false;
}

bool Uart16550::rxDataAvailable() const {
  if (!(fcr_ & kFcrEnable)) return rx_count_ != 0;
  return rx_count_ >= kRxTriggerLevels[fcr_ >> 6];
}

uint8_t Uart16550::interruptId() const {
  // Priorities of the "Interrupt Identification Register" table: line
  // status, received data / character timeout, THR empty, modem status.
  if ((ier_ & kIerLineStatus) && (lsr_ & kLsrErrors)) return kIirLineStatus;
  if ((ier_ & kIerRxData) && rxDataAvailable()) return kIirRxData;
  if ((ier_ & kIerRxData) && timeout_pending_) return kIirTimeout;
  if ((ier_ & kIerThre) && thre_pending_) return kIirThre;
  if ((ier_ & kIerModem) && (msr_ & kMsrDeltas)) return kIirModem;
  return kIirNone;
}

uint64_t Uart16550::characterTimeNs() const {
  // Start bit + 5..8 data bits + parity + stop bits (2 for LCR bit 2; the
  // 1.5 of 5-bit frames rounds up), at 115200 / divisor baud. A divisor of
  // 0 is treated as 1 rather than dividing by zero.
  uint64_t bits = 1 + 5 + (lcr_ & 3) + ((lcr_ & 0x08) ? 1 : 0) + ((lcr_ & 0x04) ? 2 : 1);
  uint64_t divisor = divisor_ == 0 ? 1 : divisor_;
  return bits * divisor * 1'000'000'000ull / kBaudBase;
}

uint64_t Uart16550::timeoutDeadline() const {
  // "FIFO Interrupt Mode Operation": a timeout occurs when at least one
  // character is in the FIFO and none has entered or left it for four
  // character times.
  if (!(fcr_ & kFcrEnable) || rx_count_ == 0 || timeout_pending_) return kNoDeadline;
  return rx_activity_ns_ + 4 * characterTimeNs();
}

void Uart16550::checkTimeout(uint64_t now_ns) {
  if (now_ns >= timeoutDeadline()) timeout_pending_ = true;
}

uint64_t Uart16550::nextDeadlineNs() {
  if (!(ier_ & kIerRxData)) return kNoDeadline;  // IIR is evaluated lazily then
  return timeoutDeadline();
}

void Uart16550::advanceTo(uint64_t now_ns) {
  checkTimeout(now_ns);
  updateIrq();
}

void Uart16550::updateIrq() {
  bool gate_open = (mcr_ & kMcrOut2) && !(mcr_ & kMcrLoop);
  irq_out_.set(gate_open && interruptId() != kIirNone);
}

}  // namespace sv
