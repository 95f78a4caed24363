// The PC's ISA DMA: two 8237As (slave at 0x00-0x0F with 8-bit channels
// 0-3, master at 0xC0-0xDF, registers on even ports, with 16-bit channels
// 5-7 and channel 4 the cascade) and the 74LS612 page registers at
// 0x81-0x8F. Port 0x80 is not ours: it is the POST code port, left to
// whoever claims it (a -debugcon there) or to the open bus.
//
// The device side follows DREQ/DACK: a device raises DREQ with
// setRequest(); while its channel is ready the controller calls the
// device's service function, in which the device moves its bytes with
// transfer(). A request made before the guest unmasks the channel is
// served at the unmask. Transfers complete at once (no bus timing), so
// single, demand and block modes behave alike; what the device sees is
// the byte count, terminal count and the memory written or read.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "devices/dma/dma8237.h"
#include "devices/dma_memory.h"
#include "devices/io_bus.h"

namespace sv {

class IsaDma final : public IoDevice {
 public:
  static constexpr unsigned kChannels = 8;

  explicit IsaDma(DmaMemory& memory) : memory_(memory) {}
  void attach(IoBus& io);
  void reset();

  // ---- device side ----
  void connect(unsigned channel, std::function<void()> service) { service_[channel] = std::move(service); }
  void setRequest(unsigned channel, bool level);
  struct Result {
    size_t bytes = 0;             // moved (or counted, for verify)
    bool terminal_count = false;  // the channel reached TC with the last byte
  };
  // Moves up to `len` bytes between the device's buffer and memory at the
  // channel's current address, `to_memory` being the device's direction
  // (a device-to-memory transfer is the 8237's "write"). Memory is touched
  // only when the channel's transfer type agrees with the direction; for
  // verify or a mismatch the counts still advance and a device reading
  // memory gets 0xFF (nothing drives the bus). Stops at terminal count.
  // 16-bit channels (5-7) move whole words: an odd tail is not moved.
  Result transfer(unsigned channel, uint8_t* buffer, size_t len, bool to_memory);
  bool channelReady(unsigned channel) const { return chip(channel).ready(channel & 3); }
  DmaTransferType transferType(unsigned channel) const { return chip(channel).transferType(channel & 3); }

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

  const Dma8237& controller(unsigned index) const { return chips_[index]; }
  uint8_t pageRegister(unsigned channel) const;

 private:
  Dma8237& chip(unsigned channel) { return chips_[channel >> 2]; }
  const Dma8237& chip(unsigned channel) const { return chips_[channel >> 2]; }
  uint8_t readByte(uint16_t port);
  void writeByte(uint16_t port, uint8_t value);
  // Serves every ready channel with DREQ up (after a register write that
  // may have made one ready, or a new request).
  void serviceRequests();

  DmaMemory& memory_;
  std::array<Dma8237, 2> chips_{};
  std::array<uint8_t, 16> pages_{};  // ports 0x80-0x8F (0x80 unused here)
  std::array<std::function<void()>, kChannels> service_{};
  std::array<bool, kChannels> dreq_{};
  bool servicing_ = false;
};

}  // namespace sv
