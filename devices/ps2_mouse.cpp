#include "devices/ps2_mouse.h"

#include <algorithm>

namespace sv {

namespace {
constexpr uint8_t kAck = 0xFA, kResend = 0xFE, kSelfTestPassed = 0xAA;
constexpr uint8_t kIntelliMouseId = 3;
constexpr int kPacketRange = 255;  // 9-bit two's complement per packet
}  // namespace

void Ps2Mouse::setDefaults() {
  rate_ = 100;
  resolution_ = 2;
  scaling_2to1_ = false;
  reporting_ = false;
  remote_ = false;
}

void Ps2Mouse::reset() {
  clearOutput();
  setDefaults();
  wrap_ = false;
  id_ = 0;
  pending_command_ = 0;
  std::fill(std::begin(rate_history_), std::end(rate_history_), 0);
  dx_ = dy_ = dz_ = 0;
  buttons_changed_ = false;
}

void Ps2Mouse::emit(uint8_t byte) {
  last_sent_ = byte;
  send(byte);
}

void Ps2Mouse::receiveFromHost(uint8_t byte) {
  if (wrap_ && byte != 0xEC && byte != 0xFF) {
    emit(byte);  // wrap (echo) mode
    return;
  }
  if (pending_command_) {
    const uint8_t command = pending_command_;
    pending_command_ = 0;
    if (command == 0xE8) {
      resolution_ = byte & 3;
      emit(kAck);
      return;
    }
    // 0xF3: IntelliMouse knock 200, 100, 80 makes the ID 3.
    rate_ = byte;
    std::copy(rate_history_ + 1, rate_history_ + 3, rate_history_);
    rate_history_[2] = byte;
    if (rate_history_[0] == 200 && rate_history_[1] == 100 && rate_history_[2] == 80) id_ = kIntelliMouseId;
    emit(kAck);
    return;
  }
  switch (byte) {
    case 0xE6: scaling_2to1_ = false, emit(kAck); break;
    case 0xE7: scaling_2to1_ = true, emit(kAck); break;
    case 0xE8: case 0xF3: pending_command_ = byte, emit(kAck); break;
    case 0xE9:
      emit(kAck);
      emit(static_cast<uint8_t>((remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) | (scaling_2to1_ ? 0x10 : 0) |
                                ((buttons_ & 1) << 2) | ((buttons_ & 4) >> 1) | ((buttons_ & 2) >> 1)));
      emit(resolution_);
      emit(rate_);
      break;
    case 0xEA: remote_ = false, emit(kAck); break;
    case 0xEB: emit(kAck), sendPacket(); break;
    case 0xEC: wrap_ = false, emit(kAck); break;
    case 0xEE: wrap_ = true, emit(kAck); break;
    case 0xF0: remote_ = true, emit(kAck); break;
    case 0xF2: emit(kAck), emit(id_); break;
    case 0xF4: reporting_ = true, dx_ = dy_ = dz_ = 0, emit(kAck); break;
    case 0xF5: reporting_ = false, emit(kAck); break;
    case 0xF6: setDefaults(), emit(kAck); break;
    case 0xFE: send(last_sent_); break;
    case 0xFF:
      reset();
      emit(kAck);
      emit(kSelfTestPassed);
      emit(id_);
      break;
    default: emit(kResend); break;
  }
}

void Ps2Mouse::mouseEvent(int dx, int dy, int dz, uint8_t buttons) {
  if (!reporting_) {
    buttons_ = buttons & 7;  // a disabled mouse sends nothing and forgets motion
    return;
  }
  dx_ += dx;
  dy_ -= dy;  // PS/2 counts up as positive
  dz_ += dz;
  if ((buttons & 7) != buttons_) buttons_changed_ = true;
  buttons_ = buttons & 7;
  flushMotion();
}

void Ps2Mouse::sendPacket() {
  const int x = std::clamp(dx_, -kPacketRange, kPacketRange);
  const int y = std::clamp(dy_, -kPacketRange, kPacketRange);
  const int z = std::clamp(dz_, -8, 7);  // 4-bit wheel count
  dx_ -= x, dy_ -= y, dz_ -= z;
  buttons_changed_ = false;
  emit(static_cast<uint8_t>(0x08 | buttons_ | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0)));
  emit(static_cast<uint8_t>(x));
  emit(static_cast<uint8_t>(y));
  if (id_ == kIntelliMouseId) emit(static_cast<uint8_t>(z & 0x0F));
}

void Ps2Mouse::flushMotion() {
  if (!reporting_ || remote_ || wrap_) return;
  while ((dx_ || dy_ || dz_ || buttons_changed_) && queued() + 4 <= kQueueLimit / 2) sendPacket();
}

}  // namespace sv
