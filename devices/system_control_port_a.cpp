#include "devices/system_control_port_a.h"

namespace sv {

uint32_t SystemControlPortA::ioRead(uint16_t port, unsigned size) {
  return size == 1 ? value_ : (size == 2 ? 0xFF00u | value_ : 0xFFFFFF00u | value_);
}

void SystemControlPortA::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  const uint8_t v = static_cast<uint8_t>(value);
  const uint8_t old = value_;
  value_ = static_cast<uint8_t>(v & ~kFastReset);  // the reset bit reads back 0 once the reset is done
  if ((v ^ old) & kA20 && set_a20_) set_a20_((v & kA20) != 0);
  if ((v & kFastReset) && !(old & kFastReset) && request_reset_) request_reset_();
}

}  // namespace sv
