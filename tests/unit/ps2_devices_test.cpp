// The PS/2 keyboard and mouse on their own: scan codes in sets 1 and 2,
// mouse packets, the IntelliMouse ID, status and wrap mode.
#include <doctest/doctest.h>

#include <vector>

#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"
#include "devices/ps2_scancodes.h"

using namespace sv;

namespace {
std::vector<uint8_t> drain(Ps2Device& d) {
  std::vector<uint8_t> out;
  while (d.hasOutput()) out.push_back(d.takeOutput());
  return out;
}
using B = std::vector<uint8_t>;
}  // namespace

TEST_CASE("the 8042 translation table maps set-2 make codes to set 1") {
  CHECK(ps2::translateSet2ToSet1(0x76) == 0x01);  // Esc
  CHECK(ps2::translateSet2ToSet1(0x5A) == 0x1C);  // Enter
  CHECK(ps2::translateSet2ToSet1(0x29) == 0x39);  // Space
  CHECK(ps2::translateSet2ToSet1(0x83) == 0x41);  // F7
  CHECK(ps2::translateSet2ToSet1(0x07) == 0x58);  // F12
  CHECK(ps2::translateSet2ToSet1(0xFA) == 0xFA);  // acks pass
  CHECK(ps2::translateSet2ToSet1(0xAB) == 0xAB);
}

TEST_CASE("keys in set 2 and set 1, scanning off drops them, Pause") {
  Ps2Keyboard kb;
  kb.keyEvent(0x1C, true);
  kb.keyEvent(0x1C, false);
  kb.keyEvent(Ps2Keyboard::kExtended | 0x14, false);  // right Ctrl up
  CHECK(drain(kb) == B{0x1C, 0xF0, 0x1C, 0xE0, 0xF0, 0x14});
  kb.receiveFromHost(0xF0);
  kb.receiveFromHost(0x01);
  CHECK(drain(kb) == B{0xFA, 0xFA});
  kb.keyEvent(0x1C, true);
  kb.keyEvent(Ps2Keyboard::kExtended | 0x75, false);
  CHECK(drain(kb) == B{0x1E, 0xE0, 0xC8});
  kb.keyPause();
  CHECK(drain(kb) == B{0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5});
  kb.receiveFromHost(0xF5);
  CHECK(drain(kb) == B{0xFA});
  CHECK(kb.scanCodeSet() == 2);  // F5 restores defaults
  kb.keyEvent(0x1C, true);
  CHECK(drain(kb).empty());
  kb.receiveFromHost(0xF3);
  kb.receiveFromHost(0x20);
  CHECK(kb.typematic() == 0x20);
  kb.receiveFromHost(0xFE);
  CHECK(drain(kb) == B{0xFA, 0xFA, 0xFA});
}

TEST_CASE("mouse: defaults, status request, reporting, packets with signs and large moves split") {
  Ps2Mouse m;
  m.receiveFromHost(0xE9);
  CHECK(drain(m) == B{0xFA, 0x00, 0x02, 100});
  m.mouseEvent(10, 10, 0, 0);  // reporting off: nothing
  CHECK(drain(m).empty());
  m.receiveFromHost(0xF4);
  drain(m);
  m.mouseEvent(-300, 2, 0, 2);  // right button
  const B p = drain(m);
  REQUIRE(p.size() == 6);
  CHECK(p[0] == (0x08 | 0x02 | 0x10 | 0x20));  // X and Y negative (down)
  CHECK(p[1] == static_cast<uint8_t>(-255));
  CHECK(p[2] == static_cast<uint8_t>(-2));
  CHECK(p[3] == (0x08 | 0x02 | 0x10));
  CHECK(p[4] == static_cast<uint8_t>(-45));
  CHECK(p[5] == 0);
  m.receiveFromHost(0xE9);
  CHECK(drain(m) == B{0xFA, 0x21, 0x02, 100});  // enabled, right button
}

TEST_CASE("the IntelliMouse sample-rate knock makes ID 3 and 4-byte packets, reset returns ID 0") {
  Ps2Mouse m;
  for (uint8_t rate : {200, 100, 80}) m.receiveFromHost(0xF3), m.receiveFromHost(rate);
  drain(m);
  m.receiveFromHost(0xF2);
  CHECK(drain(m) == B{0xFA, 0x03});
  m.receiveFromHost(0xF4);
  drain(m);
  m.mouseEvent(0, 0, -1, 0);
  CHECK(drain(m) == B{0x08, 0x00, 0x00, 0x0F});
  m.receiveFromHost(0xFF);
  CHECK(drain(m) == B{0xFA, 0xAA, 0x00});
  CHECK(m.deviceId() == 0);
}

TEST_CASE("mouse wrap mode echoes until 0xEC, remote mode reads on 0xEB") {
  Ps2Mouse m;
  m.receiveFromHost(0xEE);
  m.receiveFromHost(0x42);
  m.receiveFromHost(0xEC);
  CHECK(drain(m) == B{0xFA, 0x42, 0xFA});
  m.receiveFromHost(0xF0);
  m.receiveFromHost(0xF4);
  drain(m);
  m.mouseEvent(3, 0, 0, 0);
  CHECK(drain(m).empty());  // remote: no stream packets
  m.receiveFromHost(0xEB);
  CHECK(drain(m) == B{0xFA, 0x08, 0x03, 0x00});
}
