// The i440FX host bridge (PAM, SMRAM) and the PIIX3 ISA bridge (PIRQ routing).
#include <doctest/doctest.h>

#include <vector>

#include "devices/pci/i440fx_host.h"
#include "devices/pci/piix3_isa.h"

using namespace sv;

TEST_CASE("i440fx: identity, PAM decoding and the change callback") {
  int changes = 0;
  I440fxHost host([&] { ++changes; });
  CHECK(host.configRead(0, 4) == 0x12378086u);
  CHECK(host.configRead(0x0A, 2) == 0x0600);
  for (const PamSegment& s : host.pamSegments()) {
    CHECK_FALSE(s.read_ram);
    CHECK_FALSE(s.write_ram);
  }
  // The dword write SeaBIOS makes at 0x58: PAM0 = 0x30, PAM1/2 = 0x33.
  host.configWrite(0x58, 4, 0x33333000u);
  CHECK(changes == 1);
  CHECK(host.configRead(0x59, 1) == 0x30);
  auto s = host.pamSegments();
  CHECK(s[0].base == 0xF0000);
  CHECK(s[0].size == 0x10000);
  CHECK(s[0].read_ram);
  CHECK(s[0].write_ram);
  CHECK(s[1].base == 0xC0000);
  CHECK(s[1].read_ram);
  CHECK(s[4].base == 0xCC000);
  CHECK(s[4].write_ram);
  CHECK_FALSE(s[5].read_ram);  // 0xD0000 (PAM3) untouched
  // Read-only RAM for the upper half of PAM6 (0xEC000).
  host.configWrite(0x5F, 1, 0x10);
  s = host.pamSegments();
  CHECK(s[12].base == 0xEC000);
  CHECK(s[12].read_ram);
  CHECK_FALSE(s[12].write_ram);
  CHECK_FALSE(s[11].read_ram);
  // Writes outside the PAM registers do not call back; reset does.
  host.configWrite(0x72, 1, 0x0A);
  CHECK(changes == 2);
  host.reset();
  CHECK(changes == 3);
  CHECK_FALSE(host.pamSegments()[0].read_ram);
}

TEST_CASE("i440fx: SMRAM D_LCK clears D_OPEN and freezes the register until reset") {
  I440fxHost host([] {});
  CHECK(host.configRead(0x72, 1) == 0x02);
  host.configWrite(0x72, 1, 0x4A);  // D_OPEN | G_SMRAME
  CHECK(host.configRead(0x72, 1) == 0x4A);
  host.configWrite(0x72, 1, 0x1A);  // lock
  CHECK(host.configRead(0x72, 1) == 0x1A);
  host.configWrite(0x72, 1, 0x42);  // D_OPEN no longer settable, lock stays
  CHECK(host.configRead(0x72, 1) == 0x1A);
  host.reset();
  host.configWrite(0x72, 1, 0x4A);
  CHECK(host.configRead(0x72, 1) == 0x4A);
}

TEST_CASE("piix3: PIRQ routes steer PCI interrupt lines to ISA IRQs") {
  std::vector<std::pair<unsigned, bool>> events;
  Piix3Isa isa([&](unsigned irq, bool level) { events.emplace_back(irq, level); });
  CHECK(isa.configRead(0, 4) == 0x70008086u);
  CHECK(isa.configRead(0x0E, 1) == 0x80);  // multi-function
  CHECK(isa.configRead(0x60, 4) == 0x80808080u);
  CHECK(isa.routeOf(0) == -1);
  isa.setPirq(0, true);
  CHECK(events.empty());  // route disabled
  isa.configWrite(0x60, 1, 0x0B);
  REQUIRE(events.size() == 1);
  CHECK(events[0] == std::make_pair(11u, true));
  // PIRQB shares IRQ 11: the line stays high until both are low.
  isa.configWrite(0x61, 1, 0x0B);
  isa.setPirq(1, true);
  isa.setPirq(0, false);
  CHECK(events.size() == 1);
  isa.setPirq(1, false);
  REQUIRE(events.size() == 2);
  CHECK(events[1] == std::make_pair(11u, false));
  // Reserved IRQs route nowhere.
  isa.configWrite(0x62, 1, 0x02);
  CHECK(isa.routeOf(2) == -1);
  // Rerouting a raised line moves it.
  isa.setPirq(0, true);
  isa.configWrite(0x60, 1, 0x05);
  REQUIRE(events.size() == 5);
  CHECK(events[3] == std::make_pair(5u, true));
  CHECK(events[4] == std::make_pair(11u, false));
  isa.reset();
  CHECK(events.back() == std::make_pair(5u, false));
}
