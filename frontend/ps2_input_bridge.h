// Connects the display's input (PS/2 set-2 byte sequences and relative
// mouse motion, devices/input_sinks.h) to the board's i8042: the keyboard
// takes whole key events (make code + E0 flag, pressed or released), so the
// byte stream is parsed back into keys here. Runs on the vCPU thread (the
// display is polled from Machine::run between slices), as the i8042 needs.
#pragma once

#include <cstdint>
#include <span>

#include "devices/i8042.h"
#include "devices/input_sinks.h"

namespace sv {

class Ps2InputBridge final : public KeyboardSink, public MouseSink {
 public:
  explicit Ps2InputBridge(I8042& controller) : controller_(controller) {}
  void scancodes(std::span<const uint8_t> bytes) override;
  void mouseMotion(int dx, int dy, int dz, uint8_t buttons) override;

 private:
  I8042& controller_;
  bool extended_ = false;  // E0 seen
  bool release_ = false;   // F0 seen
  unsigned pause_left_ = 0;  // bytes of the E1 Pause sequence still to skip
};

}  // namespace sv
