// Port 0x61, "NMI Status and Control" (PIIX3 datasheet, NMISC; the PC/AT's
// port B): bit 0 is counter 2's GATE (speaker timer gate), bit 1 speaker
// data, bits 2-3 the parity/IOCHK NMI enables (stored, no NMI sources yet);
// read-only bit 4 toggles with every DRAM refresh request (every
// 15.085 us; firmware delay loops count its edges), bit 5 is counter 2's
// OUT, bits 6-7 (NMI sources) read 0.
#pragma once

#include <cstdint>

#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/pit8254.h"

namespace sv {

class SystemControlPortB final : public IoDevice {
 public:
  static constexpr uint64_t kRefreshPeriodNs = 15'085;

  SystemControlPortB(DeviceClock& clock, Pit8254& pit) : clock_(clock), pit_(pit) {}
  void attach(IoBus& bus);
  void reset();

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  DeviceClock& clock_;
  Pit8254& pit_;
  uint8_t control_ = 0;  // bits 0-3 as written
};

}  // namespace sv
