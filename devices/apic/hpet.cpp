#include "devices/apic/hpet.h"

namespace sv {

namespace {

// Register offsets (HPET 1.0a, 2.3.2, Table 3).
constexpr uint64_t kCapabilities = 0x000, kConfig = 0x010, kStatus = 0x020, kCounter = 0x0F0, kTimerBase = 0x100,
                   kTimerStride = 0x20, kTimerConfig = 0x0, kTimerComparator = 0x8, kTimerFsbRoute = 0x10;
// Tn_CONF bits (2.3.8).
constexpr uint64_t kLevel = 1u << 1, kIntEnable = 1u << 2, kPeriodic = 1u << 3, kPeriodicCap = 1u << 4,
                   kSize64Cap = 1u << 5, kValueSet = 1u << 6, kMode32 = 1u << 8, kRouteShift = 9, kRouteMask = 0x1Fu << 9;
constexpr uint64_t kTimerWritable = kLevel | kIntEnable | kPeriodic | kValueSet | kMode32 | kRouteMask;
constexpr uint64_t kTimerReadOnly = kPeriodicCap | kSize64Cap | (static_cast<uint64_t>(apic_board::kHpetRouteCap) << 32);

}  // namespace

Hpet::Hpet(DeviceClock& clock, Wiring wiring) : clock_(clock), wiring_(std::move(wiring)) { reset(); }

void Hpet::reset() {
  for (unsigned n = 0; n < kTimers; ++n)
    if (timers_[n].line) setOutput(n, false);
  const bool was_legacy = legacyReplacement();
  config_ = status_ = counter_base_ = last_counter_ = 0;
  base_ns_ = clock_.nowNs();
  // Comparators power up all ones, interrupts disabled (2.3.8/2.3.9).
  for (Timer& t : timers_) t = Timer{kTimerReadOnly, ~0ull, 0, false};
  if (was_legacy && wiring_.legacy_mode) wiring_.legacy_mode(false);
}

uint64_t Hpet::counterAt(uint64_t now_ns) const {
  return enabled() ? counter_base_ + (now_ns - base_ns_) / kNsPerTick : counter_base_;
}

uint64_t Hpet::ticksToMatch(const Timer& t, uint64_t from) const {
  if (t.config & kMode32) {
    const uint32_t d = static_cast<uint32_t>(t.comparator) - static_cast<uint32_t>(from);
    return d ? d : (1ull << 32);  // equal now: the next match is a wrap later
  }
  return t.comparator - from;  // 0: already equal, no match for 2^64 ticks
}

void Hpet::setOutput(unsigned n, bool level) {
  Timer& t = timers_[n];
  t.line = level;
  if (legacyReplacement() && n < 2) {
    if (wiring_.legacy) wiring_.legacy(n == 0 ? 0 : 8, level);
  } else if (wiring_.ioapic) {
    wiring_.ioapic(static_cast<unsigned>((t.config & kRouteMask) >> kRouteShift), level);
  }
}

void Hpet::fire(unsigned n) {
  Timer& t = timers_[n];
  if (!(t.config & kIntEnable)) return;
  // Level mode: status bit and line stay set until software writes 1 to
  // the status bit; edge mode: a pulse, no status (2.3.6).
  if (t.config & kLevel) {
    status_ |= 1ull << n;
    if (!t.line) setOutput(n, true);
  } else if (legacyReplacement() && n < 2) {
    // The legacy routes feed the 8259 too, whose edge-triggered input must
    // stay high until the INTA cycle (8259A datasheet, "Edge triggered
    // mode"): a pulse of no width would be no request there. So the edge
    // is held, and the next one starts with a brief low, as the 8254's
    // OUT does in mode 2.
    if (t.line) setOutput(n, false);
    setOutput(n, true);
  } else {
    setOutput(n, true);
    setOutput(n, false);
  }
}

void Hpet::update(uint64_t now_ns) {
  const uint64_t now = counterAt(now_ns);
  const uint64_t elapsed = now - last_counter_;
  if (enabled() && elapsed) {
    for (unsigned n = 0; n < kTimers; ++n) {
      Timer& t = timers_[n];
      const uint64_t to_match = ticksToMatch(t, last_counter_);
      if (to_match == 0 || to_match > elapsed) continue;
      fire(n);  // matches missed by a late look give one interrupt
      // Periodic: the comparator advances by the period past now (2.3.9.2.2).
      if ((t.config & kPeriodic) && t.period) {
        const uint64_t period = (t.config & kMode32) ? static_cast<uint32_t>(t.period) : t.period;
        if (period == 0) continue;
        const uint64_t behind = elapsed - to_match;  // ticks from the match to now
        t.comparator += period * (behind / period + 1);
        if (t.config & kMode32) t.comparator = static_cast<uint32_t>(t.comparator);
      }
    }
  }
  last_counter_ = now;
}

uint64_t Hpet::nextDeadlineNs() {
  if (!enabled()) return kNoDeadline;
  uint64_t best = kNoDeadline;
  for (const Timer& t : timers_) {
    if (!(t.config & kIntEnable)) continue;
    const uint64_t ticks = ticksToMatch(t, last_counter_);
    if (ticks == 0 || ticks > (1ull << 40)) continue;  // not within hours: looked at again later anyway
    // The counter reaches last + ticks at this virtual time.
    const uint64_t target = last_counter_ + ticks - counter_base_;
    best = std::min(best, base_ns_ + target * kNsPerTick);
  }
  return best;
}

void Hpet::advanceTo(uint64_t now_ns) { update(now_ns); }

uint64_t Hpet::readRegister(uint64_t offset) {
  const uint64_t now_ns = clock_.nowNs();
  update(now_ns);
  switch (offset) {
    case kCapabilities: return (static_cast<uint64_t>(apic_board::kHpetPeriodFs) << 32) | apic_board::kHpetBlockId;
    case kConfig: return config_;
    case kStatus: return status_;
    case kCounter: return counterAt(now_ns);
    default: break;
  }
  if (offset >= kTimerBase && offset < kTimerBase + kTimers * kTimerStride) {
    const Timer& t = timers_[(offset - kTimerBase) / kTimerStride];
    switch ((offset - kTimerBase) % kTimerStride) {
      case kTimerConfig: return t.config;
      case kTimerComparator: return t.comparator;
      case kTimerFsbRoute: return 0;  // FSB delivery not offered (Tn_FSB_INT_DEL_CAP = 0)
      default: break;
    }
  }
  return 0;
}

void Hpet::writeTimerConfig(unsigned n, uint64_t value) {
  Timer& t = timers_[n];
  const bool line = t.line;
  if (line) setOutput(n, false);  // the route may change under a raised line
  // A route the capability does not list is not taken (2.3.8: writes of an
  // unsupported route are undefined; we keep the old one).
  uint64_t v = value & kTimerWritable;
  const unsigned route = static_cast<unsigned>((v & kRouteMask) >> kRouteShift);
  if (!(apic_board::kHpetRouteCap & (1u << route))) v = (v & ~kRouteMask) | (t.config & kRouteMask);
  t.config = (t.config & kTimerReadOnly) | v;
  if (t.config & kMode32) t.comparator = static_cast<uint32_t>(t.comparator), t.period = static_cast<uint32_t>(t.period);
  // Level output stays with its status bit; edge mode holds no line.
  if (line && (t.config & kLevel) && (status_ & (1ull << n))) setOutput(n, true);
}

void Hpet::writeRegister(uint64_t offset, uint64_t value, uint64_t mask) {
  const uint64_t now_ns = clock_.nowNs();
  update(now_ns);
  auto merge = [&](uint64_t old) { return (old & ~mask) | (value & mask); };
  switch (offset) {
    case kConfig: {
      const uint64_t now = counterAt(now_ns);
      const bool was_legacy = legacyReplacement();
      bool held[2] = {timers_[0].line, timers_[1].line};
      for (unsigned n = 0; n < 2; ++n)
        if (held[n]) setOutput(n, false);
      config_ = merge(config_) & 3;
      // Starting or halting the counter rebases it (2.3.5: ENABLE_CNF).
      counter_base_ = now;
      base_ns_ = now_ns;
      last_counter_ = now;
      // A raised line moves to the new route: a level status stays
      // asserted, a held edge (legacy) only while legacy routing lasts.
      for (unsigned n = 0; n < 2; ++n)
        if (held[n] && ((timers_[n].config & kLevel) || (was_legacy && legacyReplacement()))) setOutput(n, true);
      if (was_legacy != legacyReplacement() && wiring_.legacy_mode) wiring_.legacy_mode(legacyReplacement());
      break;
    }
    case kStatus: {
      // Write 1 to clear a level-triggered timer's status and line.
      const uint64_t clear = value & mask & status_;
      status_ &= ~clear;
      for (unsigned n = 0; n < kTimers; ++n)
        if ((clear & (1ull << n)) && timers_[n].line) setOutput(n, false);
      break;
    }
    case kCounter:
      // Software writes the counter only while it is halted (2.3.7).
      if (!enabled()) counter_base_ = last_counter_ = merge(counter_base_);
      break;
    default:
      if (offset >= kTimerBase && offset < kTimerBase + kTimers * kTimerStride) {
        const unsigned n = static_cast<unsigned>((offset - kTimerBase) / kTimerStride);
        Timer& t = timers_[n];
        switch ((offset - kTimerBase) % kTimerStride) {
          case kTimerConfig: writeTimerConfig(n, merge(t.config)); break;
          case kTimerComparator: {
            // Periodic mode: a write sets the period, and the comparator too
            // with Tn_VAL_SET_CNF, which then clears (2.3.9.2.2).
            uint64_t v = merge(t.comparator);
            if (t.config & kMode32) v = static_cast<uint32_t>(v);
            if (!(t.config & kPeriodic) || (t.config & kValueSet)) t.comparator = v;
            t.period = (t.config & kMode32) ? static_cast<uint32_t>(merge(t.period)) : merge(t.period);
            t.config &= ~kValueSet;
            break;
          }
          default: break;
        }
      }
      break;
  }
  if (wiring_.deadline_changed) wiring_.deadline_changed();
}

// 32- and 64-bit accesses (2.3.1); a 32-bit access reads or writes one half.
uint64_t Hpet::mmioRead(uint64_t offset, unsigned size) {
  const uint64_t v = readRegister(offset & ~7ull) >> (8 * (offset & 7));
  return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

void Hpet::mmioWrite(uint64_t offset, unsigned size, uint64_t value) {
  const unsigned shift = 8 * (offset & 7);
  const uint64_t mask = (size >= 8 ? ~0ull : (1ull << (size * 8)) - 1) << shift;
  writeRegister(offset & ~7ull, value << shift, mask);
}

}  // namespace sv
