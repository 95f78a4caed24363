#include "devices/dma/dma8237.h"

namespace sv {

void Dma8237::masterClear() {
  command_ = status_ = request_ = 0;
  flip_flop_ = false;
  mask_ = 0x0F;
}

uint8_t Dma8237::read(unsigned reg) {
  if (reg < 8) {
    // Current address (even) or current word count (odd), low byte first.
    const Channel& c = ch_[reg >> 1];
    const uint16_t v = (reg & 1) ? c.count : c.address;
    const bool high = flip_flop_;
    flip_flop_ = !flip_flop_;
    return static_cast<uint8_t>(high ? v >> 8 : v);
  }
  switch (reg) {
    case 8: {
      // Status: TC bits 3:0 clear on read; requests (DREQ or software) 7:4.
      const uint8_t v = static_cast<uint8_t>(status_ | ((dreq_ | request_) << 4));
      status_ = 0;
      return v;
    }
    case 13: return 0;  // temporary register: only memory-to-memory fills it
    case 15: return static_cast<uint8_t>(0xF0 | mask_);  // the mask, readable on the PIIX (82374 style)
    default: return 0xFF;  // write-only registers
  }
}

void Dma8237::write(unsigned reg, uint8_t value) {
  if (reg < 8) {
    // A write goes to both the base and the current register.
    Channel& c = ch_[reg >> 1];
    uint16_t& base = (reg & 1) ? c.base_count : c.base_address;
    const bool high = flip_flop_;
    flip_flop_ = !flip_flop_;
    base = high ? static_cast<uint16_t>((base & 0x00FF) | (value << 8)) : static_cast<uint16_t>((base & 0xFF00) | value);
    ((reg & 1) ? c.count : c.address) = base;
    return;
  }
  switch (reg) {
    case 8: command_ = value; break;
    case 9:  // request register: bit 2 sets, bits 1:0 the channel
      request_ = static_cast<uint8_t>((value & 4) ? (request_ | (1u << (value & 3))) : (request_ & ~(1u << (value & 3))));
      break;
    case 10:  // single mask bit
      mask_ = static_cast<uint8_t>((value & 4) ? (mask_ | (1u << (value & 3))) : (mask_ & ~(1u << (value & 3))));
      break;
    case 11: ch_[value & 3].mode = value; break;
    case 12: flip_flop_ = false; break;
    case 13: masterClear(); break;
    case 14: mask_ = 0; break;           // clear mask register
    case 15: mask_ = value & 0x0F; break;  // write all mask bits
  }
}

bool Dma8237::advance(unsigned ch, uint32_t units) {
  Channel& c = ch_[ch];
  const bool terminal = units >= remaining(ch);
  c.address = static_cast<uint16_t>(decrement(ch) ? c.address - units : c.address + units);
  c.count = static_cast<uint16_t>(c.count - units);
  if (!terminal) return false;
  // Terminal count (datasheet "Autoinitialize", "Mask Register"): the
  // status bit is set and the software request cleared; with
  // auto-initialize the base values are reloaded, otherwise the channel
  // masks itself.
  status_ |= static_cast<uint8_t>(1u << ch);
  request_ &= static_cast<uint8_t>(~(1u << ch));
  if (c.mode & kModeAutoInit) {
    c.address = c.base_address;
    c.count = c.base_count;
  } else {
    mask_ |= static_cast<uint8_t>(1u << ch);
  }
  return true;
}

void Dma8237::setRequest(unsigned ch, bool level) {
  dreq_ = static_cast<uint8_t>(level ? (dreq_ | (1u << ch)) : (dreq_ & ~(1u << ch)));
}

}  // namespace sv
