#include "devices/pit8254.h"

#include <algorithm>

namespace sv {

Pit8254::Pit8254(DeviceClock& clock, std::function<void(bool)> irq0) : clock_(clock), irq0_(std::move(irq0)) { reset(); }

void Pit8254::attach(IoBus& bus) { bus.registerPorts(0x40, 4, *this, "pit"); }

void Pit8254::reset() {
  const int64_t tick = tickAt(clock_.nowNs());
  // On the PC, counters 0 and 1 have GATE tied high; counter 2's comes
  // from port 0x61 bit 0, which resets to 0.
  counters_[0].reset(tick, true);
  counters_[1].reset(tick, true);
  counters_[2].reset(tick, false);
  synced_tick_ = tick;
  out0_ = counters_[0].out(tick);
  if (irq0_level_ != out0_ && irq0_) irq0_(out0_);
  irq0_level_ = out0_;
}

int64_t Pit8254::tickAt(uint64_t ns) {
  return static_cast<int64_t>(static_cast<unsigned __int128>(ns) * kInputHz / 1'000'000'000u);
}

uint64_t Pit8254::nsOfTick(int64_t tick) {
  if (tick <= 0) return 0;
  const unsigned __int128 t = static_cast<unsigned __int128>(tick) * 1'000'000'000u;
  return static_cast<uint64_t>((t + kInputHz - 1) / kInputHz);
}

int64_t Pit8254::now() {
  const int64_t tick = tickAt(clock_.nowNs());
  syncIrq0(tick);
  return tick;
}

void Pit8254::syncIrq0(int64_t tick) {
  if (tick < synced_tick_) tick = synced_tick_;  // never backwards
  const PitCounter& c = counters_[0];
  // Did OUT0 rise in (synced_tick_, tick]? The PIC latches rising edges,
  // so a rising edge must reach it even if OUT0 fell again before this
  // late look (mode 2 pulses last one clock).
  bool rose = false;
  const int64_t first = c.nextOutChange(synced_tick_);
  if (first != PitCounter::kNever && first <= tick) {
    if (!out0_) {
      rose = true;
    } else {
      const int64_t second = c.nextOutChange(first);
      rose = second != PitCounter::kNever && second <= tick;
    }
  }
  const bool out = c.out(tick);
  synced_tick_ = tick;
  out0_ = out;
  if (rose) {
    if (irq0_level_ && irq0_) irq0_(false);
    // A rise that fell again before we looked keeps the line high until the
    // next look, so the CPU can take it: with deadlines at every OUT change
    // this only happens when a slice overran its deadline (host time).
    irq0_level_ = true;
    if (irq0_) irq0_(true);
    return;
  }
  if (out != irq0_level_) {
    irq0_level_ = out;
    if (irq0_) irq0_(out);
  }
}

uint64_t Pit8254::nextDeadlineNs() {
  const int64_t next = counters_[0].nextOutChange(synced_tick_);
  if (next == PitCounter::kNever && irq0_level_ == out0_) return kNoDeadline;
  // A deferred fall (see syncIrq0) is due at the next tick.
  const int64_t due = next == PitCounter::kNever ? synced_tick_ + 1 : next;
  return nsOfTick(irq0_level_ != out0_ ? std::min(due, synced_tick_ + 1) : due);
}

void Pit8254::advanceTo(uint64_t now_ns) { syncIrq0(tickAt(now_ns)); }

void Pit8254::setGate2(bool level) { counters_[2].setGate(level, now()); }

bool Pit8254::out2() { return counters_[2].out(now()); }

void Pit8254::writeControlWord(uint8_t cw, int64_t tick) {
  const unsigned sc = cw >> 6;
  if (sc == 3) {
    // Read-back command: bit 5 = 0 latches the count, bit 4 = 0 latches
    // the status of each counter selected by bits 1-3. Both latched: the
    // status byte is read first. A second latch before reading is ignored.
    for (unsigned i = 0; i < 3; ++i) {
      if (!(cw & (2u << i))) continue;
      if (!(cw & 0x10)) counters_[i].latchStatus(tick);
      if (!(cw & 0x20)) counters_[i].latchCount(tick);
    }
    return;
  }
  if (((cw >> 4) & 3) == 0) {
    counters_[sc].latchCount(tick);  // counter latch command
    return;
  }
  counters_[sc].writeControl(cw, tick);
}

uint8_t Pit8254::readByte(uint16_t port) {
  const int64_t tick = now();
  // The control word register cannot be read (datasheet, Table 1: the bus
  // floats); an open ISA bus reads as all ones.
  if (port == 0x43) return 0xFF;
  return counters_[port - 0x40].read(tick);
}

void Pit8254::writeByte(uint16_t port, uint8_t value) {
  const int64_t tick = now();
  if (port == 0x43) writeControlWord(value, tick);
  else counters_[port - 0x40].writeCount(value, tick);
  // The write may have changed OUT0 at once (mode 0 control word) or later.
  syncIrq0(tick);
  if (deadline_changed_) deadline_changed_();
}

// Wider accesses are split into byte accesses to consecutive ports, as the
// ISA bus does for an 8-bit device.
uint32_t Pit8254::ioRead(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = static_cast<uint16_t>(port + i);
    v |= static_cast<uint32_t>(p >= 0x40 && p <= 0x43 ? readByte(p) : 0xFF) << (8 * i);
  }
  return v;
}

void Pit8254::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = static_cast<uint16_t>(port + i);
    if (p >= 0x40 && p <= 0x43) writeByte(p, static_cast<uint8_t>(value >> (8 * i)));
  }
}

}  // namespace sv
