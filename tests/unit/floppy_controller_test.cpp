// The 82077AA with a 1.44 MB image and the 8237 pair: reset and its
// polling interrupts, command/result phases, seeks, DMA reads and writes
// (multi-track, end of cylinder, terminal count), errors, READ ID, FORMAT,
// the register commands and non-DMA mode.
#include <doctest/doctest.h>

#include <initializer_list>
#include <vector>

#include "devices/fdc/floppy_controller.h"
#include "ide_test_rig.h"

using namespace sv;
using sv::test::FlatDma;
using sv::test::TempImage;

namespace {
constexpr unsigned kSpt = 18;
constexpr size_t k144 = 2880;

struct FdcRig {
  FlatDma mem;
  IoBus io;
  IsaDma dma{mem};
  bool irq = false;
  unsigned irq_edges = 0;
  FloppyController fdc{dma, [this](bool level) {
                         if (level && !irq) ++irq_edges;
                         irq = level;
                       }};
  TempImage image{k144, 512};

  explicit FdcRig(bool read_only = false) {
    dma.attach(io);
    fdc.attach(io);
    fdc.insert(0, std::make_unique<FloppyDrive>(image.path, read_only));
    out(0x3F2, 0x1C);  // out of reset, DMA gate, drive 0 motor
    out(0x3F7, 0);     // 500 kb/s
    for (int i = 0; i < 4; ++i) command({0x08}, 2);  // the polling interrupts
  }
  void out(uint16_t port, uint8_t v) { io.write(port, 1, v); }
  uint8_t in(uint16_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  uint8_t msr() { return in(0x3F4); }
  // Writes the command bytes (each with RQM set and DIO clear), then reads
  // `results` bytes (each with RQM and DIO set); with none, the phase
  // after the command is left to the caller.
  std::vector<uint8_t> command(std::initializer_list<uint8_t> bytes, size_t results) {
    for (uint8_t b : bytes) {
      REQUIRE((msr() & 0xC0) == 0x80);
      out(0x3F5, b);
    }
    return results ? results_(results) : std::vector<uint8_t>{};
  }
  std::vector<uint8_t> results_(size_t n) {
    std::vector<uint8_t> r;
    for (size_t i = 0; i < n; ++i) {
      REQUIRE((msr() & 0xD0) == 0xD0);  // RQM, DIO, busy
      r.push_back(in(0x3F5));
    }
    CHECK((msr() & 0xD0) == 0x80);  // back in the command phase
    return r;
  }
  // DMA channel 2: `mode` 0x46 (write to memory) or 0x4A (read from it).
  void dmaSetup(uint32_t phys, uint32_t bytes, uint8_t mode) {
    out(0x0A, 0x06);
    out(0x0C, 0);
    out(0x04, static_cast<uint8_t>(phys));
    out(0x04, static_cast<uint8_t>(phys >> 8));
    out(0x05, static_cast<uint8_t>(bytes - 1));
    out(0x05, static_cast<uint8_t>((bytes - 1) >> 8));
    out(0x0B, mode);
    out(0x81, static_cast<uint8_t>(phys >> 16));
    out(0x0A, 0x02);
  }
  static size_t lba(unsigned c, unsigned h, unsigned r) { return (c * 2 + h) * kSpt + r - 1; }
};
}  // namespace

TEST_CASE("fdc: reset holds the controller, its release raises the four polling interrupts") {
  FdcRig r;
  r.out(0x3F2, 0x08);  // nRESET low
  CHECK(r.msr() == 0);
  CHECK_FALSE(r.irq);
  r.out(0x3F2, 0x0C);
  CHECK(r.irq);
  CHECK((r.in(0x3F0) & 0x80) == 0x80);  // SRA: INT pending
  for (uint8_t d = 0; d < 4; ++d) {
    auto res = r.command({0x08}, 2);
    CHECK(res[0] == (0xC0 | d));
    CHECK_FALSE(r.irq);
  }
  CHECK(r.command({0x08}, 1)[0] == 0x80);  // nothing more to report: invalid
  // The DMA gate (DOR bit 3) gates INT in AT mode.
  r.out(0x3F4, 0x80);  // DSR software reset
  CHECK(r.irq);
  r.out(0x3F2, 0x04);
  CHECK_FALSE(r.irq);
  r.out(0x3F2, 0x0C);
  CHECK(r.irq);
  // CONFIGURE's POLL = 1 does not outlive a reset: the reset sets it to 0
  // and polls again.
  for (int i = 0; i < 4; ++i) r.command({0x08}, 2);
  r.command({0x13, 0x00, 0x10, 0x00}, 0);
  r.out(0x3F4, 0x80);
  CHECK(r.irq);
  CHECK((r.command({0x0E}, 10)[8] & 0x10) == 0);
}

TEST_CASE("fdc: VERSION, invalid commands, SPECIFY/CONFIGURE/LOCK/PERPENDICULAR in DUMPREG") {
  FdcRig r;
  CHECK(r.command({0x10}, 1)[0] == 0x90);
  CHECK(r.command({0x1F}, 1)[0] == 0x80);
  CHECK(r.command({0x16}, 1)[0] == 0x80);  // VERIFY: not implemented, invalid
  r.command({0x03, 0xAF, 0x02}, 0);
  r.command({0x13, 0x00, 0x57, 0x09}, 0);  // EIS, POLL, FIFOTHR 7, PRETRK 9
  r.command({0x12, 0x83}, 0);             // OW: D0-3 = 0, GAP, WGATE
  CHECK(r.msr() == 0x80);                  // no result phase, no interrupt
  CHECK_FALSE(r.irq);
  CHECK(r.command({0x94}, 1)[0] == 0x10);  // LOCK
  auto d = r.command({0x0E}, 10);
  CHECK(d[4] == 0xAF);
  CHECK(d[5] == 0x02);
  CHECK(d[7] == (0x80 | 0x03));
  CHECK(d[8] == 0x57);
  CHECK(d[9] == 0x09);
  // A reset under LOCK keeps EFIFO/FIFOTHR/PRETRK; EIS, POLL and GAP/WGATE go.
  r.out(0x3F2, 0x08);
  r.out(0x3F2, 0x0C);
  CHECK(r.irq);  // polling after the reset (POLL is reset to 0)
  d = r.command({0x0E}, 10);
  CHECK(d[7] == 0x80);
  CHECK(d[8] == 0x07);
  CHECK(d[9] == 0x09);
  CHECK(r.command({0x14}, 1)[0] == 0x00);  // UNLOCK
}

TEST_CASE("fdc: RECALIBRATE and SEEK interrupt, SENSE INTERRUPT STATUS reports ST0 and PCN") {
  FdcRig r;
  CHECK(r.in(0x3F7) == 0x80);  // disk change line: set since insertion
  r.command({0x0F, 0x04, 10}, 0);
  CHECK(r.irq);
  auto s = r.command({0x08}, 2);
  CHECK(s[0] == 0x24);  // seek end, head 1, drive 0
  CHECK(s[1] == 10);
  CHECK_FALSE(r.irq);
  CHECK(r.in(0x3F7) == 0x00);  // a step cleared it
  r.command({0x8F, 0x00, 3}, 0);  // relative seek outward
  CHECK(r.command({0x08}, 2)[1] == 7);
  r.command({0xCF, 0x00, 5}, 0);  // inward
  CHECK(r.command({0x08}, 2)[1] == 12);
  auto st3 = r.command({0x04, 0x00}, 1)[0];
  CHECK(st3 == 0x28);  // ready, two-sided, not track 0, writable
  r.command({0x07, 0x00}, 0);
  s = r.command({0x08}, 2);
  CHECK(s[0] == 0x20);
  CHECK(s[1] == 0);
  CHECK(r.command({0x04, 0x00}, 1)[0] == 0x38);  // track 0 now
  // Drive 1 is absent: recalibrate fails with equipment check.
  r.command({0x07, 0x01}, 0);
  CHECK(r.command({0x08}, 2)[0] == 0x71);
  CHECK((r.in(0x3F0) & 0x40) == 0x40);  // SRA: no second drive
}

TEST_CASE("fdc: READ DATA by DMA, multi-track across the head, ends at terminal count") {
  FdcRig r;
  r.dmaSetup(0x10000, 1024, 0x46);
  r.command({0xE6, 0x00, 5, 0, 18, 2, 18, 0x1B, 0xFF}, 0);  // C5 H0 R18, MT
  CHECK(r.irq);
  auto res = r.results_(7);
  CHECK_FALSE(r.irq);  // the first result byte cleared INT
  CHECK(res[0] == 0x04);  // normal, ended on head 1
  CHECK(res[1] == 0);
  CHECK(res[2] == 0);
  CHECK(res[3] == 5);
  CHECK(res[4] == 1);  // H complemented
  CHECK(res[5] == 2);  // R after sector 1 of head 1
  CHECK(res[6] == 2);
  for (size_t i = 0; i < 512; i += 97) {
    CHECK(r.mem.bytes[0x10000 + i] == TempImage::expected(FdcRig::lba(5, 0, 18), i));
    CHECK(r.mem.bytes[0x10200 + i] == TempImage::expected(FdcRig::lba(5, 1, 1), i));
  }
  CHECK(r.mem.bytes[0x10400] == 0xEE);
  CHECK((r.in(0x08) & 0x04) == 0x04);  // the 8237 saw TC
}

TEST_CASE("fdc: running past EOT without TC ends with end of cylinder; missing sectors and wrong rates fail") {
  FdcRig r;
  r.dmaSetup(0x20000, 4096, 0x46);
  r.command({0x46, 0x00, 3, 0, 17, 2, 18, 0x1B, 0xFF}, 0);  // no MT: sectors 17, 18
  auto res = r.results_(7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x80);  // EN
  CHECK(res[3] == 4);     // C + 1
  CHECK(res[5] == 1);
  CHECK(r.mem.bytes[0x20000 + 1024] == 0xEE);
  // Sector 19 does not exist on a 1.44 MB track: no data.
  r.dmaSetup(0x20000, 512, 0x46);
  res = r.command({0x46, 0x00, 3, 0, 19, 2, 19, 0x1B, 0xFF}, 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x04);
  // H of the command not the head's: no such ID either.
  res = r.command({0x46, 0x00, 3, 1, 1, 2, 18, 0x1B, 0xFF}, 7);
  CHECK(res[1] == 0x04);
  // 250 kb/s: a 1.44 MB medium has no readable address mark.
  r.out(0x3F7, 2);
  res = r.command({0x46, 0x00, 3, 0, 1, 2, 18, 0x1B, 0xFF}, 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x01);
  res = r.command({0x4A, 0x00}, 7);  // READ ID fails the same way
  CHECK(res[1] == 0x01);
  r.out(0x3F7, 0);
  // The absent drive B.
  res = r.command({0x46, 0x01, 0, 0, 1, 2, 18, 0x1B, 0xFF}, 7);
  CHECK(res[0] == 0x41);
}

TEST_CASE("fdc: READ ID reports the cylinder under the head") {
  FdcRig r;
  r.command({0x0F, 0x00, 42}, 0);
  r.command({0x08}, 2);
  auto res = r.command({0x4A, 0x04}, 0);
  CHECK(r.irq);
  res = r.results_(7);
  CHECK(res[0] == 0x04);
  CHECK(res[3] == 42);
  CHECK(res[4] == 1);
  CHECK(res[5] == 1);
  CHECK(res[6] == 2);
}

TEST_CASE("fdc: WRITE DATA by DMA reaches the image; a read-only image is write-protected") {
  {
    FdcRig r;
    for (unsigned i = 0; i < 512; ++i) r.mem.bytes[0x30000 + i] = static_cast<uint8_t>(i ^ 0x5A);
    r.dmaSetup(0x30000, 512, 0x4A);
    auto res = r.command({0xC5, 0x00, 10, 0, 3, 2, 18, 0x1B, 0xFF}, 7);
    CHECK(res[0] == 0x00);
    CHECK(res[5] == 4);
    auto written = r.image.read(FdcRig::lba(10, 0, 3) * 512, 512);
    CHECK(written[0] == 0x5A);
    CHECK(written[511] == static_cast<uint8_t>(511 ^ 0x5A));
    CHECK(r.image.read(FdcRig::lba(10, 0, 4) * 512, 1)[0] == TempImage::expected(FdcRig::lba(10, 0, 4), 0));
  }
  FdcRig r(true);
  CHECK(r.command({0x04, 0x00}, 1)[0] == 0x78);  // write protected
  r.dmaSetup(0x30000, 512, 0x4A);
  auto res = r.command({0xC5, 0x00, 10, 0, 3, 2, 18, 0x1B, 0xFF}, 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x02);  // not writable
  CHECK(r.image.read(FdcRig::lba(10, 0, 3) * 512, 1)[0] == TempImage::expected(FdcRig::lba(10, 0, 3), 0));
}

TEST_CASE("fdc: a DMA command waits for the channel's unmask") {
  FdcRig r;
  r.dmaSetup(0x10000, 512, 0x46);
  r.out(0x0A, 0x06);  // mask channel 2 again
  r.command({0x46, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF}, 0);
  CHECK(r.msr() == 0x10);  // execution: busy, no RQM
  CHECK_FALSE(r.irq);
  r.out(0x0A, 0x02);
  CHECK(r.irq);
  CHECK(r.results_(7)[0] == 0x00);
  CHECK(r.mem.bytes[0x10000] == TempImage::expected(0, 0));
}

TEST_CASE("fdc: FORMAT TRACK takes the IDs by DMA and fills the sectors") {
  FdcRig r;
  r.command({0x0F, 0x00, 2}, 0);
  r.command({0x08}, 2);
  for (uint8_t s = 0; s < kSpt; ++s) {
    const uint8_t id[4] = {2, 0, static_cast<uint8_t>(s + 1), 2};
    for (int k = 0; k < 4; ++k) r.mem.bytes[0x40000 + s * 4 + k] = id[k];
  }
  r.dmaSetup(0x40000, kSpt * 4, 0x4A);
  auto res = r.command({0x4D, 0x00, 2, kSpt, 0x6C, 0xF6}, 7);
  CHECK(res[0] == 0x00);
  CHECK(res[5] == kSpt);  // the last ID
  for (unsigned s = 1; s <= kSpt; s += 17) CHECK(r.image.read(FdcRig::lba(2, 0, s) * 512 + 100, 1)[0] == 0xF6);
  CHECK(r.image.read(FdcRig::lba(2, 1, 1) * 512, 1)[0] == TempImage::expected(FdcRig::lba(2, 1, 1), 0));
  // A layout the image cannot hold (9 sectors) is refused.
  r.dmaSetup(0x40000, 36, 0x4A);
  res = r.command({0x4D, 0x00, 2, 9, 0x6C, 0xF6}, 7);
  CHECK(res[0] == 0x40);
}

TEST_CASE("fdc: non-DMA mode moves the data through the FIFO with an interrupt per byte") {
  FdcRig r;
  r.command({0x03, 0xAF, 0x03}, 0);  // ND
  const unsigned edges = r.irq_edges;
  r.command({0x46, 0x00, 1, 0, 18, 2, 18, 0x1B, 0xFF}, 0);
  std::vector<uint8_t> data;
  while ((r.msr() & 0xF0) == 0xF0) {  // RQM, DIO, NDMA, busy
    CHECK(r.irq);
    data.push_back(r.in(0x3F5));
  }
  REQUIRE(data.size() == 512);
  CHECK(r.irq_edges - edges == 513);  // one per byte, one for the result
  CHECK(data[0] == TempImage::expected(FdcRig::lba(1, 0, 18), 0));
  CHECK(data[511] == TempImage::expected(FdcRig::lba(1, 0, 18), 511));
  auto res = r.results_(7);
  CHECK(res[0] == 0x40);  // no TC without the 8237: end of cylinder
  CHECK(res[1] == 0x80);
}
