#include "devices/apic/io_apic.h"

namespace sv {

namespace {

// Redirection entry bits (82093AA 3.2.4).
constexpr uint64_t kDestModeLogical = 1u << 11, kPolarityLow = 1u << 13, kRemoteIrr = 1u << 14, kLevel = 1u << 15,
                   kMasked = 1u << 16;
// Writable: vector, delivery mode, destination mode, polarity, trigger,
// mask, destination; delivery status and remote IRR are read-only.
constexpr uint64_t kWritable = 0xFF00000000000000ull | kMasked | kLevel | kPolarityLow | kDestModeLogical | 0x7FF;

constexpr uint8_t kRegId = 0x00, kRegVersion = 0x01, kRegArbitration = 0x02, kRegRedirection = 0x10;
constexpr uint64_t kOffsetSelect = 0x00, kOffsetWindow = 0x10, kOffsetEoi = 0x40;
constexpr uint32_t kVersion = 0x20;

}  // namespace

IoApic::IoApic(uint8_t id, std::function<void(const ApicMessage&)> deliver)
    : hardware_id_(id), deliver_(std::move(deliver)) {
  reset();
}

void IoApic::reset() {
  id_ = static_cast<uint32_t>(hardware_id_ & 0xF) << 24;
  select_ = 0;
  redirection_.fill(kMasked);
}

bool IoApic::asserted(unsigned pin) const { return pin_high_[pin] != ((redirection_[pin] & kPolarityLow) != 0); }

void IoApic::send(unsigned pin) {
  const uint64_t e = redirection_[pin];
  const auto mode = static_cast<ApicDeliveryMode>((e >> 8) & 7);
  const bool level = e & kLevel;
  // Remote IRR is set when a level-triggered fixed or lowest-priority
  // interrupt is accepted, and cleared by the EOI (82093AA 3.2.4).
  if (level && (mode == ApicDeliveryMode::Fixed || mode == ApicDeliveryMode::LowestPriority))
    redirection_[pin] |= kRemoteIrr;
  if (deliver_)
    deliver_({mode, static_cast<uint8_t>(e), level, (e & kDestModeLogical) != 0, static_cast<uint8_t>(e >> 56)});
}

void IoApic::service(unsigned pin) {
  const uint64_t e = redirection_[pin];
  if ((e & kLevel) && !(e & (kMasked | kRemoteIrr)) && asserted(pin)) send(pin);
}

void IoApic::setPin(unsigned pin, bool high) {
  if (pin >= kPins) return;
  const bool was = asserted(pin);
  pin_high_[pin] = high;
  const uint64_t e = redirection_[pin];
  if (e & kLevel) service(pin);
  else if (!was && asserted(pin) && !(e & kMasked)) send(pin);  // an edge while masked is lost
}

void IoApic::endOfInterrupt(uint8_t vector) {
  for (unsigned pin = 0; pin < kPins; ++pin) {
    if ((redirection_[pin] & 0xFF) != vector || !(redirection_[pin] & kRemoteIrr)) continue;
    redirection_[pin] &= ~kRemoteIrr;
    service(pin);  // still asserted: the interrupt comes again
  }
}

uint32_t IoApic::readRegister(uint8_t index) const {
  switch (index) {
    case kRegId:
    case kRegArbitration: return id_;
    case kRegVersion: return kVersion | ((kPins - 1) << 16);
    default: break;
  }
  if (index >= kRegRedirection && index < kRegRedirection + 2 * kPins) {
    const uint64_t e = redirection_[(index - kRegRedirection) / 2];
    return static_cast<uint32_t>(index & 1 ? e >> 32 : e);
  }
  return 0;
}

void IoApic::writeRegister(uint8_t index, uint32_t value) {
  if (index == kRegId) {
    id_ = value & 0x0F000000u;
    return;
  }
  if (index < kRegRedirection || index >= kRegRedirection + 2 * kPins) return;  // read-only or absent
  const unsigned pin = (index - kRegRedirection) / 2;
  uint64_t& e = redirection_[pin];
  const bool was_asserted = asserted(pin);
  const uint64_t w = index & 1 ? (e & 0xFFFFFFFFull) | (static_cast<uint64_t>(value) << 32)
                               : (e & ~0xFFFFFFFFull) | value;
  e = (w & kWritable) | (e & kRemoteIrr);
  if (!(e & kLevel)) e &= ~kRemoteIrr;  // edge entries hold no remote IRR
  // A polarity change that makes the pin asserted is an edge too.
  if (e & kLevel) service(pin);
  else if (!was_asserted && asserted(pin) && !(e & kMasked)) send(pin);
}

uint64_t IoApic::mmioRead(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  if (offset == kOffsetSelect) v = select_;
  else if (offset >= kOffsetWindow && offset < kOffsetWindow + 4) v = readRegister(select_) >> (8 * (offset - kOffsetWindow));
  return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

void IoApic::mmioWrite(uint64_t offset, unsigned, uint64_t value) {
  if (offset == kOffsetSelect) select_ = static_cast<uint8_t>(value);
  else if (offset == kOffsetWindow) writeRegister(select_, static_cast<uint32_t>(value));
  else if (offset == kOffsetEoi) endOfInterrupt(static_cast<uint8_t>(value));
}

}  // namespace sv
