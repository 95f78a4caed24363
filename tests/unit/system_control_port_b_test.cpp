// Port 0x61: counter 2 gate and OUT, speaker data, refresh toggle.
#include <doctest/doctest.h>

#include "devices/pit8254.h"
#include "devices/system_control_port_b.h"

using namespace sv;

namespace {
struct FakeClock : DeviceClock {
  uint64_t ns = 0;
  uint64_t nowNs() override { return ns; }
};
}  // namespace

TEST_CASE("port 0x61: refresh bit 4 toggles every 15.085 us") {
  FakeClock clock;
  Pit8254 pit(clock, {});
  SystemControlPortB port(clock, pit);
  port.reset();
  CHECK((port.ioRead(0x61, 1) & 0x10) == 0);
  clock.ns = 15'084;
  CHECK((port.ioRead(0x61, 1) & 0x10) == 0);
  clock.ns = 15'085;
  CHECK((port.ioRead(0x61, 1) & 0x10) == 0x10);
  clock.ns = 2 * 15'085;
  CHECK((port.ioRead(0x61, 1) & 0x10) == 0);
}

TEST_CASE("port 0x61: bit 0 gates counter 2, bit 5 shows its OUT, bits 0-3 read back") {
  FakeClock clock;
  Pit8254 pit(clock, {});
  SystemControlPortB port(clock, pit);
  port.reset();
  pit.ioWrite(0x43, 1, 0xB0);  // counter 2, mode 0, count 3
  pit.ioWrite(0x42, 1, 3);
  pit.ioWrite(0x42, 1, 0);
  clock.ns = Pit8254::nsOfTick(100);
  CHECK((port.ioRead(0x61, 1) & 0x20) == 0);  // GATE low: no counting
  port.ioWrite(0x61, 1, 0xFF);
  CHECK((port.ioRead(0x61, 1) & 0xCF) == 0x0F);  // bits 6-7 read 0
  clock.ns = Pit8254::nsOfTick(103);
  CHECK((port.ioRead(0x61, 1) & 0x20) == 0x20);
  port.ioWrite(0x61, 1, 0x02);  // speaker data only: gate low
  CHECK(pit.counter(2).gate() == false);
}
