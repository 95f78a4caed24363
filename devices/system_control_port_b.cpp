#include "devices/system_control_port_b.h"

namespace sv {

void SystemControlPortB::attach(IoBus& bus) { bus.registerPorts(0x61, 1, *this, "port-b"); }

void SystemControlPortB::reset() {
  control_ = 0;
  pit_.setGate2(false);
}

uint32_t SystemControlPortB::ioRead(uint16_t, unsigned size) {
  const bool refresh = (clock_.nowNs() / kRefreshPeriodNs) & 1;
  uint32_t v = control_ | (refresh ? 0x10 : 0) | (pit_.out2() ? 0x20 : 0);
  // A wider access reaches the open bus above port 0x61.
  for (unsigned i = 1; i < size; ++i) v |= 0xFFu << (8 * i);
  return v;
}

void SystemControlPortB::ioWrite(uint16_t, unsigned, uint32_t value) {
  control_ = static_cast<uint8_t>(value & 0x0F);
  pit_.setGate2(control_ & 1);
}

}  // namespace sv
