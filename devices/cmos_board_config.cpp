#include "devices/cmos_board_config.h"

#include <algorithm>

#include "memory/physical_memory.h"

namespace sv {

namespace {
constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;

void put16(std::array<uint8_t, 128>& cmos, uint8_t low, uint64_t value) {
  value = std::min<uint64_t>(value, 0xFFFF);
  cmos[low] = static_cast<uint8_t>(value);
  cmos[low + 1] = static_cast<uint8_t>(value >> 8);
}
// The AT BIOS user-defined drive type (47) parameters, laid out as QEMU
// fills them and SeaBIOS reads them: cylinders, heads, write
// precompensation (none), control byte (more than 8 heads), landing zone,
// sectors per track.
void putDiskParams(std::array<uint8_t, 128>& cmos, uint8_t at, const CmosDiskGeometry& g) {
  const auto cyl = static_cast<uint16_t>(g.cylinders);
  cmos[at + 0] = static_cast<uint8_t>(cyl), cmos[at + 1] = static_cast<uint8_t>(cyl >> 8);
  cmos[at + 2] = static_cast<uint8_t>(g.heads);
  cmos[at + 3] = 0xFF, cmos[at + 4] = 0xFF;
  cmos[at + 5] = static_cast<uint8_t>(0xC0 | (g.heads > 8 ? 0x08 : 0));
  cmos[at + 6] = static_cast<uint8_t>(cyl), cmos[at + 7] = static_cast<uint8_t>(cyl >> 8);
  cmos[at + 8] = static_cast<uint8_t>(g.sectors);
}

void writeDiskBytes(std::array<uint8_t, 128>& cmos, const CmosBoardConfig& board) {
  const auto& d = board.ata_disks;
  cmos[cmos::kHardDiskTypes] = static_cast<uint8_t>((d[0] ? 0xF0 : 0) | (d[1] ? 0x0F : 0));
  cmos[cmos::kHardDisk0Type] = d[0] ? 47 : 0;
  cmos[cmos::kHardDisk1Type] = d[1] ? 47 : 0;
  if (d[0]) putDiskParams(cmos, cmos::kHardDisk0Params, *d[0]);
  if (d[1]) putDiskParams(cmos, cmos::kHardDisk1Params, *d[1]);
  // A disk beyond the reach of plain CHS (1024 cylinders) needs LBA
  // translation in the BIOS.
  uint8_t translation = 0;
  for (unsigned i = 0; i < 4; ++i)
    if (d[i] && (d[i]->cylinders > 1024 || d[i]->heads > 16 || d[i]->sectors > 63)) translation |= static_cast<uint8_t>(1u << (2 * i));
  cmos[cmos::kAtaTranslation] = translation;
}

}  // namespace

void writeBoardConfig(std::array<uint8_t, 128>& cmos, const CmosBoardConfig& board) {
  // The memory map of the "pc" machine (PhysicalMemory): RAM up to the PCI
  // hole at 3 GiB, the rest above 4 GiB.
  uint64_t below_4g = std::min(board.ram_bytes, PhysicalMemory::kPciHoleStart);
  uint64_t above_4g = board.ram_bytes - below_4g;

  put16(cmos, cmos::kBaseMemLow, std::min(below_4g / KiB, uint64_t{640}));
  uint64_t ext_kib = below_4g > MiB ? (below_4g - MiB) / KiB : 0;
  put16(cmos, cmos::kExtMemLow, ext_kib);
  put16(cmos, cmos::kExtMemCopyLow, ext_kib);
  put16(cmos, cmos::kExtMem16MLow, below_4g > 16 * MiB ? (below_4g - 16 * MiB) / (64 * KiB) : 0);
  uint64_t high_units = std::min<uint64_t>(above_4g / (64 * KiB), 0xFFFFFF);
  cmos[cmos::kHighMemLow] = static_cast<uint8_t>(high_units);
  cmos[cmos::kHighMemMid] = static_cast<uint8_t>(high_units >> 8);
  cmos[cmos::kHighMemHigh] = static_cast<uint8_t>(high_units >> 16);

  unsigned cpus = std::clamp(board.cpu_count, 1u, 256u);
  cmos[cmos::kCpuCountMinusOne] = static_cast<uint8_t>(cpus - 1);

  cmos[cmos::kShutdownStatus] = 0;  // normal power-on
  cmos[cmos::kFloppyTypes] = board.floppy_types;
  // Equipment byte (IBM AT): bit 0 floppy present, bit 1 FPU, bit 2 PS/2
  // mouse (QEMU/Bochs), bits 5-4 = 00 (EGA/VGA), bits 7-6 floppies - 1.
  unsigned floppies = ((board.floppy_types >> 4) != 0) + ((board.floppy_types & 0x0F) != 0);
  uint8_t equipment = 0x02 | 0x04;
  if (floppies > 0) equipment |= static_cast<uint8_t>(0x01 | ((floppies - 1) << 6));
  cmos[cmos::kEquipment] = equipment;

  writeDiskBytes(cmos, board);

  auto code = [&](int i) { return static_cast<uint8_t>(board.boot_order[i]) & 0x0F; };
  cmos[cmos::kBootFlag2] = static_cast<uint8_t>(code(0) | (code(1) << 4));
  cmos[cmos::kBootFlag1] =
      static_cast<uint8_t>((code(2) << 4) | (board.check_floppy_signature ? 0 : 1));
}

}  // namespace sv
