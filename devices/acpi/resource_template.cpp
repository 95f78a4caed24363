#include "devices/acpi/resource_template.h"

namespace sv::aml {

namespace {
// General flags of an address space descriptor: MaxFixed, MinFixed,
// producer (bit 0 clear), positive decode.
constexpr uint8_t kFixedWindow = 0x0C;
enum AddressSpaceType : uint8_t { kMemorySpace = 0, kIoSpace = 1, kBusNumberSpace = 2 };
}  // namespace

void ResourceTemplate::put16(uint16_t v) {
  data_.push_back(static_cast<uint8_t>(v));
  data_.push_back(static_cast<uint8_t>(v >> 8));
}

void ResourceTemplate::put32(uint32_t v) {
  put16(static_cast<uint16_t>(v));
  put16(static_cast<uint16_t>(v >> 16));
}

ResourceTemplate& ResourceTemplate::io(uint16_t min, uint16_t max, uint8_t alignment, uint8_t length) {
  data_.push_back(0x47);  // small item 0x08, 7 bytes
  data_.push_back(0x01);  // decodes 16 address bits
  put16(min);
  put16(max);
  data_.push_back(alignment);
  data_.push_back(length);
  return *this;
}

ResourceTemplate& ResourceTemplate::irqNoFlags(uint16_t mask) {
  data_.push_back(0x22);  // small item 0x04, 2 bytes
  put16(mask);
  return *this;
}

ResourceTemplate& ResourceTemplate::dma8(uint8_t channel_mask) {
  data_.push_back(0x2A);  // small item 0x05, 2 bytes
  data_.push_back(channel_mask);
  data_.push_back(0x00);  // compatibility speed, not bus master, 8-bit only
  return *this;
}

ResourceTemplate& ResourceTemplate::irq(uint16_t mask, bool level, bool active_low, bool shared) {
  data_.push_back(0x23);  // small item 0x04, 3 bytes
  put16(mask);
  data_.push_back(static_cast<uint8_t>((level ? 0 : 0x01) | (active_low ? 0x08 : 0) | (shared ? 0x10 : 0)));
  return *this;
}

ResourceTemplate& ResourceTemplate::wordBusNumber(uint16_t min, uint16_t max) {
  data_.insert(data_.end(), {0x88, 13, 0, kBusNumberSpace, kFixedWindow, 0x00});
  put16(0);  // granularity
  put16(min);
  put16(max);
  put16(0);  // translation offset
  put16(static_cast<uint16_t>(max - min + 1));
  return *this;
}

ResourceTemplate& ResourceTemplate::wordIo(uint16_t min, uint16_t max) {
  data_.insert(data_.end(), {0x88, 13, 0, kIoSpace, kFixedWindow, 0x03});  // ISA and non-ISA ranges
  put16(0);
  put16(min);
  put16(max);
  put16(0);
  put16(static_cast<uint16_t>(max - min + 1));
  return *this;
}

ResourceTemplate& ResourceTemplate::dwordMemory(uint32_t min, uint32_t max) {
  data_.insert(data_.end(), {0x87, 23, 0, kMemorySpace, kFixedWindow, 0x03});  // cacheable, read/write
  put32(0);
  put32(min);
  put32(max);
  put32(0);
  put32(max - min + 1);
  return *this;
}

ResourceTemplate& ResourceTemplate::memory32Fixed(uint32_t base, uint32_t length) {
  data_.insert(data_.end(), {0x86, 9, 0, 0x01});  // read/write
  put32(base);
  put32(length);
  return *this;
}

Bytes ResourceTemplate::bytes() const {
  Bytes out = data_;
  out.push_back(0x79);  // End Tag
  out.push_back(0x00);
  return out;
}

}  // namespace sv::aml
