// The HPET event timer block (IA-PC HPET specification 1.0a): a 64-bit main
// counter at 100 MHz (period 10,000,000 fs, as QEMU's) computed from the
// virtual clock, and three comparators, each one-shot or periodic, 64- or
// 32-bit, edge or level, routed to an I/O APIC pin or, in legacy
// replacement mode, timer 0 to IRQ0 and timer 1 to IRQ8 (where they
// replace the 8254 and the RTC). FSB (MSI) delivery is not offered.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "devices/apic/apic_board.h"
#include "devices/device_clock.h"
#include "devices/timer_device.h"
#include "memory/physical_memory.h"

namespace sv {

class Hpet final : public MmioHandler, public TimerDevice {
 public:
  static constexpr unsigned kTimers = apic_board::kHpetTimers;
  static constexpr uint64_t kNsPerTick = apic_board::kHpetPeriodFs / 1'000'000;

  struct Wiring {
    std::function<void(unsigned pin, bool level)> ioapic;     // Tn_INT_ROUTE_CNF pins
    std::function<void(unsigned irq, bool level)> legacy;     // IRQ0 / IRQ8 in legacy replacement mode
    std::function<void(bool on)> legacy_mode;                 // LEG_RT_CNF && ENABLE_CNF changed
    std::function<void()> deadline_changed;                   // the guest reprogrammed a timer
  };

  Hpet(DeviceClock& clock, Wiring wiring);
  void reset();
  bool legacyReplacement() const { return (config_ & 3) == 3; }

  uint64_t mmioRead(uint64_t offset, unsigned size) override;
  void mmioWrite(uint64_t offset, unsigned size, uint64_t value) override;
  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

  uint64_t readRegister(uint64_t offset);  // 64-bit register at an 8-byte aligned offset
  void writeRegister(uint64_t offset, uint64_t value, uint64_t mask);

 private:
  struct Timer {
    uint64_t config = 0;
    uint64_t comparator = 0;
    uint64_t period = 0;
    bool line = false;  // level of its output (level mode: status bit set; edge mode on a legacy route: held)
  };
  bool enabled() const { return config_ & 1; }
  uint64_t counterAt(uint64_t now_ns) const;
  // Brings comparators and outputs up to the counter at now_ns.
  void update(uint64_t now_ns);
  void fire(unsigned n);
  void setOutput(unsigned n, bool level);
  void writeTimerConfig(unsigned n, uint64_t value);
  // Ticks from counter `from` until timer n's comparator matches (0: never).
  uint64_t ticksToMatch(const Timer& t, uint64_t from) const;

  DeviceClock& clock_;
  Wiring wiring_;
  uint64_t config_ = 0;
  uint64_t status_ = 0;
  uint64_t counter_base_ = 0;  // the counter at base_ns_ (or its frozen value while halted)
  uint64_t base_ns_ = 0;
  uint64_t last_counter_ = 0;  // the counter when comparators were last looked at
  std::array<Timer, kTimers> timers_{};
};

}  // namespace sv
