#include "vmm/virtual_clock.h"

#include <ctime>

namespace sv {

namespace {
uint64_t hostMonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

VirtualClock::VirtualClock(Mode mode, uint64_t ns_per_insn_shift)
    : mode_(mode), shift_(static_cast<unsigned>(ns_per_insn_shift)), host_start_ns_(hostMonotonicNs()) {}

uint64_t VirtualClock::nowNs() const {
  if (mode_ == Mode::Deterministic) return (retired_ ? (*retired_ << shift_) : 0) + idle_ns_;
  return hostMonotonicNs() - host_start_ns_;
}

void VirtualClock::skipIdleTo(uint64_t ns) {
  if (mode_ != Mode::Deterministic) return;
  const uint64_t now = nowNs();
  if (ns > now) idle_ns_ += ns - now;
}

}  // namespace sv
