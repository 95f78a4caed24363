#include "devices/dma/isa_dma.h"

#include <algorithm>
#include <cstring>

namespace sv {

namespace {
// Page register port offset (from 0x80) of each channel (IBM AT; channel 4
// is the cascade, 0x8F the AT's refresh page).
constexpr std::array<uint8_t, 8> kPagePort = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};
}  // namespace

void IsaDma::attach(IoBus& io) {
  io.registerPorts(0x00, 16, *this, "dma-slave");
  io.registerPorts(0xC0, 32, *this, "dma-master");
  io.registerPorts(0x81, 15, *this, "dma-page");
}

void IsaDma::reset() {
  for (Dma8237& c : chips_) c.masterClear();
  pages_.fill(0);
}

uint8_t IsaDma::pageRegister(unsigned channel) const { return pages_[kPagePort[channel]]; }

uint32_t IsaDma::ioRead(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<uint32_t>(readByte(static_cast<uint16_t>(port + i))) << (8 * i);
  return v;
}

void IsaDma::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) writeByte(static_cast<uint16_t>(port + i), static_cast<uint8_t>(value >> (8 * i)));
}

uint8_t IsaDma::readByte(uint16_t port) {
  if (port < 0x10) return chips_[0].read(port);
  if (port >= 0xC0 && port < 0xE0) return chips_[1].read((port - 0xC0u) >> 1);  // odd ports alias
  if (port > 0x80 && port < 0x90) return pages_[port - 0x80u];
  return 0xFF;
}

void IsaDma::writeByte(uint16_t port, uint8_t value) {
  if (port < 0x10) chips_[0].write(port, value);
  else if (port >= 0xC0 && port < 0xE0) chips_[1].write((port - 0xC0u) >> 1, value);
  else if (port > 0x80 && port < 0x90) pages_[port - 0x80u] = value;
  else return;
  serviceRequests();  // an unmask or enable may let a waiting request run
}

void IsaDma::setRequest(unsigned channel, bool level) {
  dreq_[channel] = level;
  chip(channel).setRequest(channel & 3, level);
  if (level) serviceRequests();
}

void IsaDma::serviceRequests() {
  // The device's service transfers and may drop or raise DREQ again; one
  // pass at a time (a service that re-requests is seen by the loop).
  if (servicing_) return;
  servicing_ = true;
  for (bool again = true; again;) {
    again = false;
    for (unsigned ch = 0; ch < kChannels; ++ch) {
      if (ch == 4 || !dreq_[ch] || !service_[ch] || !channelReady(ch)) continue;
      service_[ch]();
      // Served, but still asking and still ready: it wants another pass.
      again = again || (dreq_[ch] && channelReady(ch));
    }
  }
  servicing_ = false;
}

IsaDma::Result IsaDma::transfer(unsigned channel, uint8_t* buffer, size_t len, bool to_memory) {
  Result r;
  Dma8237& c = chip(channel);
  const unsigned n = channel & 3;
  if (!c.ready(n)) return r;
  const bool wide = channel >= 4;
  const unsigned unit = wide ? 2 : 1;
  const DmaTransferType type = c.transferType(n);
  const bool touch = (to_memory && type == DmaTransferType::Write) || (!to_memory && type == DmaTransferType::Read);
  const uint8_t page = pageRegister(channel);
  while (len - r.bytes >= unit && !r.terminal_count) {
    const uint16_t addr = c.currentAddress(n);
    // The address counter is 16 bits: the transfer wraps inside its 64 KiB
    // (8-bit) or 128 KiB (16-bit, word addresses, page bit 0 ignored)
    // block, never carrying into the page register.
    uint32_t units;
    if (c.decrement(n)) units = 1;
    else units = std::min<uint32_t>({static_cast<uint32_t>((len - r.bytes) / unit), c.remaining(n), 0x10000u - addr});
    const uint64_t phys = wide ? (static_cast<uint64_t>(page & 0xFE) << 16) | (static_cast<uint64_t>(addr) << 1)
                               : (static_cast<uint64_t>(page) << 16) | addr;
    const size_t bytes = units * unit;
    uint8_t* p = buffer + r.bytes;
    if (touch && to_memory) memory_.dmaWrite(phys, p, bytes);
    else if (touch) memory_.dmaRead(phys, p, bytes);
    else if (!to_memory) std::memset(p, 0xFF, bytes);
    r.bytes += bytes;
    r.terminal_count = c.advance(n, units);
  }
  return r;
}

}  // namespace sv
