#include "devices/debug_exit.h"

namespace sv {

uint32_t DebugExit::ioRead(uint16_t /*port*/, unsigned size) { return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1; }

void DebugExit::ioWrite(uint16_t /*port*/, unsigned /*size*/, uint32_t value) {
  // The process exit status is 8 bits wide, like QEMU's.
  on_exit_(static_cast<int>(((value << 1) | 1) & 0xFF));
}

}  // namespace sv
