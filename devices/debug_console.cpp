#include "devices/debug_console.h"

namespace sv {

DebugConsole::DebugConsole(std::FILE* out, bool owns_file) : out_(out), owns_file_(owns_file) {}

DebugConsole::~DebugConsole() {
  flush();
  if (owns_file_) std::fclose(out_);
}

uint32_t DebugConsole::ioRead(uint16_t /*port*/, unsigned /*size*/) { return 0xE9; }

void DebugConsole::ioWrite(uint16_t /*port*/, unsigned /*size*/, uint32_t value) {
  // Only the low byte is data, whatever the access width (as in QEMU).
  std::fputc(static_cast<int>(value & 0xFF), out_);
  if ((value & 0xFF) == '\n') std::fflush(out_);
}

void DebugConsole::flush() { std::fflush(out_); }

}  // namespace sv
