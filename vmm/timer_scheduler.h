// The Machine's list of timer devices (devices/timer_device.h): advances
// them all to the current virtual time and finds the earliest deadline,
// which the run loop uses to bound CPU slices and to end halts.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/timer_device.h"

namespace sv {

class TimerScheduler {
 public:
  static constexpr uint64_t kNoDeadline = TimerDevice::kNoDeadline;

  void add(TimerDevice& timer) { timers_.push_back(&timer); }

  // Brings every timer's outputs up to now_ns (raising due interrupt
  // lines) and returns the earliest next deadline, or kNoDeadline.
  uint64_t advanceAll(uint64_t now_ns) {
    uint64_t earliest = kNoDeadline;
    for (TimerDevice* t : timers_) {
      t->advanceTo(now_ns);
      const uint64_t d = t->nextDeadlineNs();
      if (d < earliest) earliest = d;
    }
    return earliest;
  }

 private:
  std::vector<TimerDevice*> timers_;  // owned by the Machine
};

}  // namespace sv
