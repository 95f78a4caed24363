// QEMU's isa-debugcon: every byte written to the port goes to an output
// (stdout or a file). Reading the port returns 0xE9, which is how Bochs- and
// QEMU-aware guests detect the console.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "devices/io_bus.h"

namespace sv {

class DebugConsole final : public IoDevice {
 public:
  // `out` is borrowed (stdout) or owned (a file opened by the caller and
  // handed over with owns_file = true).
  DebugConsole(std::FILE* out, bool owns_file);
  ~DebugConsole() override;
  DebugConsole(const DebugConsole&) = delete;
  DebugConsole& operator=(const DebugConsole&) = delete;

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;
  void flush();

 private:
  std::FILE* out_;
  bool owns_file_;
};

}  // namespace sv
