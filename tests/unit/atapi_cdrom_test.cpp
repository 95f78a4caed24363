// ATAPI CD-ROM on the secondary channel: signature, IDENTIFY PACKET
// DEVICE, the PACKET protocol (byte count limit, interrupt reason), PIO
// and DMA data, and the MMC commands with their sense data.
#include <doctest/doctest.h>

#include "ide_test_rig.h"

using namespace sv;
using namespace sv::test;
using namespace sv::ata;

namespace {
constexpr uint16_t kSec = 0x170;

struct CdRig : IdeRig {
  TempImage iso{40, 2048};
  AtapiCdrom* cd = nullptr;
  explicit CdRig(bool with_disc = true) {
    auto drive = std::make_unique<AtapiCdrom>(with_disc ? std::make_unique<DiskImage>(iso.path, true, 2048) : nullptr,
                                              "SOFTVSR", "CD-ROM", "0.1.0");
    cd = drive.get();
    secondary().attachCdrom(0, std::move(drive), {"SV00002", "0.1.0", "SOFTVISOR CD-ROM"});
    powerOn();
  }
  // Sends a packet (PIO unless dma) with the given byte count limit.
  void packet(std::vector<uint8_t> cdb, uint16_t limit = 0xFFFE, bool dma = false) {
    cdb.resize(12);
    out(1, dma ? 1 : 0, kSec);
    out(4, static_cast<uint8_t>(limit), kSec), out(5, static_cast<uint8_t>(limit >> 8), kSec);
    out(7, cmd::kPacket, kSec);
    CHECK((in(0x206, kSec) & kStatusDrq) != 0);
    CHECK(in(2, kSec) == kReasonCoD);
    CHECK_FALSE(irq[15]);  // DRQ for the packet comes without an interrupt
    for (int i = 0; i < 12; i += 2) io.write(kSec, 2, static_cast<uint32_t>(cdb[i] | cdb[i + 1] << 8));
  }
  // Reads one data-in DRQ block: its announced size and bytes.
  std::vector<uint8_t> drq() {
    CHECK(irq[15]);
    CHECK(in(7, kSec) == (kStatusDrdy | kStatusDrq));
    CHECK(in(2, kSec) == kReasonIo);
    const size_t n = in(4, kSec) | in(5, kSec) << 8;
    return readBlock(n, kSec);
  }
  // Completion: status, interrupt reason IO|CoD.
  uint8_t finish() {
    CHECK(irq[15]);
    CHECK(in(2, kSec) == (kReasonIo | kReasonCoD));
    return in(7, kSec);
  }
  ScsiSense requestSense() {
    packet({0x03, 0, 0, 0, 18});
    auto s = drq();
    CHECK(finish() == kStatusDrdy);
    return {s[2], s[12], s[13]};
  }
};
}  // namespace

TEST_CASE("ATAPI: signature 14h/EBh, IDENTIFY DEVICE aborted, IDENTIFY PACKET DEVICE") {
  CdRig r;
  CHECK(r.in(4, kSec) == 0x14);
  CHECK(r.in(5, kSec) == 0xEB);
  CHECK(r.in(7, kSec) == 0x00);
  r.out(4, 0, kSec), r.out(5, 0, kSec);
  r.out(7, cmd::kIdentifyDevice, kSec);
  CHECK(r.irq[15]);
  CHECK(r.in(7, kSec) == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1, kSec) == kErrorAbrt);
  CHECK(r.in(4, kSec) == 0x14);
  CHECK(r.in(5, kSec) == 0xEB);
  r.out(7, cmd::kIdentifyPacketDevice, kSec);
  r.in(7, kSec);
  auto id = r.readBlock(512, kSec);
  CHECK((id[0] | id[1] << 8) == 0x8580);  // ATAPI, CD-ROM, removable, 12-byte packets
  CHECK(id[2 * 27 + 1] == 'S');
  CHECK(id[2 * 27] == 'O');
}

TEST_CASE("ATAPI: READ(10) in PIO, DRQ blocks cut at the byte count limit") {
  CdRig r;
  r.packet({0x28, 0, 0, 0, 0, 3, 0, 0, 2}, 2048);  // LBA 3, 2 blocks
  for (size_t block = 3; block < 5; ++block) {
    auto b = r.drq();
    REQUIRE(b.size() == 2048);
    CHECK(b[0] == TempImage::expected(block, 0));
    CHECK(b[2047] == TempImage::expected(block, 2047));
  }
  CHECK(r.finish() == kStatusDrdy);
  // A limit of 1000 bytes: 1000 + 1000 + 48.
  r.packet({0x28, 0, 0, 0, 0, 7, 0, 0, 1}, 1000);
  CHECK(r.drq().size() == 1000);
  CHECK(r.drq().size() == 1000);
  auto tail = r.drq();
  REQUIRE(tail.size() == 48);
  CHECK(tail[47] == TempImage::expected(7, 2047));
  CHECK(r.finish() == kStatusDrdy);
}

TEST_CASE("ATAPI: READ(12) by DMA, READ CAPACITY, INQUIRY") {
  CdRig r;
  const uint8_t prd[] = {0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00, 0x80};  // 4096 bytes at 0x50000
  std::memcpy(&r.dma.bytes[0x3000], prd, sizeof prd);
  r.io.write(kBmBase + 8 + 4, 4, 0x3000);
  r.packet({0xA8, 0, 0, 0, 0, 10, 0, 0, 0, 2}, 0, true);
  CHECK_FALSE(r.irq[15]);
  r.io.write(kBmBase + 8, 1, 0x09);
  CHECK(r.io.read(kBmBase + 8 + 2, 1) == 0x04);
  CHECK(r.finish() == kStatusDrdy);
  CHECK(r.dma.bytes[0x50000] == TempImage::expected(10, 0));
  CHECK(r.dma.bytes[0x50000 + 4095] == TempImage::expected(11, 2047));
  r.packet({0x25});
  auto cap = r.drq();
  CHECK(cap == std::vector<uint8_t>{0, 0, 0, 39, 0, 0, 0x08, 0});
  r.finish();
  r.packet({0x12, 0, 0, 0, 36});
  auto inq = r.drq();
  REQUIRE(inq.size() == 36);
  CHECK(inq[0] == 0x05);
  CHECK(inq[1] == 0x80);
  CHECK(std::string(inq.begin() + 8, inq.begin() + 16) == "SOFTVSR ");
  r.finish();
}

TEST_CASE("ATAPI: unknown opcodes and bad ranges give CHECK CONDITION with ILLEGAL REQUEST sense") {
  CdRig r;
  r.packet({0xFF});
  CHECK(r.finish() == (kStatusDrdy | kStatusErr));
  CHECK(r.in(1, kSec) == scsi::kIllegalRequest << 4);
  ScsiSense s = r.requestSense();
  CHECK(s.key == scsi::kIllegalRequest);
  CHECK(s.asc == 0x20);
  // The sense was consumed.
  CHECK(r.requestSense().key == scsi::kNoSense);
  r.packet({0x28, 0, 0, 0, 0, 39, 0, 0, 2});  // runs past block 39
  CHECK((r.finish() & kStatusErr) != 0);
  s = r.requestSense();
  CHECK(s.key == scsi::kIllegalRequest);
  CHECK(s.asc == 0x21);
  r.packet({0x5A, 0, 0x15, 0, 0, 0, 0, 0, 64});  // an unknown mode page
  CHECK((r.finish() & kStatusErr) != 0);
  CHECK(r.requestSense().asc == 0x24);
}

TEST_CASE("ATAPI: no disc is NOT READY / medium not present, a new disc is a UNIT ATTENTION once") {
  CdRig r(false);
  r.packet({0x00});
  CHECK(r.finish() == (kStatusDrdy | kStatusErr));
  ScsiSense s = r.requestSense();
  CHECK(s.key == scsi::kNotReady);
  CHECK(s.asc == 0x3A);
  r.cd->insert(std::make_unique<DiskImage>(r.iso.path, true, 2048));
  r.packet({0x00});
  CHECK((r.finish() & kStatusErr) != 0);
  s = r.requestSense();
  CHECK(s.key == scsi::kUnitAttention);
  CHECK(s.asc == 0x28);
  r.packet({0x00});
  CHECK(r.finish() == kStatusDrdy);
}

TEST_CASE("ATAPI: READ TOC formats 0 and 1, LBA and MSF, GET EVENT STATUS, locked tray refuses to eject") {
  CdRig r;
  r.packet({0x43, 0, 0, 0, 0, 0, 0, 0, 100});
  auto toc = r.drq();
  REQUIRE(toc.size() == 20);
  CHECK(toc[1] == 18);
  CHECK(toc[6] == 1);  // track 1
  CHECK(toc[14] == 0xAA);
  CHECK(toc[19] == 40);  // lead-out at LBA 40
  r.finish();
  r.packet({0x43, 0x02, 0, 0, 0, 0, 0, 0, 100});
  toc = r.drq();
  CHECK(toc[9] == 0);
  CHECK(toc[10] == 2);
  CHECK(toc[11] == 0);    // track 1 at 00:02:00
  CHECK(toc[17] == 0);
  CHECK(toc[18] == 2);
  CHECK(toc[19] == 40);  // lead-out 40 + 150 frames
  r.finish();
  r.packet({0x43, 0, 1, 0, 0, 0, 0, 0, 12});
  toc = r.drq();
  CHECK(toc.size() == 12);
  CHECK(toc[1] == 10);
  r.finish();
  r.packet({0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8});
  auto ev = r.drq();
  CHECK(ev[2] == 4);
  CHECK(ev[5] == 0x02);  // medium present, tray closed
  r.finish();
  r.packet({0x1E, 0, 0, 0, 1});  // prevent removal
  r.finish();
  r.packet({0x1B, 0, 0, 0, 0x02});  // eject
  CHECK((r.finish() & kStatusErr) != 0);
  CHECK(r.requestSense().asc == 0x53);
  r.packet({0x1E, 0, 0, 0, 0});
  r.finish();
  r.packet({0x1B, 0, 0, 0, 0x02});
  CHECK(r.finish() == kStatusDrdy);
  r.packet({0x00});
  CHECK((r.finish() & kStatusErr) != 0);
  CHECK(r.requestSense().ascq == 0x02);  // medium not present, tray open
}

TEST_CASE("ATAPI: MODE SENSE(10) capabilities page, GET CONFIGURATION current profile CD-ROM") {
  CdRig r;
  r.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 128});
  auto ms = r.drq();
  REQUIRE(ms.size() == 28);
  CHECK(ms[1] == 26);
  CHECK(ms[8] == 0x2A);
  CHECK(ms[9] == 18);
  r.finish();
  r.packet({0x46, 0, 0, 0, 0, 0, 0, 0, 64});
  auto gc = r.drq();
  CHECK(gc[6] == 0x00);
  CHECK(gc[7] == 0x08);
  CHECK(gc[8] == 0x00);
  CHECK(gc[9] == 0x00);  // first feature: the profile list
  r.finish();
}
