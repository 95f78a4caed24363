// The Machine's storage: the PIIX3 IDE function at 00:01.1 with the drives
// of -drive/-hda/-cdrom, the ISA DMA and floppy controllers with the drives
// of -fda/-fdb, and what the firmware learns about them (CMOS disk and
// floppy bytes and boot order, the fw_cfg "bootorder" file).
#include <string>

#include "vmm/machine.h"

namespace sv {

namespace {

constexpr const char* kFirmwareRevision = "0.1.0";
constexpr const char* kInquiryRevision = "0.1";  // INQUIRY has 4 characters for it

DriveStrings driveStrings(const DriveConfig& d) {
  // Serial numbers differ per drive, as Linux and firmware expect.
  std::string serial = "SV" + std::string(5 - std::to_string(d.index).size(), '0') + std::to_string(d.index);
  const bool cd = d.media == DriveConfig::Media::Cdrom;
  return {serial, kFirmwareRevision, cd ? "SOFTVISOR CD-ROM" : "SOFTVISOR HARDDISK"};
}

// OpenFirmware-style device path of an IDE drive, as SeaBIOS builds it for
// matching against "bootorder" (src/boot.c: /pci@i0cf8/ide@1,1/drive@BUS/disk@UNIT).
std::string bootPath(const DriveConfig& d) {
  return "/pci@i0cf8/ide@1,1/drive@" + std::to_string(d.index / 2) + "/disk@" + std::to_string(d.index % 2);
}

// A floppy drive's path as SeaBIOS builds it for matching (src/boot.c
// bootprio_find_fdc_device: the ISA bridge's PCI path, then
// /fdc@03f0/floppy@UNIT). The shorter /isa/fdc@03f0/floppy@0 would not
// match on a board whose ISA bus hangs off the PIIX3.
std::string floppyBootPath(const FloppyConfig& f) {
  return "/pci@i0cf8/isa@1/fdc@03f0/floppy@" + std::to_string(f.index);
}

BootDevice bootDevice(char letter) {
  switch (letter) {
    case 'a': return BootDevice::Floppy;
    case 'c': return BootDevice::HardDisk;
    case 'd': return BootDevice::Cdrom;
    case 'n': return BootDevice::Network;
    default: return BootDevice::None;
  }
}

}  // namespace

void Machine::buildStorage() {
  ide_ = std::make_unique<PiixIde>(io_, static_cast<DmaMemory&>(*this),
                                   [this](unsigned irq, bool level) { setIsaIrq(irq, level); });
  pci_.attach(1, 1, *ide_);
  for (const DriveConfig& d : config_.drives) {
    IdeChannel& channel = ide_->channel(d.index / 2);
    try {
      if (d.media == DriveConfig::Media::Cdrom) {
        std::unique_ptr<DiskImage> disc;
        if (!d.path.empty()) disc = std::make_unique<DiskImage>(d.path, true, 2048);
        channel.attachCdrom(d.index % 2, std::make_unique<AtapiCdrom>(std::move(disc), "SOFTVSR", "CD-ROM", kInquiryRevision),
                            driveStrings(d));
      } else {
        channel.attachDisk(d.index % 2, std::make_unique<DiskImage>(d.path, d.read_only, 512), driveStrings(d));
      }
    } catch (const DiskImageError& e) {
      throw ConfigError(e.what());
    }
  }
  buildFloppy();
  // "bootorder" (QEMU docs/specs/fw_cfg, SeaBIOS boot.c): device paths,
  // one per line, first to boot first; the drives of each -boot letter in
  // index order.
  std::string order;
  for (char letter : config_.boot_order) {
    if (letter == 'a')
      for (unsigned index = 0; index < FloppyController::kDrives; ++index)
        for (const FloppyConfig& f : config_.floppies)
          if (f.index == index) order += (order.empty() ? "" : "\n") + floppyBootPath(f);
    for (unsigned index = 0; index < 4; ++index)
      for (const DriveConfig& d : config_.drives)
        if (d.index == index && ((letter == 'c' && d.media == DriveConfig::Media::Disk) ||
                                 (letter == 'd' && d.media == DriveConfig::Media::Cdrom)))
          order += (order.empty() ? "" : "\n") + bootPath(d);
  }
  std::vector<uint8_t> file(order.begin(), order.end());
  if (!file.empty()) file.push_back(0);
  fw_cfg_.addFile("bootorder", std::move(file));
}

// The PC's 8237 pair and the 82077AA with its drives (QEMU's "pc" has
// both whether or not a floppy is given).
void Machine::buildFloppy() {
  isa_dma_.attach(io_);
  fdc_ = std::make_unique<FloppyController>(isa_dma_, [this](bool level) { setIsaIrq(FloppyController::kIrq, level); });
  fdc_->attach(io_);
  for (const FloppyConfig& f : config_.floppies) {
    try {
      fdc_->insert(f.index, std::make_unique<FloppyDrive>(f.path, f.read_only));
    } catch (const DiskImageError& e) {
      throw ConfigError(e.what());
    }
  }
}

void Machine::describeStorage(CmosBoardConfig& board) const {
  // 0x10: drive A's type in the high nibble, B's in the low one.
  board.floppy_types = 0;
  for (unsigned n = 0; n < FloppyController::kDrives; ++n)
    if (const FloppyDrive* d = fdc_->drive(n)) board.floppy_types |= static_cast<uint8_t>(d->format().cmos_type << (n ? 0 : 4));
  for (unsigned i = 0; i < board.boot_order.size(); ++i)
    board.boot_order[i] = i < config_.boot_order.size() ? bootDevice(config_.boot_order[i]) : BootDevice::None;
  for (unsigned index = 0; index < 4; ++index) {
    IdeDrive* d = ide_->channel(index / 2).drive(index % 2);
    if (!d || d->isPacketDevice()) continue;
    const ChsGeometry& g = d->defaultChs();
    board.ata_disks[index] = CmosDiskGeometry{g.cylinders, g.heads, g.sectors};
  }
}

}  // namespace sv
