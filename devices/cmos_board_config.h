// The CMOS bytes through which the board tells the firmware what it has:
// memory sizes, CPU count, floppy drives, equipment and boot order. The
// layout is the one SeaBIOS reads on QEMU/Bochs machines (SeaBIOS
// src/hw/rtc.h names; QEMU pc_cmos_init fills them the same way).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace sv {

// Boot device codes of CMOS 0x3D/0x38 as SeaBIOS decodes them.
enum class BootDevice : uint8_t { None = 0, Floppy = 1, HardDisk = 2, Cdrom = 3, Network = 4 };

// An IDE hard disk's default CHS geometry (IDENTIFY words 1, 3, 6).
struct CmosDiskGeometry {
  uint32_t cylinders = 0;
  uint32_t heads = 0;
  uint32_t sectors = 0;
};

struct CmosBoardConfig {
  uint64_t ram_bytes = 0;  // all guest RAM; above 3 GiB it is remapped above 4 GiB
  unsigned cpu_count = 1;
  // First, second, third boot device. QEMU's default order "cad".
  std::array<BootDevice, 3> boot_order{BootDevice::HardDisk, BootDevice::Floppy,
                                       BootDevice::Cdrom};
  bool check_floppy_signature = true;  // SeaBIOS: require 0x55AA on boot floppies
  // 0x10: drive A type in the high nibble, drive B in the low one
  // (4 = 1.44 MB, 5 = 2.88 MB); 0 = no drive.
  uint8_t floppy_types = 0;
  // IDE hard disks by index (bus * 2 + unit); CD-ROMs are not listed.
  std::array<std::optional<CmosDiskGeometry>, 4> ata_disks{};
};

namespace cmos {
// Offsets of the configuration bytes.
constexpr uint8_t kShutdownStatus = 0x0F;
constexpr uint8_t kFloppyTypes = 0x10;
constexpr uint8_t kHardDiskTypes = 0x12;  // 7-4: disk 0, 3-0: disk 1; Fh = see 0x19/0x1A
constexpr uint8_t kEquipment = 0x14;
constexpr uint8_t kHardDisk0Type = 0x19;  // extended type, 47 = user-defined geometry
constexpr uint8_t kHardDisk1Type = 0x1A;
constexpr uint8_t kHardDisk0Params = 0x1B;  // 9 bytes each (AT BIOS type-47 table)
constexpr uint8_t kHardDisk1Params = 0x24;
constexpr uint8_t kBaseMemLow = 0x15;      // KiB below 1 MiB (640)
constexpr uint8_t kBaseMemHigh = 0x16;
constexpr uint8_t kExtMemLow = 0x17;       // KiB above 1 MiB, max 0xFFFF
constexpr uint8_t kExtMemHigh = 0x18;
constexpr uint8_t kExtMemCopyLow = 0x30;   // the same again (POST's copy)
constexpr uint8_t kExtMemCopyHigh = 0x31;
constexpr uint8_t kCentury = 0x32;
constexpr uint8_t kExtMem16MLow = 0x34;    // 64 KiB units above 16 MiB, below 4 GiB
constexpr uint8_t kExtMem16MHigh = 0x35;
constexpr uint8_t kBootFlag1 = 0x38;       // bit 0: skip floppy signature; 7-4: 3rd boot device
constexpr uint8_t kAtaTranslation = 0x39;  // 2 bits per IDE disk: 0 none (CHS), 1 LBA
constexpr uint8_t kBootFlag2 = 0x3D;       // 3-0: 1st boot device; 7-4: 2nd
constexpr uint8_t kHighMemLow = 0x5B;      // 64 KiB units above 4 GiB (24 bits)
constexpr uint8_t kHighMemMid = 0x5C;
constexpr uint8_t kHighMemHigh = 0x5D;
constexpr uint8_t kCpuCountMinusOne = 0x5F;
}  // namespace cmos

// Writes the configuration bytes into the 128-byte CMOS image.
void writeBoardConfig(std::array<uint8_t, 128>& cmos, const CmosBoardConfig& board);

}  // namespace sv
