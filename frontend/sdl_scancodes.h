// Host keys (SDL scancodes, i.e. USB HID usages: positions, not symbols)
// to PS/2 scancode set 2 byte sequences, as a PC keyboard sends them:
// make code, F0 + make for a break, E0 before extended keys, and the two
// odd ones, Print Screen (E0 12 E0 7C) and Pause (E1 14 77 E1 F0 14 F0 77,
// on press only).
#pragma once
#include <SDL_scancode.h>

#include <array>
#include <cstdint>
#include <span>

namespace sv {

struct Ps2Sequence {
  std::array<uint8_t, 8> bytes{};
  uint8_t length = 0;
  std::span<const uint8_t> view() const { return {bytes.data(), length}; }
};

// Empty for keys a PC keyboard does not have.
Ps2Sequence ps2Set2Sequence(SDL_Scancode key, bool pressed);

}  // namespace sv
