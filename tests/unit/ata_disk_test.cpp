// ATA hard disks on the PIIX IDE channel (ATA/ATAPI-6): signature,
// IDENTIFY DEVICE, PIO and DMA protocols, addressing, errors, resets.
#include <doctest/doctest.h>

#include "ide_test_rig.h"

using namespace sv;
using namespace sv::test;
using namespace sv::ata;

namespace {
struct DiskRig : IdeRig {
  TempImage image;
  explicit DiskRig(size_t sectors = 2048, bool read_only = false) : image(sectors, 512) {
    primary().attachDisk(0, std::make_unique<DiskImage>(image.path, read_only, 512), {"SV00000", "0.1.0", "SOFTVISOR HARDDISK"});
    powerOn();
  }
};

std::string ataString(const std::vector<uint8_t>& block, unsigned word, unsigned chars) {
  std::string s;
  for (unsigned i = 0; i < chars; i += 2) s += static_cast<char>(block[2 * (word + i / 2) + 1]), s += static_cast<char>(block[2 * (word + i / 2)]);
  return s;
}
uint16_t word(const std::vector<uint8_t>& b, unsigned w) { return static_cast<uint16_t>(b[2 * w] | b[2 * w + 1] << 8); }
}  // namespace

TEST_CASE("ATA: the disk signature after reset, status DRDY|DSC, empty slave reads status 0") {
  DiskRig r;
  CHECK(r.in(2) == 1);
  CHECK(r.in(3) == 1);
  CHECK(r.in(4) == 0x00);
  CHECK(r.in(5) == 0x00);
  CHECK(r.in(1) == 0x01);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  r.out(6, 0xB0);  // select the absent slave
  CHECK(r.in(7) == 0x00);
  CHECK(r.in(0x206) == 0x00);
  // A command to the absent device is not executed: no interrupt.
  r.out(7, cmd::kIdentifyDevice);
  CHECK_FALSE(r.irq[14]);
  // The empty secondary channel reads zeros.
  CHECK(r.in(7, 0x170) == 0x00);
}

TEST_CASE("ATA: IDENTIFY DEVICE strings, capacities, geometry, modes, interrupt until status is read") {
  DiskRig r(100000);
  r.out(6, 0xA0);
  r.out(7, cmd::kIdentifyDevice);
  CHECK(r.irq[14]);
  CHECK(r.in(0x206) == (kStatusDrdy | kStatusDsc | kStatusDrq));  // alternate status keeps the interrupt
  CHECK(r.irq[14]);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc | kStatusDrq));
  CHECK_FALSE(r.irq[14]);
  auto id = r.readBlock(512);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  CHECK(ataString(id, 27, 40).rfind("SOFTVISOR HARDDISK  ", 0) == 0);
  CHECK(ataString(id, 10, 20) == "SV00000             ");
  CHECK(ataString(id, 23, 8) == "0.1.0   ");
  CHECK(word(id, 1) == 100000 / (16 * 63));
  CHECK(word(id, 3) == 16);
  CHECK(word(id, 6) == 63);
  CHECK((word(id, 60) | word(id, 61) << 16) == 100000);
  CHECK(word(id, 100) == static_cast<uint16_t>(100000));
  CHECK(word(id, 101) == (100000 >> 16));
  CHECK((word(id, 83) & 0x0400) != 0);  // 48-bit
  CHECK((word(id, 49) & 0x0300) == 0x0300);
  CHECK(word(id, 63) == 0x0407);  // MWDMA 0-2, mode 2 selected
  // SET FEATURES to UDMA 5: word 88 selects it and word 63 no longer does.
  r.out(1, 0x03), r.out(2, 0x45), r.out(7, cmd::kSetFeatures);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  r.out(7, cmd::kIdentifyDevice);
  id = r.readBlock(512);
  CHECK(word(id, 88) == 0x203F);
  CHECK(word(id, 63) == 0x0007);
  // An unsupported mode is aborted.
  r.out(1, 0x03), r.out(2, 0x47), r.out(7, cmd::kSetFeatures);
  CHECK(r.in(7) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1) == kErrorAbrt);
}

TEST_CASE("ATA: READ SECTORS (LBA28) gives the image's bytes, one interrupt per sector") {
  DiskRig r;
  r.lba28(cmd::kReadSectors, 100, 2);
  for (size_t s = 100; s < 102; ++s) {
    CHECK(r.irq[14]);
    CHECK(r.in(7) == (kStatusDrdy | kStatusDsc | kStatusDrq));
    auto b = r.readBlock(512);
    for (size_t i = 0; i < 512; i += 97) CHECK(b[i] == TempImage::expected(s, i));
  }
  CHECK_FALSE(r.irq[14]);  // data-in ends without an interrupt
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  CHECK(r.in(3) == 101);  // the last sector transferred
}

TEST_CASE("ATA: 32-bit data port reads, nIEN masks INTRQ, CHS addressing") {
  DiskRig r;
  r.out(0x206, kControlNien);
  // CHS 0/1/1 (cylinder 0, head 1, sector 1) is LBA 63 in the 16x63 translation.
  r.out(2, 1), r.out(3, 1), r.out(4, 0), r.out(5, 0), r.out(6, 0xA1);
  r.out(7, cmd::kReadSectors);
  CHECK_FALSE(r.irq[14]);
  CHECK((r.in(0x206) & kStatusDrq) != 0);
  const uint32_t first = r.io.read(0x1F0, 4);
  CHECK(first == (uint32_t{TempImage::expected(63, 0)} | uint32_t{TempImage::expected(63, 1)} << 8 |
                  uint32_t{TempImage::expected(63, 2)} << 16 | uint32_t{TempImage::expected(63, 3)} << 24));
  for (int i = 0; i < 127; ++i) r.io.read(0x1F0, 4);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  // Sector 0 does not exist in CHS: IDNF.
  r.out(2, 1), r.out(3, 0), r.out(6, 0xA0), r.out(7, cmd::kReadSectors);
  CHECK(r.in(7) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1) == kErrorIdnf);
}

TEST_CASE("ATA: WRITE SECTORS: no interrupt for the first block, one after each, data reaches the file") {
  DiskRig r;
  r.lba28(cmd::kWriteSectors, 5, 2);
  CHECK_FALSE(r.irq[14]);
  for (int block = 0; block < 2; ++block) {
    CHECK(r.in(0x206) == (kStatusDrdy | kStatusDsc | kStatusDrq));
    for (int i = 0; i < 256; ++i) r.io.write(0x1F0, 2, static_cast<uint32_t>(0x1100 * (block + 1) + i));
    CHECK(r.irq[14]);
    r.in(7);
  }
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  auto f = r.image.read(5 * 512, 1024);
  CHECK(f[0] == 0x00);
  CHECK(f[1] == 0x11);
  CHECK(f[512 + 2] == 0x01);
  CHECK(f[512 + 3] == 0x22);
  CHECK(r.image.read(7 * 512, 1)[0] == TempImage::expected(7, 0));
}

TEST_CASE("ATA: READ MULTIPLE needs SET MULTIPLE MODE, then one DRQ block per N sectors") {
  DiskRig r;
  r.lba28(cmd::kReadMultiple, 0, 8);
  CHECK(r.in(7) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1) == kErrorAbrt);
  r.out(2, 3), r.out(7, cmd::kSetMultipleMode);  // not a power of two
  CHECK((r.in(7) & kStatusErr) != 0);
  r.out(2, 4), r.out(7, cmd::kSetMultipleMode);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  r.lba28(cmd::kReadMultiple, 10, 8);
  for (int block = 0; block < 2; ++block) {
    CHECK(r.irq[14]);
    r.in(7);
    auto b = r.readBlock(4 * 512);
    CHECK(b[0] == TempImage::expected(10 + 4 * block, 0));
    CHECK(b[3 * 512 + 5] == TempImage::expected(13 + 4 * block, 5));
  }
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
}

TEST_CASE("ATA: READ SECTORS EXT takes the high bytes from the HOB registers, HOB reads them back") {
  DiskRig r(70000);
  // LBA 0x0000_0001_0000 (65536), count 0x0001 written high byte first.
  r.out(2, 0x00), r.out(2, 0x01);
  r.out(3, 0x00), r.out(3, 0x00);
  r.out(4, 0x00), r.out(4, 0x00);
  r.out(5, 0x00), r.out(5, 0x01);
  r.out(6, 0x40);
  r.out(0x206, kControlHob);
  CHECK(r.in(2) == 0x00);  // previous count byte
  r.out(0x206, 0);
  r.out(7, cmd::kReadSectorsExt);
  r.in(7);
  auto b = r.readBlock(512);
  CHECK(b[9] == TempImage::expected(65536, 9));
  // Past the end (LBA bits 31:24 from the previous LBA low byte): IDNF.
  r.out(3, 0x01);
  r.out(3, 0x00);
  r.out(7, cmd::kReadSectorsExt);
  CHECK(r.in(7) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1) == kErrorIdnf);
}

TEST_CASE("ATA: a read-only image aborts writes, FLUSH CACHE, power mode, verify, seek") {
  DiskRig r(2048, true);
  r.lba28(cmd::kWriteSectors, 0, 1);
  CHECK(r.in(7) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1) == kErrorAbrt);
  r.lba28(cmd::kWriteDma, 0, 1);
  CHECK(r.in(1) == kErrorAbrt);
  r.out(7, cmd::kFlushCache);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  r.out(7, cmd::kStandbyImmediate);
  r.in(7);
  r.out(7, cmd::kCheckPowerMode);
  CHECK(r.in(2) == 0x00);
  r.lba28(cmd::kReadVerify, 10, 4);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  CHECK(r.in(3) == 13);
  r.out(7, cmd::kCheckPowerMode);
  CHECK(r.in(2) == 0xFF);  // the access spun the disk up
  r.lba28(cmd::kSeek, 5000, 0);
  CHECK(r.in(1) == kErrorIdnf);
  r.out(7, 0xB0);  // SMART is not implemented
  CHECK(r.in(1) == kErrorAbrt);
}

TEST_CASE("ATA: INITIALIZE DEVICE PARAMETERS changes the CHS translation") {
  DiskRig r(4096);
  r.out(2, 32), r.out(6, 0xA0 | 3), r.out(7, cmd::kInitializeDeviceParameters);  // 4 heads, 32 sectors
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  // C/H/S 1/0/1 = LBA 128 now.
  r.out(2, 1), r.out(3, 1), r.out(4, 1), r.out(5, 0), r.out(6, 0xA0), r.out(7, cmd::kReadSectors);
  r.in(7);
  CHECK(r.readBlock(512)[0] == TempImage::expected(128, 0));
  r.out(6, 0xA0), r.out(7, cmd::kIdentifyDevice);
  auto id = r.readBlock(512);
  CHECK(word(id, 55) == 4);
  CHECK(word(id, 56) == 32);
  CHECK(word(id, 54) == 4096 / 128);
}

TEST_CASE("ATA: SRST holds BSY, then leaves the signature, EXECUTE DEVICE DIAGNOSTIC too") {
  DiskRig r;
  r.lba28(cmd::kReadSectors, 7, 1);
  r.out(0x206, kControlSrst);
  CHECK(r.in(0x206) == kStatusBsy);
  r.out(0x206, 0);
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  CHECK(r.in(2) == 1);
  CHECK(r.in(3) == 1);
  CHECK(r.in(1) == 0x01);
  r.out(3, 0x55);
  r.out(7, cmd::kExecuteDiagnostic);
  CHECK(r.irq[14]);
  CHECK(r.in(3) == 1);
  CHECK(r.in(1) == 0x01);
}

TEST_CASE("Bus-master DMA: READ DMA through a two-entry PRD table") {
  DiskRig r;
  auto& m = r.dma.bytes;
  // PRD table at 0x1000: 1024 bytes to 0x20000, then (EOT) 512 bytes to 0x30000.
  const uint8_t prd[] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x02, 0x00, 0x80};
  std::memcpy(&m[0x1000], prd, sizeof prd);
  r.io.write(kBmBase + 4, 4, 0x1000);
  r.lba28(cmd::kReadDma, 40, 3);
  CHECK(r.in(0x206) == (kStatusDrdy | kStatusDsc | kStatusDrq));
  CHECK_FALSE(r.irq[14]);  // waits for the bus master
  r.io.write(kBmBase, 1, 0x09);  // start, device to memory
  CHECK(r.irq[14]);
  CHECK(r.io.read(kBmBase + 2, 1) == 0x04);  // interrupt, not active: the table was used up
  CHECK(r.in(7) == (kStatusDrdy | kStatusDsc));
  CHECK(m[0x20000] == TempImage::expected(40, 0));
  CHECK(m[0x20000 + 600] == TempImage::expected(41, 88));
  CHECK(m[0x30000 + 511] == TempImage::expected(42, 511));
  CHECK(m[0x30000 + 512] == 0xEE);
  r.io.write(kBmBase + 2, 1, 0x04);  // write 1 to clear
  CHECK(r.io.read(kBmBase + 2, 1) == 0x00);
}

TEST_CASE("Bus-master DMA: WRITE DMA, a table larger than the transfer stays active, a smaller one stalls") {
  DiskRig r;
  auto& m = r.dma.bytes;
  for (int i = 0; i < 1024; ++i) m[0x40000 + i] = static_cast<uint8_t>(0xA0 ^ i);
  const uint8_t big[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x10, 0x00, 0x80};  // 4096 bytes, EOT
  std::memcpy(&m[0x2000], big, sizeof big);
  r.io.write(kBmBase + 4, 4, 0x2000);
  r.io.write(kBmBase, 1, 0x01);  // started first; the command comes later
  r.lba28(cmd::kWriteDma, 9, 2);
  CHECK(r.irq[14]);
  CHECK(r.io.read(kBmBase + 2, 1) == 0x05);  // interrupt + still active
  CHECK(r.image.read(9 * 512 + 700, 1)[0] == static_cast<uint8_t>(0xA0 ^ 700));
  r.io.write(kBmBase, 1, 0x00);
  r.io.write(kBmBase + 2, 1, 0x06);
  r.in(7);
  const uint8_t small[] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x00, 0x80};  // 512 bytes for 2 sectors
  std::memcpy(&m[0x2000], small, sizeof small);
  r.lba28(cmd::kReadDma, 0, 2);
  r.io.write(kBmBase, 1, 0x09);
  CHECK_FALSE(r.irq[14]);
  CHECK(r.io.read(kBmBase + 2, 1) == 0x00);  // neither: the transfer stalled
  CHECK((r.in(0x206) & kStatusDrq) != 0);
}

TEST_CASE("Bus-master DMA waits while PCI bus mastering is disabled") {
  DiskRig r;
  r.cfg(0x04, 2, 0x0001);
  const uint8_t prd[] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x80};
  std::memcpy(&r.dma.bytes[0x1000], prd, sizeof prd);
  r.io.write(kBmBase + 4, 4, 0x1000);
  r.lba28(cmd::kReadDma, 1, 1);
  r.io.write(kBmBase, 1, 0x09);
  CHECK_FALSE(r.irq[14]);
  CHECK(r.dma.bytes[0x20000] == 0xEE);
}

TEST_CASE("PIIX IDE: 8086:7010 class 01/01/80, legacy ports decode only with IDETIM decode enable and I/O space") {
  DiskRig r;
  CHECK(r.bus.configRead(0, 1, 1, 0x00, 4) == 0x70108086u);
  CHECK(r.bus.configRead(0, 1, 1, 0x08, 4) == 0x01018000u);
  r.cfg(0x40, 2, 0x0000);
  CHECK(r.io.read(0x1F7, 1) == 0xFF);  // open bus
  CHECK(r.io.read(0x170 + 7, 1) == 0x00);  // the secondary still decodes
  r.cfg(0x40, 2, 0x8000);
  CHECK(r.io.read(0x1F7, 1) == (kStatusDrdy | kStatusDsc));
  r.cfg(0x04, 2, 0x0000);
  CHECK(r.io.read(0x1F7, 1) == 0xFF);
  CHECK(r.io.read(kBmBase + 2, 1) == 0xFF);
}

TEST_CASE("Disk images: a missing file is a clear error naming it") {
  CHECK_THROWS_WITH_AS(DiskImage("/nonexistent/disk.img", false, 512),
                       doctest::Contains("disk image '/nonexistent/disk.img': cannot open"), DiskImageError);
  TempImage odd(1, 300);  // 300 bytes: not whole sectors
  CHECK_THROWS_WITH_AS(DiskImage(odd.path, true, 512), doctest::Contains("not a whole"), DiskImageError);
}
