// Port 0x92 (fast A20, fast reset) and the PIIX3 reset control register 0xCF9.
#include <doctest/doctest.h>

#include <vector>

#include "devices/io_bus.h"
#include "devices/reset_control.h"
#include "devices/system_control_port_a.h"

using namespace sv;

TEST_CASE("port 0x92: bit 1 drives A20, a rising bit 0 requests a reset") {
  IoBus io;
  std::vector<bool> a20;
  int resets = 0;
  SystemControlPortA port([&](bool on) { a20.push_back(on); }, [&] { ++resets; });
  port.attach(io);
  CHECK(io.read(0x92, 1) == 0x02);  // A20 on at power-on
  io.write(0x92, 1, 0x00);
  io.write(0x92, 1, 0x02);
  CHECK(a20 == std::vector<bool>{false, true});
  io.write(0x92, 1, 0x03);
  CHECK(resets == 1);
  CHECK(io.read(0x92, 1) == 0x02);
  CHECK(a20.size() == 2);  // A20 unchanged by the reset write
}

TEST_CASE("0xCF9: a 0 -> 1 transition of RCPU requests a reset, SRST reads back") {
  IoBus io;
  int resets = 0;
  ResetControl rc([&] { ++resets; });
  rc.attach(io);
  io.write(0xCF9, 1, 0x02);
  CHECK(resets == 0);
  CHECK(io.read(0xCF9, 1) == 0x02);
  io.write(0xCF9, 1, 0x06);
  CHECK(resets == 1);
  io.write(0xCF9, 1, 0x06);  // RCPU reads back 0, so this is a new transition
  CHECK(resets == 2);
}
