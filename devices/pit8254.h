// The Intel 8254 programmable interval timer of the PC at ports 0x40-0x43:
// three PitCounters on one 1.193182 MHz input clock, derived lazily from
// the VM's virtual clock. Counter 0's OUT drives IRQ0; counter 1 (DRAM
// refresh on old PCs) has no consumer; counter 2's GATE and OUT belong to
// port 0x61 (SystemControlPortB).
//
// Reference: Intel 82C54 datasheet (order 231244), "Control Word Register",
// "Counter Latch Command", "Read-Back Command", "Status Byte".
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/pit_counter.h"
#include "devices/timer_device.h"

namespace sv {

class Pit8254 final : public IoDevice, public TimerDevice {
 public:
  static constexpr uint64_t kInputHz = 1'193'182;

  // irq0 receives every change of the IRQ0 line (counter 0's OUT).
  Pit8254(DeviceClock& clock, std::function<void(bool)> irq0);
  // Called after a guest write that may have moved the next deadline, so
  // the run loop can end the current slice and reschedule.
  void setDeadlineChangedCallback(std::function<void()> cb) { deadline_changed_ = std::move(cb); }

  void attach(IoBus& bus);  // 0x40-0x43
  void reset();

  // Counter 2's GATE (port 0x61 bit 0) and OUT (port 0x61 bit 5).
  void setGate2(bool level);
  bool out2();

  // Whole input clocks elapsed at a virtual time, and the first time at
  // which a tick has elapsed.
  static int64_t tickAt(uint64_t ns);
  static uint64_t nsOfTick(int64_t tick);

  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  const PitCounter& counter(unsigned i) const { return counters_[i % 3]; }

 private:
  int64_t now();  // current tick, after bringing IRQ0 up to it
  void syncIrq0(int64_t tick);
  void writeControlWord(uint8_t cw, int64_t tick);
  uint8_t readByte(uint16_t port);
  void writeByte(uint16_t port, uint8_t value);

  DeviceClock& clock_;
  std::function<void(bool)> irq0_;
  std::function<void()> deadline_changed_;
  PitCounter counters_[3];
  int64_t synced_tick_ = 0;  // IRQ0 reflects OUT0 up to this tick
  bool out0_ = true;         // OUT0 at synced_tick_
  bool irq0_level_ = false;  // what was last reported to irq0_
};

}  // namespace sv
