// The one clock of a VM. Every timer (TSC now; PIT, HPET, APIC timer, ACPI PM
// timer and RTC as they land) derives from it, so guest calibrations agree.
// By default it follows host monotonic time; in deterministic mode it is a
// pure function of retired instructions, so runs repeat exactly.
#pragma once

#include <cstdint>

namespace sv {

class VirtualClock {
 public:
  enum class Mode : uint8_t { Host, Deterministic };
  // Guest TSC frequency: 1 GHz keeps TSC ticks and nanoseconds equal.
  static constexpr uint64_t kTscHz = 1'000'000'000;

  explicit VirtualClock(Mode mode = Mode::Host, uint64_t ns_per_insn_shift = 0);
  Mode mode() const { return mode_; }
  // Deterministic mode reads the retired-instruction counter it is given.
  void attachInstructionCounter(const uint64_t* retired) { retired_ = retired; }

  uint64_t nowNs() const;
  uint64_t tsc() const { return nowNs(); }

  // A halted CPU waiting for a timer: deterministic mode jumps the clock
  // forward to `ns` (a halted-time offset added to the instruction-derived
  // time, so it stays a pure function of the run); host mode does nothing
  // (the caller sleeps, host time moves by itself).
  void skipIdleTo(uint64_t ns);

 private:
  Mode mode_;
  unsigned shift_;  // deterministic: 1 instruction = 2^shift ns (QEMU -icount shift)
  uint64_t host_start_ns_;
  const uint64_t* retired_ = nullptr;
  uint64_t idle_ns_ = 0;  // deterministic: virtual time spent halted
};

}  // namespace sv
