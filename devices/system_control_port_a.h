// System control port A at I/O 0x92 (PS/2 "fast A20 and reset", also in
// the PIIX3: 82371SB 2.2.3, PORT92): bit 1 gates A20, a 0 -> 1 transition of
// bit 0 resets the CPU (the board treats it as a machine reset, as QEMU
// does). The other bits are stored.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/io_bus.h"

namespace sv {

class SystemControlPortA final : public IoDevice {
 public:
  SystemControlPortA(std::function<void(bool enabled)> set_a20, std::function<void()> request_reset)
      : set_a20_(std::move(set_a20)), request_reset_(std::move(request_reset)) {}
  void attach(IoBus& io) { io.registerPorts(0x92, 1, *this, "port92"); }
  // Power-on: A20 enabled (bit 1 set), as on QEMU's "pc" machine.
  void reset() { value_ = kA20; }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  static constexpr uint8_t kFastReset = 0x01;
  static constexpr uint8_t kA20 = 0x02;
  std::function<void(bool)> set_a20_;
  std::function<void()> request_reset_;
  uint8_t value_ = kA20;
};

}  // namespace sv
