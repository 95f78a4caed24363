// The 256-word IDENTIFY DEVICE and IDENTIFY PACKET DEVICE data (ATA/ATAPI-6
// 8.15 and 8.16) of our drives, built from their current settings so what
// they advertise is what they do.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace sv {

using IdentifyData = std::array<uint16_t, 256>;

struct ChsGeometry {
  uint32_t cylinders = 0;
  uint32_t heads = 0;
  uint32_t sectors = 0;  // per track
};

// The default translation for a disk of `total_sectors`: 16 heads, 63
// sectors per track, cylinders capped at 16383 (the ATA limit for
// IDENTIFY word 1), as BIOSes and QEMU assume.
ChsGeometry defaultGeometry(uint64_t total_sectors);

// Transfer modes as SET FEATURES subcommand 03h encodes them (8.37.10):
// 0x00/0x01 PIO default, 0x08|n PIO n, 0x20|n multiword DMA n, 0x40|n UDMA n.
struct TransferModes {
  uint8_t pio = 0x00;
  uint8_t dma = 0x22;  // multiword DMA 2 until the host picks
};
// Supported modes: PIO 0-4, multiword DMA 0-2, Ultra DMA 0-5.
bool transferModeSupported(uint8_t mode);

struct DriveStrings {
  std::string serial;    // 20 characters
  std::string firmware;  // 8
  std::string model;     // 40
};

struct DiskIdentity {
  DriveStrings strings;
  uint64_t total_sectors = 0;
  ChsGeometry default_chs;
  ChsGeometry current_chs;  // INITIALIZE DEVICE PARAMETERS
  uint8_t multiple_max = 0;
  uint8_t multiple_current = 0;  // 0: READ/WRITE MULTIPLE disabled
  TransferModes modes;
  bool write_cache = true;
  bool look_ahead = true;
  bool master = true;
};

IdentifyData identifyDevice(const DiskIdentity& d);

struct PacketIdentity {
  DriveStrings strings;
  TransferModes modes;
  bool master = true;
};

IdentifyData identifyPacketDevice(const PacketIdentity& d);

// ATA strings: space padded, two characters per word, the first in the
// high byte (ATA-6 3.2.10).
void putAtaString(IdentifyData& words, unsigned first_word, unsigned length_chars, const std::string& s);

}  // namespace sv
