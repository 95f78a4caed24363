// The I/O APIC through its IOREGSEL/IOWIN window: identification, edge and
// level pins, polarity, masking, remote IRR and the EOI paths.
#include <doctest/doctest.h>

#include <vector>

#include "devices/apic/io_apic.h"

using namespace sv;

namespace {
struct Bench {
  std::vector<ApicMessage> sent;
  IoApic io{1, [this](const ApicMessage& m) { sent.push_back(m); }};
  uint32_t rd(uint8_t index) {
    io.mmioWrite(0x00, 4, index);
    return static_cast<uint32_t>(io.mmioRead(0x10, 4));
  }
  void wr(uint8_t index, uint32_t v) {
    io.mmioWrite(0x00, 4, index);
    io.mmioWrite(0x10, 4, v);
  }
  void route(unsigned pin, uint64_t entry) {
    wr(static_cast<uint8_t>(0x11 + 2 * pin), static_cast<uint32_t>(entry >> 32));
    wr(static_cast<uint8_t>(0x10 + 2 * pin), static_cast<uint32_t>(entry));
  }
};
constexpr uint64_t kLevel = 1u << 15, kLow = 1u << 13, kMasked = 1u << 16, kRemoteIrr = 1u << 14, kLogical = 1u << 11;
}  // namespace

TEST_CASE("io apic: ID, version with 24 entries, arbitration, masked at reset") {
  Bench b;
  CHECK(b.rd(0x00) == 0x01000000u);
  CHECK(b.rd(0x01) == 0x00170020u);
  CHECK(b.rd(0x02) == 0x01000000u);
  for (unsigned pin = 0; pin < 24; ++pin) CHECK(b.io.entry(pin) == kMasked);
  b.wr(0x00, 0x0F000000u);
  CHECK(b.rd(0x00) == 0x0F000000u);
  b.wr(0x01, 0);  // read-only
  CHECK(b.rd(0x01) == 0x00170020u);
}

TEST_CASE("io apic: edge pins send one message per rising edge, masked edges are lost") {
  Bench b;
  b.route(2, 0x30 | (0x00ull << 56));
  b.io.setPin(2, true);
  b.io.setPin(2, true);
  b.io.setPin(2, false);
  REQUIRE(b.sent.size() == 1);
  CHECK(b.sent[0].vector == 0x30);
  CHECK(b.sent[0].mode == ApicDeliveryMode::Fixed);
  CHECK_FALSE(b.sent[0].level_triggered);
  b.route(2, 0x30 | kMasked);
  b.io.setPin(2, true);
  b.route(2, 0x30);  // unmasking does not replay the edge
  CHECK(b.sent.size() == 1);
}

TEST_CASE("io apic: level pins hold remote IRR until EOI and fire again while asserted") {
  Bench b;
  b.route(9, 0x41 | kLevel | kLogical | (0x01ull << 56));
  b.io.setPin(9, true);
  REQUIRE(b.sent.size() == 1);
  CHECK(b.sent[0].level_triggered);
  CHECK(b.sent[0].logical);
  CHECK(b.sent[0].destination == 1);
  CHECK((b.io.entry(9) & kRemoteIrr) != 0);
  b.io.setPin(9, true);
  CHECK(b.sent.size() == 1);
  b.io.endOfInterrupt(0x41);  // still asserted: again
  CHECK(b.sent.size() == 2);
  b.io.setPin(9, false);
  b.io.mmioWrite(0x40, 4, 0x41);  // the EOI register (version 0x20)
  CHECK((b.io.entry(9) & kRemoteIrr) == 0);
  CHECK(b.sent.size() == 2);
  // A masked asserted level pin delivers when unmasked.
  b.route(9, 0x41 | kLevel | kMasked);
  b.io.setPin(9, true);
  CHECK(b.sent.size() == 2);
  b.route(9, 0x41 | kLevel);
  CHECK(b.sent.size() == 3);
}

TEST_CASE("io apic: active-low polarity, remote IRR is read-only") {
  Bench b;
  b.io.setPin(16, true);  // an idle PCI line is high
  b.route(16, 0x51 | kLevel | kLow | kRemoteIrr);
  CHECK(b.sent.empty());
  CHECK((b.io.entry(16) & kRemoteIrr) == 0);
  b.io.setPin(16, false);
  REQUIRE(b.sent.size() == 1);
  CHECK(b.sent[0].vector == 0x51);
}

TEST_CASE("io apic: NMI and ExtINT entries pass their delivery mode, no remote IRR for them") {
  Bench b;
  b.route(3, 0x400);
  b.route(4, 0x700 | kLevel);
  b.io.setPin(3, true);
  b.io.setPin(4, true);
  REQUIRE(b.sent.size() == 2);
  CHECK(b.sent[0].mode == ApicDeliveryMode::Nmi);
  CHECK(b.sent[1].mode == ApicDeliveryMode::ExtInt);
  CHECK((b.io.entry(4) & kRemoteIrr) == 0);
}
