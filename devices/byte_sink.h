// Where a character device's output goes (stdio, a file, a socket, a test
// buffer). The frontend owns the sink; a device borrows it.
#pragma once

#include <cstdint>

namespace sv {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void putByte(uint8_t byte) = 0;
};

}  // namespace sv
