// Keys typed into the window (SDL events, as the window system delivers
// them) reach the keyboard sink as PS/2 set-2 bytes; Ctrl+Alt hot keys
// are kept from the guest.
#include <doctest/doctest.h>

#include <vector>

#include "frontend/display_controller.h"
#include "vmm/machine.h"

using namespace sv;

namespace {
struct RecordingKeyboard final : KeyboardSink {
  std::vector<uint8_t> bytes;
  void scancodes(std::span<const uint8_t> b) override { bytes.insert(bytes.end(), b.begin(), b.end()); }
};

void pushKey(uint32_t window, SDL_Scancode key, bool down, uint16_t mods = 0) {
  SDL_Event e{};
  e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
  e.key.windowID = window;
  e.key.state = down ? SDL_PRESSED : SDL_RELEASED;
  e.key.keysym.scancode = key;
  e.key.keysym.mod = mods;
  REQUIRE(SDL_PushEvent(&e) == 1);
}
}  // namespace

TEST_CASE("SDL key events become PS/2 set-2 scancodes - Ctrl+Alt+G grabs instead of typing") {
  MachineConfig c;
  c.direct_boot = DirectBootConfig{SV_VGA_PATTERNS_KERNEL, "", "mode13"};
  c.com1.reset();
  Machine m(c);
  DisplayOptions d;
  d.kind = DisplayOptions::Kind::Sdl;
  DisplayController display(m, d);
  REQUIRE(display.hasWindow());
  RecordingKeyboard keyboard;
  display.setInputSinks(&keyboard, nullptr);
  const uint32_t id = display.window()->id();
  pushKey(id, SDL_SCANCODE_H, true);
  pushKey(id, SDL_SCANCODE_H, false);
  pushKey(id, SDL_SCANCODE_UP, true);
  pushKey(id, SDL_SCANCODE_G, true, KMOD_LCTRL | KMOD_LALT);
  display.refreshNow();
  CHECK(keyboard.bytes == std::vector<uint8_t>{0x33, 0xF0, 0x33, 0xE0, 0x75});
  CHECK(display.window()->mouseGrabbed());
}
