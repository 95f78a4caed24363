// The display's set-2 byte sequences reach the guest through the i8042 as
// the same keys: make, E0-prefixed and F0 break codes, and Pause.
#include <doctest/doctest.h>

#include <vector>

#include "devices/i8042.h"
#include "frontend/ps2_input_bridge.h"

using namespace sv;

namespace {
struct Rig {
  IoBus io;
  I8042 kbc{[](bool) {}, [](bool) {}, [](bool) {}, [] {}};
  Ps2InputBridge bridge{kbc};
  Rig() {
    kbc.attach(io);
    io.write(0x64, 1, 0x60);  // command byte: IRQ1 on, no translation (raw set 2)
    io.write(0x60, 1, 0x01);
  }
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> out;
    while (io.read(0x64, 1) & 0x01) out.push_back(static_cast<uint8_t>(io.read(0x60, 1)));
    return out;
  }
  std::vector<uint8_t> send(std::vector<uint8_t> bytes) {
    bridge.scancodes(bytes);
    return drain();
  }
};
}  // namespace

TEST_CASE("set-2 sequences from the display come out of the keyboard unchanged") {
  Rig r;
  CHECK(r.send({0x1C}) == std::vector<uint8_t>{0x1C});
  CHECK(r.send({0xF0, 0x1C}) == std::vector<uint8_t>{0xF0, 0x1C});
  CHECK(r.send({0xE0, 0x75}) == std::vector<uint8_t>{0xE0, 0x75});
  CHECK(r.send({0xE0, 0xF0, 0x75}) == std::vector<uint8_t>{0xE0, 0xF0, 0x75});
  CHECK(r.send({0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77}) ==
        std::vector<uint8_t>{0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77});
  // Sequences split across calls still parse.
  r.bridge.scancodes(std::vector<uint8_t>{0xE0});
  CHECK(r.send({0x6B}) == std::vector<uint8_t>{0xE0, 0x6B});
}
