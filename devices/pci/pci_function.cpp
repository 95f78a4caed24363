#include "devices/pci/pci_function.h"

namespace sv {

PciFunction::PciFunction(const PciId& id) {
  define16(pci::kVendorId, id.vendor);
  define16(pci::kDeviceId, id.device);
  // Command: I/O, memory, bus master, SERR#, parity response, INTx disable
  // are the bits a simple function implements (PCI 3.0 6.2.2).
  define16(pci::kCommand, 0, 0x0547);
  // Status: the error bits are write-1-to-clear.
  define16(pci::kStatus, 0, 0, 0xF900);
  define8(pci::kRevision, id.revision);
  define8(pci::kClassProgIf, id.prog_if);
  define8(pci::kClassProgIf + 1, id.subclass);
  define8(pci::kClassProgIf + 2, id.class_code);
  define8(pci::kCacheLineSize, 0, 0xFF);
  define8(pci::kLatencyTimer, 0, 0xFF);
  define8(pci::kHeaderType, id.header_type);
  define8(pci::kInterruptLine, 0, 0xFF);
}

uint32_t PciFunction::configRead(unsigned offset, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const unsigned o = offset + i;
    v |= uint32_t{o < 256 ? config_[o] : uint8_t{0xFF}} << (8 * i);
  }
  return v;
}

void PciFunction::configWrite(unsigned offset, unsigned size, uint32_t value) {
  bool changed = false;
  for (unsigned i = 0; i < size && offset + i < 256; ++i) {
    const unsigned o = offset + i;
    const uint8_t in = static_cast<uint8_t>(value >> (8 * i));
    const uint8_t old = config_[o];
    uint8_t now = static_cast<uint8_t>((old & ~writable_[o]) | (in & writable_[o]));
    now = static_cast<uint8_t>(now & ~(in & w1c_[o]));
    config_[o] = now;
    changed |= now != old;
  }
  if (changed) configChanged(offset, size);
}

void PciFunction::reset() {
  config_ = power_on_;
  writable_ = power_on_writable_;
}

void PciFunction::define8(unsigned offset, uint8_t value, uint8_t writable, uint8_t w1c) {
  config_[offset] = power_on_[offset] = value;
  writable_[offset] = power_on_writable_[offset] = writable;
  w1c_[offset] = w1c;
}

void PciFunction::define16(unsigned offset, uint16_t value, uint16_t writable, uint16_t w1c) {
  define8(offset, static_cast<uint8_t>(value), static_cast<uint8_t>(writable), static_cast<uint8_t>(w1c));
  define8(offset + 1, static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(writable >> 8), static_cast<uint8_t>(w1c >> 8));
}

void PciFunction::define32(unsigned offset, uint32_t value, uint32_t writable) {
  define16(offset, static_cast<uint16_t>(value), static_cast<uint16_t>(writable));
  define16(offset + 2, static_cast<uint16_t>(value >> 16), static_cast<uint16_t>(writable >> 16));
}

void PciFunction::defineBar(unsigned index, uint32_t size, bool io, bool prefetchable) {
  // Type bits: bit 0 = I/O space; for memory, bits 2:1 = 00 (32-bit), bit 3 = prefetchable.
  const uint32_t type = io ? 0x1u : (prefetchable ? 0x8u : 0x0u);
  define32(pci::kBar0 + 4 * index, type, ~(size - 1) & (io ? ~0x3u : ~0xFu));
}

}  // namespace sv
