// The I/O APIC (Intel 82093AA datasheet; version 0x20 as QEMU's, which adds
// the EOI register at offset 0x40): IOREGSEL/IOWIN, ID, version, arbitration
// ID and 24 redirection entries. Each pin is edge- or level-triggered,
// active high or low, maskable; level-triggered entries hold remote IRR
// from delivery until the local APIC's EOI. Messages go to the board's
// local APIC through a callback (fixed, lowest priority, NMI, ExtINT,
// physical or logical destination).
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "devices/apic/local_apic.h"
#include "memory/physical_memory.h"

namespace sv {

struct ApicMessage {
  ApicDeliveryMode mode;
  uint8_t vector;
  bool level_triggered;
  bool logical;
  uint8_t destination;
};

class IoApic final : public MmioHandler {
 public:
  static constexpr unsigned kPins = 24;

  IoApic(uint8_t id, std::function<void(const ApicMessage&)> deliver);

  // RESET: every entry masked, ID back to the board's (datasheet 3.0).
  // Pin levels are wires and survive.
  void reset();

  // The physical level of input pin `pin` (true = high). Polarity in the
  // entry decides whether high or low is "asserted".
  void setPin(unsigned pin, bool high);
  // EOI of a level-triggered vector from a local APIC (broadcast), or
  // through the EOI register: clears remote IRR of the entries with it.
  void endOfInterrupt(uint8_t vector);

  uint64_t mmioRead(uint64_t offset, unsigned size) override;
  void mmioWrite(uint64_t offset, unsigned size, uint64_t value) override;

  uint32_t readRegister(uint8_t index) const;
  void writeRegister(uint8_t index, uint32_t value);
  uint64_t entry(unsigned pin) const { return redirection_[pin]; }

 private:
  bool asserted(unsigned pin) const;
  void service(unsigned pin);  // deliver a level-triggered pin if it may
  void send(unsigned pin);

  const uint8_t hardware_id_;
  std::function<void(const ApicMessage&)> deliver_;
  uint32_t id_ = 0;
  uint8_t select_ = 0;
  std::array<uint64_t, kPins> redirection_{};
  std::array<bool, kPins> pin_high_{};
};

}  // namespace sv
