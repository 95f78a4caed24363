// The board a unit-test Cpu runs on: no devices (ports read as all ones,
// writes vanish) and a TSC the test sets by hand.
#pragma once

#include <cstdint>

#include "cpu/platform.h"

namespace sv::testing {

class NullPorts final : public PortIo {
 public:
  uint32_t portRead(uint16_t, unsigned) override { return 0xFFFFFFFF; }
  void portWrite(uint16_t, unsigned, uint32_t) override {}
};

class FixedClock final : public TimeSource {
 public:
  uint64_t now = 1000;
  uint64_t tscNow() override { return now; }
};

}  // namespace sv::testing
