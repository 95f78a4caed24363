// The ACPI fixed-hardware register block of the PIIX4 power-management
// function (82371AB datasheet 7.2 "Power Management I/O Space"), as the FADT
// describes it: PM1a_EVT (PM1_STS + PM1_EN, 4 bytes at +0), PM1a_CNT
// (2 bytes at +4) and PM_TMR (4 bytes at +8).
//
// - PM_TMR: the 3.579545 MHz, 24-bit ACPI power-management timer, derived
//   from the VM's virtual clock (so it is exact under -icount and agrees with
//   every other timer). TMR_STS is set whenever bit 23 of the count toggles
//   (ACPI 6.4 4.8.2.1).
// - SCI: a level-triggered interrupt output, asserted while SCI_EN is set
//   and any of TMR_STS, GBL_STS, PWRBTN_STS, RTC_STS is set together with its
//   enable bit (ACPI 6.4 4.8.3.1). Status bits are write-1-to-clear.
// - PM1_CNT: SCI_EN, BM_RLD, SLP_TYP; writing SLP_EN with SLP_TYP = 0
//   (PIIX4 SUS_TYP 000b, "soft off", which our DSDT's \_S5 declares) powers
//   the machine off. Other sleep types are not modelled: SLP_EN is then
//   ignored, and the DSDT declares no other sleep state.
// - The rest of the PIIX4's 64-byte block (GPE/global/device registers,
//   P_LVL2/3) is not modelled: reads give 0, writes are dropped (the FADT
//   declares no GPE block and C2/C3 latencies that forbid those states).
#pragma once

#include <cstdint>
#include <functional>

#include "devices/device_clock.h"
#include "devices/io_bus.h"
#include "devices/irq_output.h"
#include "devices/timer_device.h"

namespace sv {

namespace acpi_pm {
constexpr uint64_t kTimerHz = 3'579'545;
constexpr unsigned kBlockSize = 64;  // the PIIX4's PMBA decode
// Offsets within the block.
constexpr unsigned kPm1Status = 0x00, kPm1Enable = 0x02, kPm1Control = 0x04, kPmTimer = 0x08;
constexpr unsigned kPm1EventLength = 4, kPm1ControlLength = 2, kPmTimerLength = 4;
// PM1_STS / PM1_EN bits (ACPI 6.4 Table 4.16/4.17).
constexpr uint16_t kTmr = 1u << 0, kBm = 1u << 4, kGbl = 1u << 5, kPwrBtn = 1u << 8, kRtc = 1u << 10, kWak = 1u << 15;
// PM1_CNT bits (Table 4.18).
constexpr uint16_t kSciEn = 1u << 0, kBmRld = 1u << 1, kGblRls = 1u << 2, kSlpTypShift = 10, kSlpTypMask = 7u << 10,
                   kSlpEn = 1u << 13;
constexpr uint8_t kSleepTypeSoftOff = 0;  // PIIX4 SUS_TYP 000b; \_S5 in our DSDT
}  // namespace acpi_pm

class AcpiPmRegisters final : public IoDevice, public TimerDevice {
 public:
  // sci receives the SCI line level; power_off is called when the guest
  // enters the soft-off state.
  AcpiPmRegisters(DeviceClock& clock, IrqOutput::Sink sci, std::function<void()> power_off);

  void reset();
  // Called when a guest write may have moved nextDeadlineNs() (TMR_EN set,
  // TMR_STS cleared), so the run loop can reschedule.
  void setDeadlineChangedCallback(std::function<void()> cb) { deadline_changed_ = std::move(cb); }
  // The power button was pressed (PWRBTN_STS; an SCI if enabled).
  void pressPowerButton();
  // APM ACPI enable/disable handshake (SMI_CMD): sets or clears SCI_EN.
  void setSciEnabled(bool on);

  uint32_t timerValue();  // the 24-bit PM_TMR count now
  uint16_t status();      // PM1_STS, brought up to date
  uint16_t control() const { return control_; }
  bool sciLevel() const { return sci_.level(); }

  // Where the block is decoded (the PCI function's PMBA); the I/O bus
  // registration is the function's business.
  void setBase(uint16_t base) { base_ = base; }
  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  uint64_t nextDeadlineNs() override;
  void advanceTo(uint64_t now_ns) override;

 private:
  uint8_t readByte(unsigned offset, uint32_t timer);
  void writeByte(unsigned offset, uint8_t value);
  uint64_t ticksAt(uint64_t ns) const;
  void updateTimerStatus(uint64_t now_ns);
  void updateSci();

  DeviceClock& clock_;
  IrqOutput sci_;
  std::function<void()> power_off_;
  std::function<void()> deadline_changed_;
  uint16_t base_ = 0;
  uint16_t status_ = 0;
  uint16_t enable_ = 0;
  uint16_t control_ = 0;
  uint64_t checked_half_periods_ = 0;  // bit-23 periods seen up to the last update
};

}  // namespace sv
