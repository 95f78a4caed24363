// The PIIX3 reset control register at I/O 0xCF9 (82371SB 2.2.4, RC):
// bit 1 SRST selects a hard reset, bit 2 RCPU resets on its 0 -> 1
// transition. Either kind resets the whole machine here (we have no
// soft-reset-only state), so the board just gets a reset request.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/io_bus.h"

namespace sv {

class ResetControl final : public IoDevice {
 public:
  explicit ResetControl(std::function<void()> request_reset) : request_reset_(std::move(request_reset)) {}
  void attach(IoBus& io) { io.registerPorts(0xCF9, 1, *this, "piix3-reset-control"); }
  void reset() { value_ = 0; }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  std::function<void()> request_reset_;
  uint8_t value_ = 0;
};

}  // namespace sv
