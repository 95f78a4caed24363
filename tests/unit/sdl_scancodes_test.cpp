// Host keys to PS/2 set 2 (IBM scan code set 2 tables).
#include <doctest/doctest.h>

#include <vector>

#include "frontend/sdl_scancodes.h"

using namespace sv;

namespace {
std::vector<uint8_t> seq(SDL_Scancode k, bool pressed) {
  const Ps2Sequence s = ps2Set2Sequence(k, pressed);
  return {s.bytes.begin(), s.bytes.begin() + s.length};
}
using Bytes = std::vector<uint8_t>;
}  // namespace

TEST_CASE("plain keys: make code, F0 + make on release") {
  CHECK(seq(SDL_SCANCODE_A, true) == Bytes{0x1C});
  CHECK(seq(SDL_SCANCODE_A, false) == Bytes{0xF0, 0x1C});
  CHECK(seq(SDL_SCANCODE_Z, true) == Bytes{0x1A});
  CHECK(seq(SDL_SCANCODE_1, true) == Bytes{0x16});
  CHECK(seq(SDL_SCANCODE_0, true) == Bytes{0x45});
  CHECK(seq(SDL_SCANCODE_RETURN, true) == Bytes{0x5A});
  CHECK(seq(SDL_SCANCODE_ESCAPE, true) == Bytes{0x76});
  CHECK(seq(SDL_SCANCODE_F7, true) == Bytes{0x83});
  CHECK(seq(SDL_SCANCODE_F12, false) == Bytes{0xF0, 0x07});
  CHECK(seq(SDL_SCANCODE_LSHIFT, true) == Bytes{0x12});
  CHECK(seq(SDL_SCANCODE_RSHIFT, true) == Bytes{0x59});
  CHECK(seq(SDL_SCANCODE_KP_7, true) == Bytes{0x6C});
  CHECK(seq(SDL_SCANCODE_KP_MULTIPLY, true) == Bytes{0x7C});
}

TEST_CASE("extended keys: E0 prefix, E0 F0 on release") {
  CHECK(seq(SDL_SCANCODE_RCTRL, true) == Bytes{0xE0, 0x14});
  CHECK(seq(SDL_SCANCODE_RALT, false) == Bytes{0xE0, 0xF0, 0x11});
  CHECK(seq(SDL_SCANCODE_UP, true) == Bytes{0xE0, 0x75});
  CHECK(seq(SDL_SCANCODE_LEFT, false) == Bytes{0xE0, 0xF0, 0x6B});
  CHECK(seq(SDL_SCANCODE_DELETE, true) == Bytes{0xE0, 0x71});
  CHECK(seq(SDL_SCANCODE_KP_ENTER, true) == Bytes{0xE0, 0x5A});
  CHECK(seq(SDL_SCANCODE_KP_DIVIDE, true) == Bytes{0xE0, 0x4A});
  CHECK(seq(SDL_SCANCODE_LGUI, true) == Bytes{0xE0, 0x1F});
}

TEST_CASE("Print Screen and Pause have their own sequences - Pause has no break") {
  CHECK(seq(SDL_SCANCODE_PRINTSCREEN, true) == Bytes{0xE0, 0x12, 0xE0, 0x7C});
  CHECK(seq(SDL_SCANCODE_PRINTSCREEN, false) == Bytes{0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12});
  CHECK(seq(SDL_SCANCODE_PAUSE, true) == Bytes{0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});
  CHECK(seq(SDL_SCANCODE_PAUSE, false).empty());
}

TEST_CASE("keys a PC keyboard lacks produce nothing") {
  CHECK(seq(SDL_SCANCODE_F20, true).empty());
  CHECK(seq(SDL_SCANCODE_UNKNOWN, true).empty());
}
