// Motorola MC146818A real-time clock with its 128 bytes of CMOS RAM, at
// ports 0x70 (index; bit 7 is the PC's NMI mask) and 0x71 (data), IRQ 8.
//
// Time comes from the VM's virtual clock: the calendar is a count of UTC
// epoch seconds that advances by one at each update cycle, which happens
// once per virtual second on the divider chain's phase. Nothing ticks: every
// access and advanceTo() bring the chip up to the clock lazily (updates,
// periodic ticks, alarms, flags), so it costs nothing while nobody looks.
// The guest sets the time as on the real chip (SET bit, write, clear SET);
// from then on the RTC keeps the guest's time, advancing with the clock.
//
// Simplifications, none visible to SeaBIOS or Linux: the update cycle itself
// is instantaneous (UIP covers the 244 us before it, not the 1984 us of the
// cycle); time registers are regenerated from the calendar, so an invalid
// value written outside SET mode reads back normalised and a change of the
// DM or 24/12 bit re-encodes the registers; DSE (daylight saving) and the
// square-wave output (SQWE) are stored but have no effect; only the 32.768
// kHz time base (DV = 010) runs the clock.
#pragma once

#include <array>
#include <cstdint>

#include "devices/cmos_board_config.h"
#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/irq_output.h"
#include "devices/rtc_calendar.h"
#include "devices/timer_device.h"

namespace sv {

class CmosRtc final : public IoDevice, public TimerDevice {
 public:
  static constexpr uint16_t kIndexPort = 0x70;
  static constexpr uint16_t kDataPort = 0x71;
  static constexpr unsigned kPortCount = 2;
  static constexpr unsigned kIrq = 8;

  // start_epoch_s: UTC time (seconds since 1970) at the clock's current
  // time, e.g. the host's time, or a fixed value for deterministic runs.
  // irq8 receives the level of the IRQ output (active while IRQF is set).
  CmosRtc(DeviceClock& clock, IrqOutput::Sink irq8, int64_t start_epoch_s,
          const CmosBoardConfig& board);

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

  // The RESET pin (machine reset): clears the interrupt enables and flags;
  // time, registers A and D and the CMOS RAM survive (battery backed).
  void reset();

  bool nmiMasked() const { return nmi_masked_; }
  bool irqLevel() const { return irq_.level(); }
  // The raw CMOS byte, for the board and for debugging; no side effects.
  uint8_t peek(uint8_t index) const { return cmos_[index & 0x7F]; }

 private:
  uint8_t readRegister(uint8_t index);
  void writeRegister(uint8_t index, uint8_t value);
  void writeRegisterA(uint8_t value);
  void writeRegisterB(uint8_t value);

  void sync(uint64_t now_ns);  // runs updates and periodic ticks up to now
  bool calendarRunning() const;
  RtcFormat format() const;
  void latchCalendar();        // calendar -> time registers
  void loadCalendar();         // time registers -> calendar
  bool alarmMatches(int64_t epoch_s) const;
  unsigned periodicShift() const;  // log2 of the period in 32.768 kHz ticks
  uint64_t periodicTicksAt(uint64_t now_ns) const;
  uint64_t nextUpdateNs() const;
  uint64_t nextPeriodicNs() const;
  bool irqFlag() const;
  void updateIrq();

  DeviceClock& clock_;
  IrqOutput irq_;
  std::array<uint8_t, 128> cmos_{};
  uint8_t index_ = 0;
  bool nmi_masked_ = false;

  // The divider chain: running only with DV = 010. Updates happen at
  // origin + k s (k >= 1), periodic ticks on the same 32.768 kHz phase.
  bool divider_running_ = true;
  int64_t origin_ns_ = 0;
  uint64_t updates_done_ = 0;   // update cycles accounted for since origin
  uint64_t periodic_done_ = 0;  // periodic ticks accounted for since origin
  int64_t calendar_s_ = 0;      // the time, while the calendar runs
  unsigned weekday_offset_ = 0; // guest's day-of-week minus the real one, mod 7
};

}  // namespace sv
