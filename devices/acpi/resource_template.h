// ACPI resource descriptors (ACPI 6.4 6.4 "Resource Data Types"), appended
// one by one and closed with the End Tag: the bytes of an ASL
// ResourceTemplate(), to be wrapped in aml::buffer().
#pragma once

#include <cstdint>

#include "devices/acpi/aml.h"

namespace sv::aml {

class ResourceTemplate {
 public:
  // I/O Port Descriptor (6.4.2.5), 16-bit decode.
  ResourceTemplate& io(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length);
  // IRQ Descriptor (6.4.2.1): IRQNoFlags (edge, active high, exclusive) ...
  ResourceTemplate& irqNoFlags(uint16_t mask);
  // ... or with its flags byte; PCI links are level, active high, shared on
  // the PIIX (the ELCR makes the 8259 input level-sensitive).
  ResourceTemplate& irq(uint16_t mask, bool level, bool active_low, bool shared);
  // DMA Descriptor (6.4.2.2): ISA channels, compatibility timing, not a
  // bus master, 8-bit transfers.
  ResourceTemplate& dma8(uint8_t channel_mask);
  // Word Address Space Descriptor (6.4.3.5.3): bus numbers and I/O windows
  // a bridge produces (MinFixed, MaxFixed, positive decode).
  ResourceTemplate& wordBusNumber(uint16_t min, uint16_t max);
  ResourceTemplate& wordIo(uint16_t min, uint16_t max);
  // DWord Address Space Descriptor (6.4.3.5.2): a memory window a bridge
  // produces (read/write, cacheable).
  ResourceTemplate& dwordMemory(uint32_t min, uint32_t max);
  // 32-bit Fixed Memory Range Descriptor (6.4.3.4), read/write.
  ResourceTemplate& memory32Fixed(uint32_t base, uint32_t length);

  // The descriptors plus End Tag (checksum 0: "treat as correct").
  Bytes bytes() const;
  Bytes toBuffer() const { return buffer(bytes()); }

 private:
  void put16(uint16_t v);
  void put32(uint32_t v);
  Bytes data_;
};

}  // namespace sv::aml
