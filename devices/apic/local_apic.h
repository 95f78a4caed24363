// The local APIC of the one vCPU, xAPIC mode (Intel SDM Vol. 3A, ch. 11):
// the memory-mapped register page at the APIC base MSR's address, the
// 256-bit IRR/ISR/TMR with TPR/PPR/APR priorities, EOI (broadcast to the
// I/O APIC for level-triggered vectors), SVR, ESR, the ICR (self IPIs on a
// one-CPU system), the six LVT entries (max LVT 5) and the timer (one-shot
// and periodic, divide configuration) on the virtual clock.
//
// The CPU sees it as its interrupt controller: it pushes INTR to the CPU
// and answers the INTA cycle, forwarding ExtINT acknowledges to the 8259
// wired to LINT0 (virtual-wire mode). With the APIC globally disabled
// (IA32_APIC_BASE[11] = 0) the 8259's INT reaches the CPU directly.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "cpu/platform.h"
#include "devices/device_clock.h"
#include "devices/timer_device.h"
#include "memory/physical_memory.h"

namespace sv {

// How an interrupt message reaches a local APIC (SDM 11.6.1, ICR bits
// 10:8; the same encoding in the I/O APIC's redirection entries).
enum class ApicDeliveryMode : uint8_t { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, StartUp = 6, ExtInt = 7 };

class LocalApic final : public MmioHandler, public InterruptAcknowledge, public LocalApicPort, public TimerDevice {
 public:
  // The timer counts this clock divided by the divide configuration (as
  // QEMU, one tick per nanosecond of virtual time).
  static constexpr uint64_t kTimerClockHz = 1'000'000'000;
  static constexpr uint64_t kBaseMsrBsp = 1u << 8, kBaseMsrEnable = 1u << 11;

  struct Wiring {
    std::function<void(bool)> intr;           // the CPU's INTR input
    std::function<void()> nmi;                // an NMI for the CPU
    std::function<void(uint8_t)> eoi;         // EOI of a level-triggered vector (to the I/O APIC)
    std::function<void(uint64_t)> moved;      // the register page moved (base) or was unmapped (~0)
    std::function<void()> deadline_changed;   // the guest reprogrammed the timer
    InterruptAcknowledge* ext_int = nullptr;  // the 8259 behind LINT0
  };

  LocalApic(DeviceClock& clock, uint8_t apic_id, Wiring wiring);

  // Power-on/RESET (SDM 11.4.7.1), then the virtual-wire setup a PC
  // firmware leaves behind (LINT0 ExtINT, LINT1 NMI), as QEMU does at reset
  // so a directly booted kernel finds the 8259 reachable.
  void reset();

  // IA32_APIC_BASE. setBaseMsr returns false for a value the MSR refuses
  // (#GP): reserved bits, no x2APIC.
  uint64_t baseMsr() const { return base_msr_; }
  bool setBaseMsr(uint64_t value);
  bool globallyEnabled() const { return base_msr_ & kBaseMsrEnable; }
  uint64_t mmioBase() const { return base_msr_ & kBaseAddressMask; }

  // CR8 in 64-bit mode is TPR[7:4] (SDM 11.8.6.5).
  uint8_t cr8() const { return static_cast<uint8_t>(tpr_ >> 4); }
  void setCr8(uint8_t value);

  // An interrupt message from the I/O APIC (or an IPI): delivered when the
  // destination names this APIC (SDM 11.6.2).
  void deliverMessage(ApicDeliveryMode mode, uint8_t vector, bool level_triggered, bool logical, uint8_t destination);
  // Local interrupt pins: LINT0 carries the 8259's INT, LINT1 the board NMI.
  void setLint(unsigned pin, bool level);

  // The CPU's side (cpu/platform.h).
  uint64_t apicBaseMsr() override { return baseMsr(); }
  bool writeApicBaseMsr(uint64_t value) override { return setBaseMsr(value); }
  uint8_t taskPriorityCr8() override { return cr8(); }
  void writeTaskPriorityCr8(uint8_t value) override { setCr8(value); }
  bool apicGloballyEnabled() override { return globallyEnabled(); }
  uint8_t initialApicId() override { return hardware_id_; }

  uint8_t acknowledgeInterrupt() override;
  uint64_t mmioRead(uint64_t offset, unsigned size) override;
  void mmioWrite(uint64_t offset, unsigned size, uint64_t value) override;
  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

  // What the CPU's INTR line is now (for the run loop's halt test).
  bool intr() const { return intr_; }
  // Register access by offset, for tests and the MMIO path.
  uint32_t readRegister(uint32_t offset);
  void writeRegister(uint32_t offset, uint32_t value);

 private:
  static constexpr uint64_t kBaseAddressMask = 0xFFFFFF000ull & ((1ull << 40) - 1);
  enum Lvt : unsigned { kLvtTimer, kLvtThermal, kLvtPerf, kLvtLint0, kLvtLint1, kLvtError, kLvtCount };
  using Bits256 = std::array<uint32_t, 8>;

  void resetRegisters();
  bool softwareEnabled() const { return svr_ & 0x100; }
  uint8_t ppr() const;
  uint8_t apr() const;
  void acceptFixed(uint8_t vector, bool level_triggered);
  void raiseError(uint32_t bit);
  void endOfInterrupt();
  void sendIpi();
  bool destinationIsSelf(bool logical, uint8_t destination) const;
  void fireLvt(unsigned lvt);
  bool extIntPending() const;
  void updateIntr();
  // Timer: the count as a function of virtual time.
  uint32_t currentCount(uint64_t now) const;
  void startTimer(uint64_t now);
  void scheduleTimer(uint64_t now);
  bool timerPeriodic() const { return lvt_[kLvtTimer] & (1u << 17); }
  void writeDivide(uint32_t value, uint64_t now);

  DeviceClock& clock_;
  const uint8_t hardware_id_;  // the APIC ID the board gives at RESET
  Wiring wiring_;
  uint64_t base_msr_ = 0;
  uint32_t id_ = 0, tpr_ = 0, ldr_ = 0, dfr_ = 0xFFFFFFFF, svr_ = 0xFF;
  uint32_t esr_ = 0, esr_pending_ = 0;
  uint32_t icr_low_ = 0, icr_high_ = 0;
  Bits256 irr_{}, isr_{}, tmr_{};
  std::array<uint32_t, kLvtCount> lvt_{};
  bool lint_level_[2] = {};
  bool ext_int_message_ = false;  // an ExtINT message (I/O APIC) awaits its INTA
  // Timer.
  uint32_t initial_count_ = 0, divide_config_ = 0;
  unsigned divide_shift_ = 1;  // log2 of the divisor
  uint64_t timer_start_ns_ = 0;  // when the count was (re)loaded
  uint64_t timer_next_ns_ = kNoDeadline;  // next expiry not yet fired
  bool intr_ = false;
};

}  // namespace sv
