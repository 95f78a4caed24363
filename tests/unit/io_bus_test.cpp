#include <doctest/doctest.h>

#include "devices/debug_exit.h"
#include "devices/io_bus.h"

using namespace sv;

namespace {
struct Latch : IoDevice {
  uint16_t port = 0;
  unsigned size = 0;
  uint32_t value = 0;
  uint32_t ioRead(uint16_t p, unsigned s) override { return port = p, size = s, 0x1234u + p; }
  void ioWrite(uint16_t p, unsigned s, uint32_t v) override { port = p, size = s, value = v; }
};
}  // namespace

TEST_CASE("unclaimed ports read as all ones of the access width") {
  IoBus bus;
  CHECK(bus.read(0x80, 1) == 0xFFu);
  CHECK(bus.read(0x80, 2) == 0xFFFFu);
  CHECK(bus.read(0x80, 4) == 0xFFFFFFFFu);
  bus.write(0x80, 1, 0);  // ignored
}

TEST_CASE("a device sees its own ports, with the access size") {
  IoBus bus;
  Latch dev;
  bus.registerPorts(0x3F8, 8, dev, "uart");
  CHECK(bus.read(0x3FD, 1) == 0x1234u + 0x3FD);
  CHECK(dev.port == 0x3FD);
  bus.write(0x3F8, 2, 0xABCD);
  CHECK(dev.value == 0xABCD);
  CHECK(dev.size == 2);
  CHECK(bus.nameAt(0x3FF) == "uart");
  CHECK(bus.deviceAt(0x400) == nullptr);
}

TEST_CASE("overlapping claims are refused with both names") {
  IoBus bus;
  Latch a, b;
  bus.registerPorts(0x60, 1, a, "kbd");
  try {
    bus.registerPorts(0x5F, 2, b, "other");
    FAIL("expected an exception");
  } catch (const std::invalid_argument& e) {
    std::string msg = e.what();
    CHECK(msg.find("kbd") != std::string::npos);
    CHECK(msg.find("other") != std::string::npos);
  }
  CHECK(bus.deviceAt(0x5F) == nullptr);  // nothing half-registered
  CHECK_THROWS(bus.registerPorts(0xFFFF, 2, b, "past-the-end"));
  bus.unregisterPorts(0x60, 1);
  bus.registerPorts(0x5F, 2, b, "other");
  CHECK(bus.deviceAt(0x60) == &b);
}

TEST_CASE("isa-debug-exit reports (value << 1) | 1") {
  IoBus bus;
  int status = -1;
  DebugExit dev([&](int s) { status = s; });
  bus.registerPorts(0xF4, 4, dev, "isa-debug-exit");
  bus.write(0xF4, 1, 0);
  CHECK(status == 1);
  bus.write(0xF4, 4, 0x21);
  CHECK(status == 0x43);
}
