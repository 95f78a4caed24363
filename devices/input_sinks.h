// Where host input goes: the keyboard controller takes PS/2 scancode set 2
// byte sequences (make, F0 break, E0/E1 prefixes; the 8042 translates them
// to set 1 for the guest when its command byte says so), the mouse takes
// relative motion. The frontend produces them; a device implements them.
#pragma once
#include <cstdint>
#include <span>

namespace sv {

class KeyboardSink {
 public:
  virtual ~KeyboardSink() = default;
  virtual void scancodes(std::span<const uint8_t> bytes) = 0;
};

class MouseSink {
 public:
  virtual ~MouseSink() = default;
  // dx right, dy down (host convention), dz wheel; buttons bit 0 left,
  // 1 right, 2 middle.
  virtual void mouseMotion(int dx, int dy, int dz, uint8_t buttons) = 0;
};

}  // namespace sv
