// One Intel 8237A DMA controller: four channels with base/current address
// and word count, mode, mask, request and status registers, the byte
// pointer flip-flop and the command register (8237A datasheet,
// "Register Description"). It moves no data itself: IsaDma (isa_dma.h)
// pairs two of them with the page registers and does the memory side.
#pragma once

#include <array>
#include <cstdint>

namespace sv {

// Mode register bits 3:2 (8237A "Mode Register").
enum class DmaTransferType : uint8_t { Verify = 0, Write = 1, Read = 2, Illegal = 3 };

class Dma8237 {
 public:
  struct Channel {
    uint16_t base_address = 0, base_count = 0;
    uint16_t address = 0, count = 0;  // current registers
    uint8_t mode = 0;                 // as written, bits 1:0 = channel
  };

  Dma8237() { masterClear(); }

  // Register offsets 0-15 as on the slave controller's ports 0x00-0x0F.
  uint8_t read(unsigned reg);
  void write(unsigned reg, uint8_t value);
  // Master clear (and hardware reset): command, status, request and
  // temporary registers and the flip-flop cleared, every channel masked.
  void masterClear();

  // A channel may transfer: unmasked, and the controller not disabled
  // (command register bit 2).
  bool ready(unsigned ch) const { return !(mask_ & (1u << ch)) && !(command_ & kCommandDisable); }
  DmaTransferType transferType(unsigned ch) const { return static_cast<DmaTransferType>((ch_[ch].mode >> 2) & 3); }
  bool decrement(unsigned ch) const { return ch_[ch].mode & kModeDecrement; }
  // Units left before terminal count (count + 1, up to 65536).
  uint32_t remaining(unsigned ch) const { return static_cast<uint32_t>(ch_[ch].count) + 1; }
  uint16_t currentAddress(unsigned ch) const { return ch_[ch].address; }
  // Advances the current registers by `units` (no more than remaining());
  // at terminal count sets the status bit and reloads (auto-initialize)
  // or masks the channel. Returns true at terminal count.
  bool advance(unsigned ch, uint32_t units);
  // DREQ inputs, shown in status bits 7:4.
  void setRequest(unsigned ch, bool level);
  const Channel& channel(unsigned ch) const { return ch_[ch]; }
  uint8_t mask() const { return mask_; }

 private:
  static constexpr uint8_t kCommandDisable = 0x04;
  static constexpr uint8_t kModeAutoInit = 0x10;
  static constexpr uint8_t kModeDecrement = 0x20;

  std::array<Channel, 4> ch_{};
  uint8_t command_ = 0, status_ = 0, request_ = 0, dreq_ = 0, mask_ = 0x0F;
  bool flip_flop_ = false;  // false: the next byte is the low byte
};

}  // namespace sv
