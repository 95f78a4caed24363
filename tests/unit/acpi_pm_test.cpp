// The PIIX4 PM function: PMBA mapping, the PM timer on the virtual clock,
// TMR_STS and the SCI, the APMC handshake, S5 soft-off.
#include <doctest/doctest.h>

#include "devices/acpi/piix4_pm.h"

using namespace sv;

namespace {
struct FakeClock : DeviceClock {
  uint64_t now = 0;
  uint64_t nowNs() override { return now; }
};

struct Rig {
  FakeClock clock;
  IoBus io;
  bool sci = false;
  int power_offs = 0;
  AcpiPmRegisters regs{clock, [this](bool level) { sci = level; }, [this] { ++power_offs; }};
  Piix4Pm pm{io, regs};
  Rig() { pm.enableAt(0x600); }
};
}  // namespace

TEST_CASE("PMBA and PMIOSE map the 64-byte block, the IDs are the PIIX4's") {
  FakeClock clock;
  IoBus io;
  AcpiPmRegisters regs{clock, nullptr, nullptr};
  Piix4Pm pm{io, regs};
  CHECK(pm.configRead(0, 4) == 0x71138086);
  CHECK(pm.configRead(0x08, 4) == 0x06800003);
  CHECK(pm.configRead(0x58, 4) == 0x02000000);  // APMC_EN: no SMM to set up
  CHECK(pm.mappedBase() == 0);
  CHECK(io.read(0x608, 4) == 0xFFFFFFFF);
  pm.configWrite(0x40, 4, 0xB001);
  CHECK(pm.configRead(0x40, 4) == 0xB001);
  CHECK(pm.mappedBase() == 0);  // PMIOSE still clear
  pm.configWrite(0x80, 1, 1);
  CHECK(pm.mappedBase() == 0xB000);
  CHECK(io.nameAt(0xB03F) == "piix4-pm");
  pm.configWrite(0x40, 4, 0xFFFFFFFF);
  CHECK(pm.configRead(0x40, 4) == 0x0000FFC1);  // bits 15:6, bit 0 hardwired
  pm.reset();
  CHECK(pm.mappedBase() == 0);
  CHECK(io.read(0xB000, 2) == 0xFFFF);
}

TEST_CASE("the PM timer counts 3.579545 MHz of virtual time in 24 bits") {
  Rig r;
  CHECK(r.io.read(0x608, 4) == 0);
  r.clock.now = 1'000'000'000;  // one second
  CHECK(r.io.read(0x608, 4) == 3'579'545);
  r.clock.now = 10'000'000'000;  // 35795450 ticks wrap at 2^24
  CHECK(r.io.read(0x608, 4) == (35'795'450u & 0xFFFFFF));
  CHECK(r.io.read(0x60A, 1) == ((35'795'450u >> 16) & 0xFF));
  r.clock.now = 1'000;  // time only grows in a Machine; exactness at small values
  r.regs.reset();
  CHECK(r.regs.timerValue() == 3);  // 3.58 ticks
}

TEST_CASE("TMR_STS sets at each toggle of bit 23, and with TMR_EN and SCI_EN raises the SCI") {
  Rig r;
  int reschedules = 0;
  r.regs.setDeadlineChangedCallback([&] { ++reschedules; });
  CHECK(r.io.read(0x600, 2) == 0);
  r.io.write(0x602, 2, 0x0001);  // TMR_EN
  CHECK(reschedules == 1);
  const uint64_t toggle = r.regs.nextDeadlineNs();
  CHECK(toggle == (8'388'608ull * 1'000'000'000ull + 3'579'544) / 3'579'545);  // first tick with bit 23 set
  r.clock.now = toggle - 1;
  r.regs.advanceTo(r.clock.now);
  CHECK_FALSE((r.io.read(0x600, 2) & 1));
  r.clock.now = toggle;
  r.regs.advanceTo(r.clock.now);
  CHECK((r.io.read(0x600, 2) & 1));
  CHECK_FALSE(r.sci);  // SCI_EN is still clear (legacy mode)
  CHECK(r.regs.nextDeadlineNs() == TimerDevice::kNoDeadline);  // latched until cleared
  r.io.write(0xB2, 1, 0xF1);  // ACPI_ENABLE through SMI_CMD
  CHECK((r.io.read(0x604, 2) & 1));
  CHECK(r.sci);
  r.io.write(0x600, 2, 0x0001);  // write 1 to clear
  CHECK_FALSE(r.sci);
  CHECK_FALSE((r.io.read(0x600, 2) & 1));
  r.io.write(0xB2, 1, 0xF0);  // ACPI_DISABLE
  CHECK_FALSE((r.io.read(0x604, 2) & 1));
  CHECK(r.io.read(0xB2, 1) == 0xF0);
}

TEST_CASE("the power button latches PWRBTN_STS and signals the SCI when enabled") {
  Rig r;
  r.io.write(0xB2, 1, 0xF1);
  r.regs.pressPowerButton();
  CHECK(r.io.read(0x600, 2) == 0x0100);
  CHECK_FALSE(r.sci);
  r.io.write(0x602, 2, 0x0100);
  CHECK(r.sci);
  r.io.write(0x601, 1, 0x01);  // byte write to the high half clears it
  CHECK_FALSE(r.sci);
}

TEST_CASE("SLP_EN with SLP_TYP 0 is soft off, other types and SLP_TYP alone do nothing") {
  Rig r;
  r.io.write(0x604, 2, 1u << 10);  // SLP_TYP 1 without SLP_EN
  CHECK(r.power_offs == 0);
  CHECK(r.io.read(0x604, 2) == (1u << 10));
  r.io.write(0x604, 2, (1u << 10) | (1u << 13));  // S1-like type: not modelled
  CHECK(r.power_offs == 0);
  CHECK((r.io.read(0x604, 2) & (1u << 13)) == 0u);  // SLP_EN reads 0
  r.io.write(0x605, 1, 0x20);  // SLP_TYP 0 | SLP_EN, as a byte write
  CHECK(r.power_offs == 1);
}
