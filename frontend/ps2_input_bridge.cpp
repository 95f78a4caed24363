#include "frontend/ps2_input_bridge.h"

namespace sv {

void Ps2InputBridge::scancodes(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) {
    if (pause_left_) {  // the rest of E1 14 77 E1 F0 14 F0 77
      --pause_left_;
      continue;
    }
    if (b == 0xE1) {
      controller_.keyboard().keyPause();
      pause_left_ = 7;
      continue;
    }
    if (b == 0xE0) {
      extended_ = true;
      continue;
    }
    if (b == 0xF0) {
      release_ = true;
      continue;
    }
    const uint16_t code = static_cast<uint16_t>(b | (extended_ ? Ps2Keyboard::kExtended : 0));
    controller_.keyboard().keyEvent(code, !release_);
    extended_ = release_ = false;
  }
}

void Ps2InputBridge::mouseMotion(int dx, int dy, int dz, uint8_t buttons) {
  // Both sides use screen conventions: dy > 0 down, dz > 0 towards the user.
  controller_.mouse().mouseEvent(dx, dy, dz, buttons);
}

}  // namespace sv
