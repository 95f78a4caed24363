// A PS/2 mouse on the i8042's auxiliary port, with the IntelliMouse wheel
// extension: reset 0xFF -> FA AA 00, get ID 0xF2 (0, or 3 after the sample
// rate sequence 200, 100, 80), sample rate 0xF3, resolution 0xE8, scaling
// 0xE6/0xE7, status request 0xE9 (three status bytes), stream 0xEA /
// remote 0xF0 mode, read data 0xEB, wrap mode 0xEE/0xEC, enable 0xF4 /
// disable 0xF5 reporting, defaults 0xF6, resend 0xFE; unknown commands get
// 0xFE.
//
// Host seam: mouseEvent(dx, dy, dz, buttons) with screen conventions (dy > 0
// = down, dz > 0 = wheel towards the user), buttons bit 0 left, 1 right,
// 2 middle. In stream mode with reporting on, movement becomes 3-byte
// packets (4 with the wheel), each carrying at most +-255 counts; the rest
// waits for the next packet, so nothing is lost while the queue is full.
// Scaling 2:1 is not applied (Linux and X never enable it).
#pragma once

#include <cstdint>

#include "devices/ps2_device.h"

namespace sv {

class Ps2Mouse final : public Ps2Device {
 public:
  Ps2Mouse() { reset(); }
  void receiveFromHost(uint8_t byte) override;
  void reset() override;

  void mouseEvent(int dx, int dy, int dz, uint8_t buttons);

  uint8_t deviceId() const { return id_; }
  bool reporting() const { return reporting_; }
  uint8_t sampleRate() const { return rate_; }

 private:
  void setDefaults();
  void emit(uint8_t byte);
  void sendPacket();   // one packet from the accumulated motion
  void flushMotion();  // packets while there is motion and room
  void outputTaken() override { flushMotion(); }

  uint8_t pending_command_ = 0;  // awaiting an argument for E8/F3
  uint8_t last_sent_ = 0;
  uint8_t rate_ = 100;
  uint8_t resolution_ = 2;  // 4 counts/mm
  bool scaling_2to1_ = false;
  bool reporting_ = false;
  bool remote_ = false;
  bool wrap_ = false;
  uint8_t id_ = 0;
  uint8_t rate_history_[3] = {};
  int dx_ = 0, dy_ = 0, dz_ = 0;  // PS/2 conventions: dy > 0 = up
  uint8_t buttons_ = 0;
  bool buttons_changed_ = false;
};

}  // namespace sv
