// QEMU's isa-debug-exit: a write of V to the port ends the VM with exit
// status (V << 1) | 1, so a guest test can report pass/fail to the host.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/io_bus.h"

namespace sv {

class DebugExit final : public IoDevice {
 public:
  explicit DebugExit(std::function<void(int status)> on_exit) : on_exit_(std::move(on_exit)) {}
  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  std::function<void(int)> on_exit_;
};

}  // namespace sv
