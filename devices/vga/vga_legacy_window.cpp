#include "devices/vga/vga_legacy_window.h"

#include "devices/vga/byte_lanes.h"

namespace sv {

using namespace vga;

namespace {
uint32_t expandBits(uint8_t planes) {  // bit p set -> plane p's byte all ones
  uint32_t v = 0;
  for (unsigned p = 0; p < 4; ++p)
    if (planes & (1u << p)) v |= 0xFFu << (8 * p);
  return v;
}
uint32_t replicate(uint8_t b) { return b * 0x01010101u; }
}  // namespace

uint64_t VgaLegacyWindow::mmioRead(uint64_t offset, unsigned size) {
  return readByteLanes(offset, size, [this](uint64_t o) { return readByte(static_cast<uint32_t>(o)); });
}

void VgaLegacyWindow::mmioWrite(uint64_t offset, unsigned size, uint64_t value) {
  writeByteLanes(offset, size, value, [this](uint64_t o, uint8_t v) { writeByte(static_cast<uint32_t>(o), v); });
}

int64_t VgaLegacyWindow::mapOffset(uint32_t offset) const {
  switch ((regs_.gc[kGcMisc] >> 2) & 3) {
    case 0: return offset;                                    // A0000-BFFFF, 128 KiB
    case 1: return offset < 0x10000 ? offset : -1;            // A0000-AFFFF
    case 2: return offset >= 0x10000 && offset < 0x18000 ? offset - 0x10000 : -1;  // B0000-B7FFF
    default: return offset >= 0x18000 ? offset - 0x18000 : -1;                      // B8000-BFFFF
  }
}

uint8_t VgaLegacyWindow::readByte(uint32_t offset) {
  if (dispi_.enabled()) return offset < 0x10000 ? vram_.read8(dispi_.bankOffset() + offset) : 0xFF;
  const int64_t m = mapOffset(offset);
  if (m < 0) return 0xFF;
  const uint32_t addr = static_cast<uint32_t>(m);
  if (regs_.seq[kSeqMemoryMode] & 0x08) return vram_.read8(addr);  // chain-4: plane = addr & 3
  if (regs_.gc[kGcMode] & 0x10) {
    // Odd/even: A0 picks plane 0/1 (2/3 with read map select bit 1).
    const uint32_t plane = (regs_.gc[kGcReadMapSelect] & 2) | (addr & 1);
    return vram_.read8(((addr & ~1u) << 1) | plane);
  }
  latch_ = static_cast<uint32_t>(vram_.readLe(addr * 4, 4));
  if (!(regs_.gc[kGcMode] & 0x08)) return static_cast<uint8_t>(latch_ >> (8 * (regs_.gc[kGcReadMapSelect] & 3)));
  // Read mode 1: a bit is set where every plane not masked by colour
  // don't care matches colour compare.
  const uint32_t differ = (latch_ ^ expandBits(regs_.gc[kGcColorCompare] & 0x0F)) & expandBits(regs_.gc[kGcColorDontCare] & 0x0F);
  return static_cast<uint8_t>(~(differ | differ >> 8 | differ >> 16 | differ >> 24));
}

void VgaLegacyWindow::writeByte(uint32_t offset, uint8_t value) {
  if (dispi_.enabled()) {
    if (offset < 0x10000) vram_.write8(dispi_.bankOffset() + offset, value);
    return;
  }
  const int64_t m = mapOffset(offset);
  if (m < 0) return;
  const uint32_t addr = static_cast<uint32_t>(m);
  const uint8_t map_mask = regs_.seq[kSeqMapMask];
  if (regs_.seq[kSeqMemoryMode] & 0x08) {  // chain-4
    if (map_mask & (1u << (addr & 3))) vram_.write8(addr, value);
    return;
  }
  if (!(regs_.seq[kSeqMemoryMode] & 0x04)) {  // odd/even
    const uint32_t plane = (regs_.gc[kGcReadMapSelect] & 2) | (addr & 1);
    if (map_mask & (1u << plane)) vram_.write8(((addr & ~1u) << 1) | plane, value);
    return;
  }
  writePlanar(addr, value);
}

void VgaLegacyWindow::writePlanar(uint32_t addr, uint8_t value) {
  const uint8_t rotate = regs_.gc[kGcDataRotate] & 7;
  const uint8_t rotated = static_cast<uint8_t>((value >> rotate) | (value << (8 - rotate)));
  uint32_t data = 0;
  uint32_t bit_mask = replicate(regs_.gc[kGcBitMask]);
  switch (regs_.gc[kGcMode] & 3) {
    case 0: {
      // Planes with set/reset enabled take the set/reset colour instead.
      const uint32_t sr_planes = expandBits(regs_.gc[kGcEnableSetReset] & 0x0F);
      data = (replicate(rotated) & ~sr_planes) | (expandBits(regs_.gc[kGcSetReset] & 0x0F) & sr_planes);
      break;
    }
    case 1: data = latch_, bit_mask = 0xFFFFFFFFu; break;  // the latches as they are
    case 2: data = expandBits(value & 0x0F); break;
    case 3:
      // The rotated byte ANDed with the bit mask is the mask; the colour is set/reset.
      bit_mask &= replicate(rotated);
      data = expandBits(regs_.gc[kGcSetReset] & 0x0F);
      break;
  }
  if ((regs_.gc[kGcMode] & 3) != 1) {
    switch ((regs_.gc[kGcDataRotate] >> 3) & 3) {
      case 1: data &= latch_; break;
      case 2: data |= latch_; break;
      case 3: data ^= latch_; break;
      default: break;
    }
  }
  data = (data & bit_mask) | (latch_ & ~bit_mask);
  const uint8_t map_mask = regs_.seq[kSeqMapMask];
  for (unsigned p = 0; p < 4; ++p)
    if (map_mask & (1u << p)) vram_.write8(addr * 4 + p, static_cast<uint8_t>(data >> (8 * p)));
}

}  // namespace sv
