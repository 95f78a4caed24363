#include "devices/ps2_keyboard.h"

#include "devices/ps2_scancodes.h"

namespace sv {

namespace {
constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kSelfTestPassed = 0xAA, kEcho = 0xEE;
}

void Ps2Keyboard::setDefaults() {
  set_ = 2;
  typematic_ = 0x2B;
  leds_ = 0;
}

void Ps2Keyboard::reset() {
  clearOutput();
  setDefaults();
  scanning_ = true;
  pending_command_ = 0;
}

void Ps2Keyboard::emit(uint8_t byte) {
  last_sent_ = byte;
  send(byte);
}

void Ps2Keyboard::receiveFromHost(uint8_t byte) {
  if (pending_command_) {
    const uint8_t command = pending_command_;
    pending_command_ = 0;
    // A command byte in place of an argument aborts the pending command
    // and runs (the keyboard treats any byte >= 0xED as a command).
    if (byte < 0xED || command == 0xF3) {
      switch (command) {
        case 0xED: leds_ = byte & 0x07; emit(kAck); return;
        case 0xF3: typematic_ = byte & 0x7F; emit(kAck); return;
        case 0xF0:
          if (byte == 0) {
            emit(kAck);
            emit(set_);
          } else if (byte == 1 || byte == 2) {
            set_ = byte;
            emit(kAck);
          } else {
            emit(kResend);  // set 3 is not implemented
          }
          return;
        default: break;
      }
    }
  }
  switch (byte) {
    case 0xED: case 0xF0: case 0xF3:
      pending_command_ = byte;
      emit(kAck);
      break;
    case 0xEE: emit(kEcho); break;
    case 0xF2: emit(kAck), emit(0xAB), emit(0x83); break;  // MF-II keyboard
    case 0xF4: clearOutput(), scanning_ = true, emit(kAck); break;
    case 0xF5: clearOutput(), setDefaults(), scanning_ = false, emit(kAck); break;
    case 0xF6: clearOutput(), setDefaults(), scanning_ = true, emit(kAck); break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD: emit(kAck); break;
    case 0xFE: send(last_sent_); break;
    case 0xFF:
      reset();
      emit(kAck);
      emit(kSelfTestPassed);
      break;
    default: emit(kResend); break;
  }
}

void Ps2Keyboard::keyEvent(uint16_t code, bool pressed) {
  if (!scanning_ || queueFull()) return;
  const bool extended = (code & 0xFF00) == kExtended;
  const uint8_t make = static_cast<uint8_t>(code);
  if (extended) emit(0xE0);
  if (set_ == 1) {
    emit(static_cast<uint8_t>(ps2::translateSet2ToSet1(make) | (pressed ? 0 : 0x80)));
    return;
  }
  if (!pressed) emit(0xF0);
  emit(make);
}

void Ps2Keyboard::keyPause() {
  if (!scanning_ || queueFull()) return;
  static constexpr uint8_t kSet2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
  static constexpr uint8_t kSet1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
  if (set_ == 1)
    for (uint8_t b : kSet1) emit(b);
  else
    for (uint8_t b : kSet2) emit(b);
}

}  // namespace sv
