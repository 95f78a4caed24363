#include "devices/apic/local_apic.h"

#include <bit>

namespace sv {

namespace {

// Register offsets in the APIC page (SDM Vol. 3A, 11.4.1, Table 11-1).
namespace reg {
constexpr uint32_t ID = 0x20, VERSION = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xA0, EOI = 0xB0, RRD = 0xC0, LDR = 0xD0,
                   DFR = 0xE0, SVR = 0xF0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR_LOW = 0x300,
                   ICR_HIGH = 0x310, LVT_TIMER = 0x320, LVT_ERROR = 0x370, TIMER_INITIAL = 0x380,
                   TIMER_CURRENT = 0x390, TIMER_DIVIDE = 0x3E0;
}

// Version: integrated APIC (0x14), max LVT entry 5 (six entries), no
// EOI-broadcast suppression (SDM 11.4.8).
constexpr uint32_t kVersion = 0x14 | (5u << 16);

constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kLvtLevel = 1u << 15;
// Writable bits per LVT entry (SDM 11.5.1, Figure 11-8): vector, delivery
// mode, polarity, trigger, mask, timer mode. Delivery status and remote IRR
// read 0 (delivery is immediate); timer mode bit 18 (TSC-deadline) is
// reserved because CPUID does not advertise it.
constexpr uint32_t kLvtWritable[] = {
    0xFF | kLvtMasked | (1u << 17),                     // timer
    0xFF | 0x700 | kLvtMasked,                          // thermal
    0xFF | 0x700 | kLvtMasked,                          // performance counters
    0xFF | 0x700 | (1u << 13) | kLvtLevel | kLvtMasked,  // LINT0
    0xFF | 0x700 | (1u << 13) | kLvtLevel | kLvtMasked,  // LINT1
    0xFF | kLvtMasked,                                  // error
};

// ESR bits (SDM 11.5.3).
constexpr uint32_t kEsrSendIllegalVector = 1u << 5, kEsrReceiveIllegalVector = 1u << 6, kEsrIllegalRegister = 1u << 7;

ApicDeliveryMode modeOf(uint32_t lvt_or_icr) { return static_cast<ApicDeliveryMode>((lvt_or_icr >> 8) & 7); }

int highest(const std::array<uint32_t, 8>& bits) {
  for (int i = 7; i >= 0; --i)
    if (bits[i]) return i * 32 + std::bit_width(bits[i]) - 1;
  return -1;
}
bool test(const std::array<uint32_t, 8>& bits, uint8_t v) { return bits[v >> 5] & (1u << (v & 31)); }
void assign(std::array<uint32_t, 8>& bits, uint8_t v, bool on) {
  if (on) bits[v >> 5] |= 1u << (v & 31);
  else bits[v >> 5] &= ~(1u << (v & 31));
}

}  // namespace

LocalApic::LocalApic(DeviceClock& clock, uint8_t apic_id, Wiring wiring)
    : clock_(clock), hardware_id_(apic_id), wiring_(std::move(wiring)) {
  reset();
}

void LocalApic::resetRegisters() {
  id_ = static_cast<uint32_t>(hardware_id_) << 24;
  tpr_ = ldr_ = esr_ = esr_pending_ = icr_low_ = icr_high_ = 0;
  dfr_ = 0xFFFFFFFF;
  svr_ = 0xFF;
  irr_ = isr_ = tmr_ = {};
  lvt_.fill(kLvtMasked);
  ext_int_message_ = false;
  initial_count_ = divide_config_ = 0;
  divide_shift_ = 1;
  timer_start_ns_ = 0;
  timer_next_ns_ = kNoDeadline;
}

void LocalApic::reset() {
  const uint64_t old = base_msr_;
  base_msr_ = 0xFEE00000ull | kBaseMsrBsp | kBaseMsrEnable;
  resetRegisters();
  // Virtual-wire mode (MP spec 1.4, 3.6.2.2) as the firmware sets it up:
  // LINT0 ExtINT from the 8259, LINT1 NMI.
  lvt_[kLvtLint0] = static_cast<uint32_t>(ApicDeliveryMode::ExtInt) << 8;
  lvt_[kLvtLint1] = static_cast<uint32_t>(ApicDeliveryMode::Nmi) << 8;
  if (old != base_msr_ && wiring_.moved) wiring_.moved(mmioBase());
  updateIntr();
}

bool LocalApic::setBaseMsr(uint64_t value) {
  // Bits 0-7, 9 (reserved), 10 (x2APIC enable: not supported) and above
  // MAXPHYADDR are reserved (SDM 11.4.4, Figure 11-5); BSP is read-only.
  if (value & ~(kBaseAddressMask | kBaseMsrEnable | kBaseMsrBsp)) return false;
  const uint64_t old = base_msr_;
  base_msr_ = (value & ~kBaseMsrBsp) | (old & kBaseMsrBsp);
  // Globally disabling returns the APIC to its power-up state (SDM 11.4.3).
  if ((old & kBaseMsrEnable) && !globallyEnabled()) resetRegisters();
  if (((old ^ base_msr_) & (kBaseAddressMask | kBaseMsrEnable)) && wiring_.moved)
    wiring_.moved(globallyEnabled() ? mmioBase() : ~0ull);
  updateIntr();
  return true;
}

void LocalApic::setCr8(uint8_t value) {
  // MOV CR8 writes TPR[7:4] and clears TPR[3:0] (SDM 11.8.6.5).
  tpr_ = static_cast<uint32_t>(value & 0xF) << 4;
  updateIntr();
}

// PPR = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4 (SDM 11.8.3.1).
uint8_t LocalApic::ppr() const {
  const int isrv = highest(isr_);
  const uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
  return static_cast<uint8_t>((tpr_ & 0xF0) >= isr_class ? tpr_ : isr_class);
}

// APR (SDM 11.6.2.4 / Pentium 4 arbitration): TPR when its class is at least
// the highest requested and above the highest in-service class, else the
// highest of the three classes.
uint8_t LocalApic::apr() const {
  const int irrv = highest(irr_), isrv = highest(isr_);
  const uint32_t irr_class = irrv < 0 ? 0 : static_cast<uint32_t>(irrv) & 0xF0;
  const uint32_t isr_class = isrv < 0 ? 0 : static_cast<uint32_t>(isrv) & 0xF0;
  if ((tpr_ & 0xF0) >= irr_class && (tpr_ & 0xF0) > isr_class) return static_cast<uint8_t>(tpr_);
  return static_cast<uint8_t>(std::max({tpr_ & 0xF0, irr_class, isr_class}));
}

void LocalApic::raiseError(uint32_t bits) {
  esr_pending_ |= bits;
  fireLvt(kLvtError);
}

void LocalApic::acceptFixed(uint8_t vector, bool level_triggered) {
  // Vectors 0-15 are illegal (SDM 11.5.2); a software-disabled APIC takes
  // no fixed interrupts (SDM 11.4.7.2).
  if (vector < 16) {
    raiseError(kEsrReceiveIllegalVector);
    return;
  }
  if (!softwareEnabled()) return;
  assign(irr_, vector, true);
  assign(tmr_, vector, level_triggered);
  updateIntr();
}

void LocalApic::fireLvt(unsigned lvt) {
  const uint32_t e = lvt_[lvt];
  if (e & kLvtMasked) return;
  switch (modeOf(e)) {
    case ApicDeliveryMode::Fixed:
      // Only LINT0/1 may be level-triggered; a level LINT input is taken as
      // an edge here (its remote IRR is not modelled).
      acceptFixed(static_cast<uint8_t>(e), false);
      break;
    case ApicDeliveryMode::Nmi:
      if (wiring_.nmi) wiring_.nmi();
      break;
    case ApicDeliveryMode::ExtInt: updateIntr(); break;  // level: extIntPending() follows LINT0
    default: break;  // SMI/INIT on a local pin: no SMM, no INIT from LINT (reserved on our board)
  }
}

void LocalApic::setLint(unsigned pin, bool level) {
  const bool rising = level && !lint_level_[pin];
  lint_level_[pin] = level;
  const unsigned lvt = pin == 0 ? kLvtLint0 : kLvtLint1;
  if (rising || modeOf(lvt_[lvt]) == ApicDeliveryMode::ExtInt) fireLvt(lvt);
  updateIntr();
}

bool LocalApic::destinationIsSelf(bool logical, uint8_t destination) const {
  if (!logical) return destination == 0xFF || destination == (id_ >> 24);
  // Logical: flat model ANDs the 8-bit masks; cluster model matches the
  // cluster (high nibble, 0xF = all) and ANDs the low nibble (SDM 11.6.2.2).
  const uint8_t ldr = static_cast<uint8_t>(ldr_ >> 24);
  if ((dfr_ >> 28) == 0xF) return (ldr & destination) != 0;
  if ((destination >> 4) != 0xF && (destination >> 4) != (ldr >> 4)) return false;
  return (ldr & destination & 0xF) != 0;
}

void LocalApic::deliverMessage(ApicDeliveryMode mode, uint8_t vector, bool level_triggered, bool logical,
                               uint8_t destination) {
  if (!globallyEnabled() || !destinationIsSelf(logical, destination)) return;
  switch (mode) {
    case ApicDeliveryMode::Fixed:
    case ApicDeliveryMode::LowestPriority:  // one CPU: it is the lowest
      acceptFixed(vector, level_triggered);
      break;
    case ApicDeliveryMode::Nmi:
      if (wiring_.nmi) wiring_.nmi();
      break;
    case ApicDeliveryMode::ExtInt:
      // The vector comes from the 8259 in the INTA cycle (82093AA 3.2.4).
      ext_int_message_ = true;
      updateIntr();
      break;
    default:
      // SMI: no SMM. INIT/STARTUP: the BSP is never in wait-for-SIPI, and
      // INIT of the running CPU is not modelled.
      break;
  }
}

void LocalApic::sendIpi() {
  const uint8_t vector = static_cast<uint8_t>(icr_low_);
  const ApicDeliveryMode mode = modeOf(icr_low_);
  const unsigned shorthand = (icr_low_ >> 18) & 3;
  // 01 self, 10 all including self, 11 all excluding self (nobody else
  // exists), 00 the destination field (SDM 11.6.1).
  bool self;
  switch (shorthand) {
    case 1:
    case 2: self = true; break;
    case 3: self = false; break;
    default: self = destinationIsSelf(icr_low_ & (1u << 11), static_cast<uint8_t>(icr_high_ >> 24)); break;
  }
  if ((mode == ApicDeliveryMode::Fixed || mode == ApicDeliveryMode::LowestPriority) && vector < 16) {
    raiseError(kEsrSendIllegalVector | (self ? kEsrReceiveIllegalVector : 0));
    return;
  }
  if (!self) return;
  switch (mode) {
    case ApicDeliveryMode::Fixed:
    case ApicDeliveryMode::LowestPriority: acceptFixed(vector, false); break;
    case ApicDeliveryMode::Nmi:
      if (wiring_.nmi) wiring_.nmi();
      break;
    default: break;  // INIT/STARTUP/SMI to ourselves: see deliverMessage
  }
}

void LocalApic::endOfInterrupt() {
  const int v = highest(isr_);
  if (v < 0) return;  // EOI with nothing in service is ignored
  assign(isr_, static_cast<uint8_t>(v), false);
  // Level-triggered vectors tell the I/O APIC, which clears remote IRR
  // (SDM 11.8.5).
  if (test(tmr_, static_cast<uint8_t>(v)) && wiring_.eoi) wiring_.eoi(static_cast<uint8_t>(v));
  updateIntr();
}

bool LocalApic::extIntPending() const {
  const uint32_t lint0 = lvt_[kLvtLint0];
  const bool wire = lint_level_[0] && !(lint0 & kLvtMasked) && modeOf(lint0) == ApicDeliveryMode::ExtInt;
  return wire || ext_int_message_;
}

void LocalApic::updateIntr() {
  bool level;
  if (!globallyEnabled()) {
    level = lint_level_[0];  // no APIC: the 8259's INT is the CPU's INTR
  } else {
    const int v = highest(irr_);
    level = (v >= 0 && (static_cast<uint32_t>(v) & 0xF0) > (ppr() & 0xF0u)) || extIntPending();
  }
  if (level == intr_) return;
  intr_ = level;
  if (wiring_.intr) wiring_.intr(level);
}

uint8_t LocalApic::acknowledgeInterrupt() {
  if (!globallyEnabled()) return wiring_.ext_int ? wiring_.ext_int->acknowledgeInterrupt() : 0xFF;
  const int v = highest(irr_);
  if (v >= 0 && (static_cast<uint32_t>(v) & 0xF0) > (ppr() & 0xF0u)) {
    assign(irr_, static_cast<uint8_t>(v), false);
    assign(isr_, static_cast<uint8_t>(v), true);
    updateIntr();
    return static_cast<uint8_t>(v);
  }
  if (extIntPending()) {
    ext_int_message_ = false;
    const uint8_t vector = wiring_.ext_int ? wiring_.ext_int->acknowledgeInterrupt() : 0xFF;
    updateIntr();
    return vector;
  }
  // Raised priority between INTR and INTA: the spurious vector, nothing
  // goes in service (SDM 11.9).
  return static_cast<uint8_t>(svr_);
}

// ---------------------------------------------------------------- timer

uint32_t LocalApic::currentCount(uint64_t now) const {
  if (initial_count_ == 0) return 0;
  const uint64_t ticks = (now - timer_start_ns_) >> divide_shift_;
  if (timerPeriodic()) return static_cast<uint32_t>(initial_count_ - ticks % initial_count_);
  return ticks >= initial_count_ ? 0 : static_cast<uint32_t>(initial_count_ - ticks);
}

void LocalApic::scheduleTimer(uint64_t now) {
  timer_next_ns_ = kNoDeadline;
  if (initial_count_ == 0) return;
  const uint64_t ticks = (now - timer_start_ns_) >> divide_shift_;
  const uint64_t period_ns = static_cast<uint64_t>(initial_count_) << divide_shift_;
  if (timerPeriodic()) timer_next_ns_ = timer_start_ns_ + (ticks / initial_count_ + 1) * period_ns;
  else if (ticks < initial_count_) timer_next_ns_ = timer_start_ns_ + period_ns;
}

void LocalApic::startTimer(uint64_t now) {
  timer_start_ns_ = now;
  scheduleTimer(now);
  if (wiring_.deadline_changed) wiring_.deadline_changed();
}

void LocalApic::writeDivide(uint32_t value, uint64_t now) {
  // Bits 0, 1, 3: 000 = /2 ... 110 = /128, 111 = /1 (SDM 11.5.4, Figure 11-10).
  const uint32_t count = currentCount(now);
  divide_config_ = value & 0xB;
  const unsigned code = (divide_config_ & 3) | ((divide_config_ >> 1) & 4);
  divide_shift_ = (code + 1) & 7;
  // The count goes on from where it is at the new rate.
  if (initial_count_ != 0 && count != 0)
    timer_start_ns_ = now - (static_cast<uint64_t>(initial_count_ - count) << divide_shift_);
  scheduleTimer(now);
  if (wiring_.deadline_changed) wiring_.deadline_changed();
}

uint64_t LocalApic::nextDeadlineNs() {
  return (lvt_[kLvtTimer] & kLvtMasked) || !globallyEnabled() ? kNoDeadline : timer_next_ns_;
}

void LocalApic::advanceTo(uint64_t now_ns) {
  if (timer_next_ns_ > now_ns) return;
  // Periods missed by a late look (host time) give one interrupt, as an
  // IRR bit holds only one.
  scheduleTimer(now_ns);
  fireLvt(kLvtTimer);
}

// ---------------------------------------------------------------- registers

uint32_t LocalApic::readRegister(uint32_t offset) {
  if (offset >= reg::ISR && offset < reg::ISR + 0x80) return isr_[(offset - reg::ISR) >> 4];
  if (offset >= reg::TMR && offset < reg::TMR + 0x80) return tmr_[(offset - reg::TMR) >> 4];
  if (offset >= reg::IRR && offset < reg::IRR + 0x80) return irr_[(offset - reg::IRR) >> 4];
  if (offset >= reg::LVT_TIMER && offset <= reg::LVT_ERROR) return lvt_[(offset - reg::LVT_TIMER) >> 4];
  switch (offset) {
    case reg::ID: return id_;
    case reg::VERSION: return kVersion;
    case reg::TPR: return tpr_;
    case reg::APR: return apr();
    case reg::PPR: return ppr();
    case reg::EOI: return 0;
    case reg::RRD: return 0;  // remote read is not supported by xAPICs (always invalid)
    case reg::LDR: return ldr_;
    case reg::DFR: return dfr_;
    case reg::SVR: return svr_;
    case reg::ESR: return esr_;
    case reg::ICR_LOW: return icr_low_;  // delivery status 0: sent at once
    case reg::ICR_HIGH: return icr_high_;
    case reg::TIMER_INITIAL: return initial_count_;
    case reg::TIMER_CURRENT: return currentCount(clock_.nowNs());
    case reg::TIMER_DIVIDE: return divide_config_;
    default: raiseError(kEsrIllegalRegister); return 0;
  }
}

void LocalApic::writeRegister(uint32_t offset, uint32_t value) {
  if (offset >= reg::LVT_TIMER && offset <= reg::LVT_ERROR) {
    const unsigned lvt = (offset - reg::LVT_TIMER) >> 4;
    uint32_t v = value & kLvtWritable[lvt];
    // A software-disabled APIC keeps every LVT masked (SDM 11.4.7.2).
    if (!softwareEnabled()) v |= kLvtMasked;
    lvt_[lvt] = v;
    if (lvt == kLvtTimer) {
      scheduleTimer(clock_.nowNs());
      if (wiring_.deadline_changed) wiring_.deadline_changed();
    }
    updateIntr();
    return;
  }
  if (offset >= reg::ISR && offset < reg::IRR + 0x80) return;  // read-only
  switch (offset) {
    case reg::ID: id_ = value & 0xFF000000u; return;
    case reg::TPR:
      tpr_ = value & 0xFF;
      updateIntr();
      return;
    case reg::EOI: endOfInterrupt(); return;
    case reg::LDR: ldr_ = value & 0xFF000000u; return;
    case reg::DFR: dfr_ = value | 0x0FFFFFFFu; return;
    case reg::SVR:
      svr_ = value & 0x3FF;  // vector, APIC software enable, focus check disable
      if (!softwareEnabled())
        for (uint32_t& e : lvt_) e |= kLvtMasked;
      updateIntr();
      return;
    case reg::ESR:
      // A write latches the errors seen since the last write (SDM 11.5.3).
      esr_ = esr_pending_;
      esr_pending_ = 0;
      return;
    case reg::ICR_LOW:
      icr_low_ = value & 0x000CCFFFu;  // vector, mode, dest mode, level, trigger, shorthand
      sendIpi();
      return;
    case reg::ICR_HIGH: icr_high_ = value & 0xFF000000u; return;
    case reg::TIMER_INITIAL:
      initial_count_ = value;
      startTimer(clock_.nowNs());
      return;
    case reg::TIMER_DIVIDE: writeDivide(value, clock_.nowNs()); return;
    case reg::VERSION:
    case reg::APR:
    case reg::PPR:
    case reg::RRD:
    case reg::TIMER_CURRENT: return;  // read-only
    default: raiseError(kEsrIllegalRegister); return;
  }
}

// Registers are 32 bits wide on 16-byte boundaries; the rest of each
// 16-byte slot reads 0 and ignores writes (SDM 11.4.1).
uint64_t LocalApic::mmioRead(uint64_t offset, unsigned size) {
  const unsigned lane = offset & 0xF;
  if (lane >= 4) return 0;
  const uint64_t v = readRegister(static_cast<uint32_t>(offset & 0xFF0)) >> (lane * 8);
  return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

void LocalApic::mmioWrite(uint64_t offset, unsigned, uint64_t value) {
  if (offset & 0xF) return;
  writeRegister(static_cast<uint32_t>(offset & 0xFF0), static_cast<uint32_t>(value));
}

}  // namespace sv
