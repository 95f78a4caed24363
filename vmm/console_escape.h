// QEMU's character-device multiplexer escapes on a stdio serial console
// (docs "Keys in the character backend multiplexer"): Ctrl-A x quits,
// Ctrl-A h prints help, Ctrl-A Ctrl-A sends one Ctrl-A to the guest; any
// other key after Ctrl-A is dropped (QEMU's c, s, b, t have no meaning
// here).
#pragma once

#include <cstdint>

namespace sv {

class ConsoleEscape {
 public:
  static constexpr uint8_t kEscapeKey = 0x01;  // Ctrl-A
  enum class Action : uint8_t { None, Forward, Quit, Help };

  // Feeds one host byte; Forward means: give `byte` to the guest.
  Action feed(uint8_t byte);
  static const char* helpText();

 private:
  bool escaped_ = false;
};

}  // namespace sv
