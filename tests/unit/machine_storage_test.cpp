// The Machine's storage wiring: drive images are checked at start-up, the
// PIIX IDE function sits at 00:01.1, and the firmware learns the disks and
// the boot order from CMOS and the fw_cfg "bootorder" file.
#include <doctest/doctest.h>

#include "ide_test_rig.h"
#include "vmm/machine.h"

using namespace sv;
using namespace sv::test;

namespace {
MachineConfig withDrives(const std::string& bios, std::vector<DriveConfig> drives, std::string order = "cad") {
  MachineConfig c;
  c.ram_bytes = 16 << 20;
  c.bios_path = bios;
  c.drives = std::move(drives);
  c.boot_order = std::move(order);
  return c;
}
uint8_t cmosByte(Machine& m, uint8_t index) {
  m.io().write(0x70, 1, index);
  return static_cast<uint8_t>(m.io().read(0x71, 1));
}
}  // namespace

TEST_CASE("Machine storage: a missing image stops start-up with a message naming it") {
  TempImage bios(128, 512);
  DriveConfig d;
  d.path = "/nonexistent/guest.img";
  CHECK_THROWS_WITH_AS(Machine(withDrives(bios.path, {d})), doctest::Contains("'/nonexistent/guest.img'"), ConfigError);
  d.media = DriveConfig::Media::Cdrom;
  d.index = 2;
  CHECK_THROWS_WITH_AS(Machine(withDrives(bios.path, {d})), doctest::Contains("'/nonexistent/guest.img'"), ConfigError);
}

TEST_CASE("Machine storage: PIIX IDE at 00:01.1, CMOS disk bytes and boot order, fw_cfg bootorder") {
  TempImage bios(128, 512);
  TempImage disk(16 * 63 * 20, 512);  // 20 cylinders
  TempImage iso(16, 2048);
  DriveConfig hd;
  hd.path = disk.path;
  DriveConfig cd;
  cd.path = iso.path;
  cd.media = DriveConfig::Media::Cdrom;
  cd.index = 2;
  Machine m(withDrives(bios.path, {hd, cd}, "dc"));
  CHECK(m.pci().configRead(0, 1, 1, 0, 4) == 0x70108086u);
  CHECK(cmosByte(m, 0x12) == 0xF0);  // disk 0 present, type in 0x19
  CHECK(cmosByte(m, 0x19) == 47);
  CHECK(cmosByte(m, 0x1B) == 20);    // cylinders
  CHECK(cmosByte(m, 0x1D) == 16);    // heads
  CHECK(cmosByte(m, 0x23) == 63);    // sectors per track
  CHECK(cmosByte(m, 0x39) == 0x00);  // small enough for CHS
  CHECK(cmosByte(m, 0x3D) == 0x23);  // CD-ROM, then hard disk
  // The file directory (big-endian count, then size/select/name entries).
  const std::vector<uint8_t>& dir = *m.fwCfg().item(fwcfg::kFileDir);
  std::string bootorder;
  for (size_t at = 4; at + 64 <= dir.size(); at += 64)
    if (std::string(reinterpret_cast<const char*>(&dir[at + 8])) == "bootorder") {
      const auto* item = m.fwCfg().item(static_cast<uint16_t>(dir[at + 4] << 8 | dir[at + 5]));
      REQUIRE(item);
      bootorder.assign(item->begin(), item->end());
    }
  CHECK(bootorder == std::string("/pci@i0cf8/ide@1,1/drive@1/disk@0\n/pci@i0cf8/ide@1,1/drive@0/disk@0") + '\0');
}

namespace {
std::string bootorderOf(Machine& m) {
  const std::vector<uint8_t>& dir = *m.fwCfg().item(fwcfg::kFileDir);
  for (size_t at = 4; at + 64 <= dir.size(); at += 64)
    if (std::string(reinterpret_cast<const char*>(&dir[at + 8])) == "bootorder") {
      const auto* item = m.fwCfg().item(static_cast<uint16_t>(dir[at + 4] << 8 | dir[at + 5]));
      REQUIRE(item);
      return std::string(item->begin(), item->end());
    }
  return {};
}
}  // namespace

TEST_CASE("Machine storage: floppies give CMOS 0x10/0x14 and SeaBIOS's floppy path in bootorder") {
  TempImage bios(128, 512);
  TempImage a(2880, 512);  // 1.44M
  TempImage b(720, 512);   // 360K
  MachineConfig c = withDrives(bios.path, {}, "ac");
  c.floppies = {FloppyConfig{a.path, false, 0}, FloppyConfig{b.path, true, 1}};
  // POST codes on port 0x80 still reach a debug console: the DMA page
  // registers leave it free.
  c.debug_consoles.push_back(DebugConsoleConfig{0x80, CharSink{CharSink::Kind::Null, ""}});
  Machine m(c);
  CHECK(cmosByte(m, 0x10) == 0x41);           // A: 1.44M, B: 360K
  CHECK((cmosByte(m, 0x14) & 0xC1) == 0x41);  // floppies present, two drives
  CHECK(cmosByte(m, 0x3D) == 0x21);           // floppy, then hard disk
  CHECK(bootorderOf(m) == std::string("/pci@i0cf8/isa@1/fdc@03f0/floppy@0\n/pci@i0cf8/isa@1/fdc@03f0/floppy@1") + '\0');
  CHECK(m.io().nameAt(0x80) == "isa-debugcon");
  CHECK(m.io().nameAt(0x3F5) == "isa-fdc");
  CHECK(m.io().nameAt(0x3F6) != "isa-fdc");  // IDE's control port when decoded
  CHECK(m.io().nameAt(0x81) == "dma-page");
  CHECK(m.floppyController().drive(1)->writeProtected());
}

TEST_CASE("Machine storage: a floppy image of no floppy size is refused, naming the file") {
  TempImage bios(128, 512);
  TempImage odd(1000, 512);
  MachineConfig c = withDrives(bios.path, {});
  c.floppies = {FloppyConfig{odd.path, false, 0}};
  const std::string want = "floppy image '" + odd.path + "' has 512000 bytes, which is no floppy format";
  CHECK_THROWS_WITH_AS(Machine{c}, doctest::Contains(want.c_str()), ConfigError);
}
