// How a timer device reads the VM's one virtual clock. devices/ may not
// include vmm/, so the Machine implements this over its VirtualClock.
#pragma once

#include <cstdint>

namespace sv {

class DeviceClock {
 public:
  virtual ~DeviceClock() = default;
  // Nanoseconds of virtual time; never goes backwards.
  virtual uint64_t nowNs() = 0;
};

}  // namespace sv
