#include "vmm/console_escape.h"

namespace sv {

ConsoleEscape::Action ConsoleEscape::feed(uint8_t byte) {
  if (!escaped_) {
    if (byte == kEscapeKey) {
      escaped_ = true;
      return Action::None;
    }
    return Action::Forward;
  }
  escaped_ = false;
  switch (byte) {
    case kEscapeKey: return Action::Forward;
    case 'x': return Action::Quit;
    case 'h': case '?': return Action::Help;
    default: return Action::None;
  }
}

const char* ConsoleEscape::helpText() {
  return "\r\nC-a h    print this help\r\n"
         "C-a x    exit emulator\r\n"
         "C-a C-a  sends C-a\r\n";
}

}  // namespace sv
