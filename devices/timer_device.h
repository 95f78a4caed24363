// The seam between time-driven devices and the Machine's run loop. A timer
// device (PIT now; RTC, HPET, APIC timer, ACPI PM timer later) computes its
// state lazily from the VM's virtual clock; nothing ticks per instruction.
// The run loop asks every timer device for its next deadline, bounds the
// CPU's slice by the earliest one, and advances the devices to the current
// time at slice boundaries, which is when they raise their interrupt lines.
#pragma once

#include <cstdint>
#include <limits>

namespace sv {

class TimerDevice {
 public:
  static constexpr uint64_t kNoDeadline = std::numeric_limits<uint64_t>::max();

  virtual ~TimerDevice() = default;
  // The earliest virtual time (ns) at which an output of the device changes
  // (so advanceTo must be called then), or kNoDeadline while nothing is
  // armed. Valid after advanceTo(now) for the current time.
  virtual uint64_t nextDeadlineNs() = 0;
  // Brings the device's outputs (interrupt lines) up to virtual time now_ns.
  // Times passed in never decrease.
  virtual void advanceTo(uint64_t now_ns) = 0;
};

}  // namespace sv
