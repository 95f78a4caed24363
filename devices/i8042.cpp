#include "devices/i8042.h"

#include "devices/ps2_scancodes.h"

namespace sv {

namespace {
// Status register bits.
constexpr uint8_t kObf = 0x01, kSys = 0x04, kA2 = 0x08, kNotInhibited = 0x10, kAuxb = 0x20;
// Command byte bits.
constexpr uint8_t kKbdInt = 0x01, kAuxInt = 0x02, kSysFlag = 0x04, kKbdDisabled = 0x10, kAuxDisabled = 0x20,
                  kXlat = 0x40;
// Output port bits.
constexpr uint8_t kOutReset = 0x01, kOutA20 = 0x02, kOutKbdObf = 0x10, kOutAuxObf = 0x20;
constexpr uint8_t kSelfTestOk = 0x55;
}  // namespace

I8042::I8042(IrqOutput::Sink irq1, IrqOutput::Sink irq12, std::function<void(bool)> set_a20, std::function<void()> reset)
    : irq1_(std::move(irq1)), irq12_(std::move(irq12)), set_a20_(std::move(set_a20)), reset_(std::move(reset)) {
  keyboard_.setOutputReady([this] { refill(); });
  mouse_.setOutputReady([this] { refill(); });
  this->reset();
}

void I8042::attach(IoBus& io) {
  io.registerPorts(kDataPort, 1, *this, "i8042-data");
  io.registerPorts(kCommandPort, 1, *this, "i8042-cmd");
}

// Power-on: interrupts enabled, translation off, no self-test yet (QEMU's
// state; firmware or the OS programs the rest).
void I8042::reset() {
  keyboard_.reset();
  mouse_.reset();
  for (uint8_t& b : ram_) b = 0;
  ram_[0] = kKbdInt | kAuxInt;
  responses_.clear();
  output_full_ = output_aux_ = false;
  last_write_command_ = true;
  self_tested_ = false;
  translate_break_ = false;
  pending_command_ = 0;
  output_port_ = kOutReset | kOutA20;
  updateIrqs();
}

uint8_t I8042::status() const {
  uint8_t s = kNotInhibited;
  if (output_full_) s |= kObf | (output_aux_ ? kAuxb : 0);
  if (self_tested_ || (ram_[0] & kSysFlag)) s |= kSys;
  if (last_write_command_) s |= kA2;
  return s;
}

void I8042::respond(uint8_t byte, Source as) {
  responses_.emplace_back(byte, as);
  refill();
}

void I8042::refill() {
  while (!output_full_) {
    if (!responses_.empty()) {
      auto [byte, source] = responses_.front();
      responses_.pop_front();
      output_ = byte;
      output_aux_ = source == Source::Mouse;
      output_full_ = true;
    } else if (!(ram_[0] & kKbdDisabled) && keyboard_.hasOutput()) {
      uint8_t b = keyboard_.takeOutput();
      if (ram_[0] & kXlat) {
        if (b == 0xF0) {  // a break prefix: folded into the next byte
          translate_break_ = true;
          continue;
        }
        b = static_cast<uint8_t>(ps2::translateSet2ToSet1(b) | (translate_break_ ? 0x80 : 0));
        translate_break_ = false;
      }
      output_ = b;
      output_aux_ = false;
      output_full_ = true;
    } else if (!(ram_[0] & kAuxDisabled) && mouse_.hasOutput()) {
      output_ = mouse_.takeOutput();
      output_aux_ = true;
      output_full_ = true;
    } else {
      break;
    }
  }
  updateIrqs();
}

void I8042::updateIrqs() {
  irq1_.set(output_full_ && !output_aux_ && (ram_[0] & kKbdInt));
  irq12_.set(output_full_ && output_aux_ && (ram_[0] & kAuxInt));
}

uint32_t I8042::ioRead(uint16_t port, unsigned size) {
  uint8_t v;
  if (port == kCommandPort) {
    v = status();
  } else {
    v = output_;  // reading an empty buffer returns the last byte again
    output_full_ = false;
    // The line drops with the read and rises again for the next byte: one
    // edge per byte for the 8259.
    updateIrqs();
    refill();
  }
  return size == 1 ? v : v | (size >= 2 ? 0xFF00u : 0) | (size == 4 ? 0xFFFF0000u : 0);
}

void I8042::ioWrite(uint16_t port, unsigned, uint32_t value) {
  const uint8_t v = static_cast<uint8_t>(value);
  last_write_command_ = port == kCommandPort;
  if (port == kCommandPort) runCommand(v);
  else writeData(v);
}

void I8042::writeOutputPort(uint8_t value) {
  const bool a20 = value & kOutA20;
  const bool was_a20 = output_port_ & kOutA20;
  output_port_ = value;
  if (a20 != was_a20 && set_a20_) set_a20_(a20);
  if (!(value & kOutReset) && reset_) reset_();
}

void I8042::runCommand(uint8_t command) {
  pending_command_ = 0;
  if (command >= 0x20 && command <= 0x3F) {
    respond(ram_[command & 0x1F]);
    return;
  }
  if ((command >= 0x60 && command <= 0x7F) || command == 0xD1 || command == 0xD2 || command == 0xD3 ||
      command == 0xD4) {
    pending_command_ = command;
    return;
  }
  if (command >= 0xF0) {
    // Pulse the output lines whose bit is clear; bit 0 is the CPU reset.
    if (!(command & 0x01) && reset_) reset_();
    return;
  }
  switch (command) {
    case 0xA7: ram_[0] |= kAuxDisabled; break;
    case 0xA8: ram_[0] &= ~kAuxDisabled, refill(); break;
    case 0xA9: respond(0x00); break;
    case 0xAA:
      self_tested_ = true;
      respond(kSelfTestOk);
      break;
    case 0xAB: respond(0x00); break;
    case 0xAD: ram_[0] |= kKbdDisabled; break;
    case 0xAE: ram_[0] &= ~kKbdDisabled, refill(); break;
    case 0xC0: respond(0x80); break;  // input port: keyboard not locked
    case 0xD0: {
      uint8_t p = static_cast<uint8_t>(output_port_ & ~(kOutKbdObf | kOutAuxObf));
      if (output_full_) p |= output_aux_ ? kOutAuxObf : kOutKbdObf;
      respond(p);
      break;
    }
    case 0xDD: writeOutputPort(output_port_ & ~kOutA20); break;
    case 0xDF: writeOutputPort(output_port_ | kOutA20); break;
    case 0xE0: respond(0x00); break;  // test inputs: clock and data low
    default: break;
  }
}

void I8042::writeData(uint8_t value) {
  const uint8_t command = pending_command_;
  pending_command_ = 0;
  if (command >= 0x60 && command <= 0x7F) {
    ram_[command & 0x1F] = value;
    if (command == 0x60) {
      refill();  // enables may have changed
      updateIrqs();
    }
    return;
  }
  switch (command) {
    case 0xD1: writeOutputPort(value); return;
    case 0xD2: respond(value, Source::Keyboard); return;
    case 0xD3: respond(value, Source::Mouse); return;
    case 0xD4: mouse_.receiveFromHost(value); return;
    default: break;
  }
  // Data for the keyboard: writing it also enables the keyboard interface
  // (as the 8042 firmware does).
  ram_[0] &= ~kKbdDisabled;
  keyboard_.receiveFromHost(value);
  refill();
}

}  // namespace sv
