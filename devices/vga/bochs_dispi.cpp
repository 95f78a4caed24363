#include "devices/vga/bochs_dispi.h"

#include <algorithm>

namespace sv {

using namespace dispi;

void BochsDispi::reset() {
  regs_.fill(0);
  regs_[kId] = kId5;
  regs_[kVideoMemory64k] = static_cast<uint16_t>(vram_.size() >> 16);
  index_ = 0;
  regs_vga_.dac_8bit = false;
  ++generation_;
}

uint32_t BochsDispi::ioRead(uint16_t port, unsigned size) {
  if (port == kIndexPort) return index_;
  return readRegister(index_);
}

void BochsDispi::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  if (port == kIndexPort) {
    index_ = static_cast<uint16_t>(value);
    return;
  }
  writeRegister(index_, static_cast<uint16_t>(value));
}

uint16_t BochsDispi::readRegister(unsigned index) const {
  if (index >= kRegisterCount) return 0;
  // With GETCAPS set, XRES/YRES/BPP read the maxima (Bochs vbe.h).
  if (regs_[kEnable] & kGetCaps) {
    if (index == kXres) return kMaxXres;
    if (index == kYres) return kMaxYres;
    if (index == kBpp) return kMaxBpp;
  }
  return regs_[index];
}

void BochsDispi::writeRegister(unsigned index, uint16_t value) {
  if (index >= kRegisterCount) return;
  ++generation_;
  switch (index) {
    case kId:
      if (value >= kId0 && value <= kId5) regs_[kId] = value;
      break;
    case kXres:
      // Bochs wants whole 8-pixel units; other values are ignored.
      if (value && value <= kMaxXres && value % 8 == 0) regs_[kXres] = value;
      break;
    case kYres:
      if (value && value <= kMaxYres) regs_[kYres] = value;
      break;
    case kBpp:
      if (value == 0) value = 8;  // Bochs: 0 means 8
      if (value == 8 || value == 15 || value == 16 || value == 24 || value == 32) regs_[kBpp] = value;
      break;
    case kEnable: enable(value); break;
    case kBank:
      if ((uint32_t{value} << 16) < vram_.size()) regs_[kBank] = value;
      break;
    case kVirtWidth:
      if (value >= regs_[kXres] && value && uint64_t{value} * bytesPerPixel() * regs_[kYres] <= vram_.size()) {
        regs_[kVirtWidth] = value;
        fitVirtualHeight();
      }
      break;
    case kXOffset:
    case kYOffset: regs_[index] = value; break;
    default: break;  // VIDEO_MEMORY_64K and VIRT_HEIGHT are read-only
  }
}

void BochsDispi::fitVirtualHeight() {
  const uint32_t line = lineBytes();
  regs_[kVirtHeight] = static_cast<uint16_t>(line ? std::min<uint32_t>(vram_.size() / line, 0xFFFF) : 0);
}

// Enabling a mode resets the virtual screen to the visible one and clears
// video memory unless NOCLEARMEM; a mode that does not fit in video memory
// is refused (the adapter stays as it was).
void BochsDispi::enable(uint16_t value) {
  const bool was_enabled = enabled();
  if ((value & kEnabled) && !was_enabled) {
    const unsigned bpp = regs_[kBpp] ? regs_[kBpp] : 8;
    regs_[kBpp] = static_cast<uint16_t>(bpp);
    if (!regs_[kXres] || !regs_[kYres] || uint64_t{regs_[kXres]} * regs_[kYres] * ((bpp + 7) / 8) > vram_.size()) {
      regs_[kEnable] = value & kGetCaps;
      return;
    }
    regs_[kVirtWidth] = regs_[kXres];
    regs_[kXOffset] = regs_[kYOffset] = 0;
    regs_[kBank] = 0;
    fitVirtualHeight();
    if (!(value & kNoClearMem)) vram_.fill(0);
  }
  regs_[kEnable] = value & (kEnabled | kGetCaps | kDac8Bit | kLfbEnabled | kNoClearMem);
  regs_vga_.dac_8bit = value & kDac8Bit;
  vram_.markAllDirty();
}

}  // namespace sv
