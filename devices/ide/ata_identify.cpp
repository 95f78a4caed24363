#include "devices/ide/ata_identify.h"

#include <algorithm>

namespace sv {

ChsGeometry defaultGeometry(uint64_t total_sectors) {
  ChsGeometry g{0, 16, 63};
  const uint64_t cyl = total_sectors / (16 * 63);
  g.cylinders = static_cast<uint32_t>(std::clamp<uint64_t>(cyl, 1, 16383));
  return g;
}

bool transferModeSupported(uint8_t mode) {
  const uint8_t n = mode & 0x07;
  switch (mode & 0xF8) {
    case 0x00: return n <= 1;  // PIO default (with or without IORDY disable)
    case 0x08: return n <= 4;
    case 0x20: return n <= 2;
    case 0x40: return n <= 5;
    default: return false;
  }
}

void putAtaString(IdentifyData& words, unsigned first_word, unsigned length_chars, const std::string& s) {
  for (unsigned i = 0; i < length_chars; i += 2) {
    const auto at = [&](unsigned k) { return static_cast<uint8_t>(k < s.size() ? s[k] : ' '); };
    words[first_word + i / 2] = static_cast<uint16_t>(at(i) << 8 | at(i + 1));
  }
}

namespace {

void putStrings(IdentifyData& w, const DriveStrings& s) {
  putAtaString(w, 10, 20, s.serial);
  putAtaString(w, 23, 8, s.firmware);
  putAtaString(w, 27, 40, s.model);
}

// Words 62-64 and 88: supported modes in the low byte, the selected one in
// the high byte (8.15.27, 8.15.38). Only one DMA mode is selected at a time.
void putModes(IdentifyData& w, const TransferModes& m) {
  const unsigned n = m.dma & 0x07;
  w[63] = 0x0007 | ((m.dma & 0xF8) == 0x20 ? 0x0100 << n : 0);
  w[64] = 0x0003;  // PIO 3 and 4
  w[65] = w[66] = 120;  // multiword DMA cycle times (ns), mode 2
  w[67] = w[68] = 120;  // PIO cycle times, mode 4
  w[88] = 0x003F | ((m.dma & 0xF8) == 0x40 ? 0x0100 << n : 0);
}

// Word 93, hardware reset results (8.15.50): bit 14 set and bit 0 one for
// a valid word; device 0 reports it passed diagnostics, and bit 13 says the
// host's cable is an 80-conductor one, as the drive sees CBLID-.
uint16_t resetResult(bool master) { return master ? 0x6009 : 0x6100; }

}  // namespace

IdentifyData identifyDevice(const DiskIdentity& d) {
  IdentifyData w{};
  w[0] = 0x0040;  // fixed device
  w[1] = static_cast<uint16_t>(d.default_chs.cylinders);
  w[3] = static_cast<uint16_t>(d.default_chs.heads);
  w[6] = static_cast<uint16_t>(d.default_chs.sectors);
  putStrings(w, d.strings);
  w[47] = static_cast<uint16_t>(0x8000 | d.multiple_max);
  w[49] = 0x0300;  // LBA and DMA supported
  w[51] = 0x0200;  // PIO timing mode 2 (obsolete field)
  w[53] = 0x0007;  // words 54-58, 64-70 and 88 are valid
  const ChsGeometry& c = d.current_chs;
  w[54] = static_cast<uint16_t>(c.cylinders);
  w[55] = static_cast<uint16_t>(c.heads);
  w[56] = static_cast<uint16_t>(c.sectors);
  const uint64_t chs_capacity = uint64_t{c.cylinders} * c.heads * c.sectors;
  w[57] = static_cast<uint16_t>(chs_capacity);
  w[58] = static_cast<uint16_t>(chs_capacity >> 16);
  w[59] = static_cast<uint16_t>(d.multiple_current ? 0x0100 | d.multiple_current : 0);
  const uint64_t lba28 = std::min<uint64_t>(d.total_sectors, 0x0FFFFFFF);
  w[60] = static_cast<uint16_t>(lba28);
  w[61] = static_cast<uint16_t>(lba28 >> 16);
  putModes(w, d.modes);
  w[80] = 0x007E;  // ATA-1 .. ATA/ATAPI-6
  w[81] = 0x0000;
  // Command sets (8.15.43-48): power management (bit 3), write cache (5),
  // look-ahead (6); FLUSH CACHE (12), FLUSH CACHE EXT (13), 48-bit (10).
  w[82] = 0x0068;
  w[83] = 0x4000 | 0x3000 | 0x0400;
  w[84] = 0x4000;
  w[85] = static_cast<uint16_t>(0x0008 | (d.write_cache ? 0x0020 : 0) | (d.look_ahead ? 0x0040 : 0));
  w[86] = 0x3000 | 0x0400;
  w[87] = 0x4000;
  w[93] = resetResult(d.master);
  for (unsigned i = 0; i < 4; ++i) w[100 + i] = static_cast<uint16_t>(d.total_sectors >> (16 * i));
  return w;
}

IdentifyData identifyPacketDevice(const PacketIdentity& d) {
  IdentifyData w{};
  // ATAPI (15:14 = 10b), CD-ROM device type 05h, removable, DRQ within
  // 3 ms of PACKET (6:5 = 00b), 12-byte packets (8.16.4).
  w[0] = 0x8580;
  putStrings(w, d.strings);
  w[49] = 0x0300;  // LBA and DMA supported (no overlap/queueing)
  w[53] = 0x0006;  // words 64-70 and 88 are valid
  putModes(w, d.modes);
  w[71] = 30;  // bus release / service times (ns): small, no overlap
  w[72] = 30;
  w[80] = 0x007E;
  w[82] = 0x0010;  // PACKET command feature set
  w[83] = 0x4000;
  w[84] = 0x4000;
  w[85] = 0x0010;
  w[87] = 0x4000;
  w[93] = resetResult(d.master);
  return w;
}

}  // namespace sv
