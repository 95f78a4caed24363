#include "devices/acpi/acpi_pm_registers.h"

namespace sv {

using namespace acpi_pm;

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kHalfPeriodTicks = 1ull << 23;  // TMR_STS: every toggle of bit 23
constexpr uint16_t kSciSources = kTmr | kGbl | kPwrBtn | kRtc;
constexpr uint16_t kStatusBits = kTmr | kBm | kGbl | kPwrBtn | kRtc | kWak;
constexpr uint16_t kEnableBits = kTmr | kGbl | kPwrBtn | kRtc;
constexpr uint16_t kControlBits = kSciEn | kBmRld | kSlpTypMask;  // GBL_RLS and SLP_EN read as 0
}  // namespace

AcpiPmRegisters::AcpiPmRegisters(DeviceClock& clock, IrqOutput::Sink sci, std::function<void()> power_off)
    : clock_(clock), sci_(std::move(sci)), power_off_(std::move(power_off)) {
  reset();
}

void AcpiPmRegisters::reset() {
  status_ = enable_ = control_ = 0;
  checked_half_periods_ = ticksAt(clock_.nowNs()) / kHalfPeriodTicks;
  updateSci();
}

// ticks = ns * 3579545 / 1e9, in 128 bits so no time range overflows.
uint64_t AcpiPmRegisters::ticksAt(uint64_t ns) const {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * kTimerHz / kNsPerSecond);
}

uint32_t AcpiPmRegisters::timerValue() { return static_cast<uint32_t>(ticksAt(clock_.nowNs()) & 0xFFFFFF); }

void AcpiPmRegisters::updateTimerStatus(uint64_t now_ns) {
  const uint64_t half_periods = ticksAt(now_ns) / kHalfPeriodTicks;
  if (half_periods != checked_half_periods_) status_ |= kTmr;
  checked_half_periods_ = half_periods;
}

uint16_t AcpiPmRegisters::status() {
  updateTimerStatus(clock_.nowNs());
  updateSci();
  return status_;
}

void AcpiPmRegisters::pressPowerButton() {
  status_ |= kPwrBtn;
  updateSci();
}

void AcpiPmRegisters::setSciEnabled(bool on) {
  control_ = static_cast<uint16_t>(on ? control_ | kSciEn : control_ & ~kSciEn);
  updateSci();
}

void AcpiPmRegisters::updateSci() { sci_.set((control_ & kSciEn) && (status_ & enable_ & kSciSources)); }

uint64_t AcpiPmRegisters::nextDeadlineNs() {
  // Only an enabled timer overflow needs to be on time; a polled TMR_STS is
  // brought up to date when PM1_STS is read.
  if (!(enable_ & kTmr) || (status_ & kTmr)) return kNoDeadline;
  const unsigned __int128 tick = static_cast<unsigned __int128>(checked_half_periods_ + 1) * kHalfPeriodTicks;
  return static_cast<uint64_t>((tick * kNsPerSecond + kTimerHz - 1) / kTimerHz);
}

void AcpiPmRegisters::advanceTo(uint64_t now_ns) {
  updateTimerStatus(now_ns);
  updateSci();
}

uint8_t AcpiPmRegisters::readByte(unsigned offset, uint32_t timer) {
  switch (offset) {
    case kPm1Status: return static_cast<uint8_t>(status_);
    case kPm1Status + 1: return static_cast<uint8_t>(status_ >> 8);
    case kPm1Enable: return static_cast<uint8_t>(enable_);
    case kPm1Enable + 1: return static_cast<uint8_t>(enable_ >> 8);
    case kPm1Control: return static_cast<uint8_t>(control_);
    case kPm1Control + 1: return static_cast<uint8_t>(control_ >> 8);
    case kPmTimer: case kPmTimer + 1: case kPmTimer + 2: case kPmTimer + 3:
      return static_cast<uint8_t>(timer >> (8 * (offset - kPmTimer)));
    default: return 0;  // unmodelled PIIX4 registers, see the header
  }
}

void AcpiPmRegisters::writeByte(unsigned offset, uint8_t value) {
  auto set_low = [&](uint16_t& reg, uint16_t mask) { reg = static_cast<uint16_t>(((reg & 0xFF00) | value) & mask); };
  auto set_high = [&](uint16_t& reg, uint16_t mask) { reg = static_cast<uint16_t>(((reg & 0x00FF) | value << 8) & mask); };
  switch (offset) {
    case kPm1Status: status_ = static_cast<uint16_t>(status_ & ~value); break;  // write 1 to clear
    case kPm1Status + 1: status_ = static_cast<uint16_t>(status_ & ~(value << 8)); break;
    case kPm1Enable: set_low(enable_, kEnableBits); break;
    case kPm1Enable + 1: set_high(enable_, kEnableBits); break;
    case kPm1Control: set_low(control_, kControlBits); break;
    case kPm1Control + 1: set_high(control_, kControlBits); break;
    default: break;  // the timer is read-only; the rest is unmodelled
  }
}

uint32_t AcpiPmRegisters::ioRead(uint16_t port, unsigned size) {
  const unsigned offset = static_cast<uint16_t>(port - base_);
  const uint64_t now = clock_.nowNs();
  updateTimerStatus(now);
  updateSci();
  const uint32_t timer = static_cast<uint32_t>(ticksAt(now) & 0xFFFFFF);
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint32_t>(readByte(offset + i, timer)) << (8 * i);
  return v;
}

void AcpiPmRegisters::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  const unsigned offset = static_cast<uint16_t>(port - base_);
  updateTimerStatus(clock_.nowNs());
  const uint64_t deadline_before = nextDeadlineNs();
  bool sleep = false;
  for (unsigned i = 0; i < size; ++i) {
    const uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    // SLP_EN is write-only: it acts on the SLP_TYP written with it (ACPI 6.4 4.8.3.2.1).
    if (offset + i == kPm1Control + 1 && (b & (kSlpEn >> 8))) sleep = true;
    writeByte(offset + i, b);
  }
  updateSci();
  if (deadline_changed_ && nextDeadlineNs() != deadline_before) deadline_changed_();
  if (sleep && ((control_ & kSlpTypMask) >> kSlpTypShift) == kSleepTypeSoftOff && power_off_) power_off_();
}

}  // namespace sv
