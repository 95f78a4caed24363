#include "devices/pci/pci_function.h"

#include <stdexcept>

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
  if (!changed) return;
  // The command register's space enables and the BARs decide decoding.
  const unsigned end = offset + size;
  if ((offset <= pci::kCommand && end > pci::kCommand) || (offset < pci::kBar0 + 4 * kBarCount && end > pci::kBar0))
    updateBarDecoding();
  configChanged(offset, size);
}

void PciFunction::reset() {
  config_ = power_on_;
  writable_ = power_on_writable_;
  updateBarDecoding();
}

void PciFunction::connectBars(PciBarSpace* space) {
  for (unsigned i = 0; i < kBarCount; ++i)
    if (bars_[i].decoded_at >= 0) throw std::logic_error("PCI function moved between bar spaces while decoding");
  bar_space_ = space;
  updateBarDecoding();
}

void PciFunction::attachIoBar(unsigned index, IoDevice& dev, std::string name) {
  BarBinding& bar = bars_.at(index);
  if (!bar.size || !bar.io) throw std::logic_error("no I/O BAR " + std::to_string(index) + " defined for '" + name + "'");
  bar.io_dev = &dev;
  bar.name = std::move(name);
  updateBarDecoding();
}

void PciFunction::attachMemoryBar(unsigned index, MmioHandler& dev, std::string name) {
  BarBinding& bar = bars_.at(index);
  if (!bar.size || bar.io || bar.size < kPageSize)
    throw std::logic_error("no memory BAR " + std::to_string(index) + " of at least a page defined for '" + name + "'");
  bar.mmio = &dev;
  bar.name = std::move(name);
  updateBarDecoding();
}

int64_t PciFunction::barAddress(unsigned index) const { return bars_.at(index).decoded_at; }

// A BAR decodes when its space is enabled and it holds an address: not 0
// (unassigned) and not a window running into the top of the space, which
// is what a sizing probe (all ones) leaves behind until the firmware writes
// the real address.
int64_t PciFunction::wantedAddress(const BarBinding& bar, unsigned index) const {
  const uint32_t raw = dword(pci::kBar0 + 4 * index);
  const uint16_t command = static_cast<uint16_t>(configRead(pci::kCommand, 2));
  if (bar.io) {
    const uint64_t base = raw & ~0x3u;
    if (!(command & 0x1) || base == 0 || base + bar.size > 0x10000) return -1;
    return static_cast<int64_t>(base);
  }
  const uint64_t base = raw & ~0xFu;
  if (!(command & 0x2) || base == 0 || base + bar.size >= (1ull << 32)) return -1;
  return static_cast<int64_t>(base);
}

void PciFunction::updateBarDecoding() {
  for (unsigned i = 0; i < kBarCount; ++i) {
    BarBinding& bar = bars_[i];
    if (!bar.io_dev && !bar.mmio) continue;
    const int64_t want = bar_space_ ? wantedAddress(bar, i) : -1;
    if (want == bar.decoded_at) continue;
    if (bar.decoded_at >= 0) {
      if (bar.io) bar_space_->unmapIo(static_cast<uint16_t>(bar.decoded_at), bar.size);
      else bar_space_->unmapMemory(static_cast<uint64_t>(bar.decoded_at), bar.size, *bar.mmio);
      bar.decoded_at = -1;
    }
    if (want < 0) continue;
    if (bar.io) {
      if (bar_space_->mapIo(static_cast<uint16_t>(want), bar.size, *bar.io_dev, bar.name)) bar.decoded_at = want;
    } else {
      bar_space_->mapMemory(static_cast<uint64_t>(want), bar.size, *bar.mmio, bar.name);
      bar.decoded_at = want;
    }
  }
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
  BarBinding& bar = bars_.at(index);
  bar.size = size;
  bar.io = io;
}

}  // namespace sv
