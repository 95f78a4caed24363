#include "devices/reset_control.h"

namespace sv {

namespace {
constexpr uint8_t kSrst = 0x02;
constexpr uint8_t kRcpu = 0x04;
}  // namespace

uint32_t ResetControl::ioRead(uint16_t port, unsigned size) {
  return size == 1 ? value_ : (size == 2 ? 0xFF00u | value_ : 0xFFFFFF00u | value_);
}

void ResetControl::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  // Only a byte access is the RC register (0xCF8 dwords are CONFADD).
  const uint8_t v = static_cast<uint8_t>(value);
  const bool start = (v & kRcpu) && !(value_ & kRcpu);
  value_ = v & kSrst;  // RCPU is self-clearing (reads back 0)
  if (start && request_reset_) request_reset_();
}

}  // namespace sv
