// The i8042 controller's command set, status bits, IRQs, output port and
// translation, driven through its ports as Linux and SeaBIOS do.
#include <doctest/doctest.h>

#include "devices/i8042.h"

using namespace sv;

namespace {
struct Rig {
  IoBus io;
  bool irq1 = false, irq12 = false;
  int irq1_edges = 0, irq12_edges = 0;
  int resets = 0;
  int a20 = -1;
  I8042 kbc{[this](bool l) { irq1_edges += l && !irq1; irq1 = l; },
            [this](bool l) { irq12_edges += l && !irq12; irq12 = l; }, [this](bool on) { a20 = on; },
            [this] { ++resets; }};
  Rig() { kbc.attach(io); }
  uint8_t status() { return static_cast<uint8_t>(io.read(0x64, 1)); }
  void command(uint8_t c) { io.write(0x64, 1, c); }
  void data(uint8_t d) { io.write(0x60, 1, d); }
  uint8_t read() {
    REQUIRE((status() & 0x01));
    return static_cast<uint8_t>(io.read(0x60, 1));
  }
};
}  // namespace

TEST_CASE("self-test answers 0x55 and sets SYS, interface tests answer 0") {
  Rig r;
  CHECK(r.status() == 0x18);  // not inhibited, last write "command" (power-on)
  r.command(0xAA);
  CHECK((r.status() & 0x05) == 0x05);  // OBF, SYS
  CHECK(r.read() == 0x55);
  CHECK_FALSE((r.status() & 0x01));
  r.command(0xAB);
  CHECK(r.read() == 0x00);
  r.command(0xA9);
  CHECK(r.read() == 0x00);
  CHECK((r.status() & 0x08));  // A2: the last write went to 0x64
  r.data(0xF4);
  CHECK_FALSE((r.status() & 0x08));
}

TEST_CASE("the command byte is read with 0x20 and written with 0x60, 0xA7/0xA8 and 0xAD/0xAE flip its disables") {
  Rig r;
  r.command(0x20);
  CHECK(r.read() == 0x03);
  r.command(0x60);
  r.data(0x65);
  CHECK(r.kbc.commandByte() == 0x65);
  r.command(0xA8);
  r.command(0xA7);
  r.command(0x20);
  CHECK(r.read() == 0x65);
  r.command(0xA8);
  r.command(0x20);
  CHECK(r.read() == 0x45);
  r.command(0xAD);
  CHECK((r.kbc.commandByte() & 0x10));
  r.command(0xAE);
  CHECK_FALSE((r.kbc.commandByte() & 0x10));
  r.command(0x61);  // RAM byte 1
  r.data(0x5A);
  r.command(0x21);
  CHECK(r.read() == 0x5A);
}

TEST_CASE("the output port drives A20 and reset, 0xFE pulses reset") {
  Rig r;
  r.command(0xD0);
  CHECK((r.read() & 0x03) == 0x03);
  r.command(0xD1);
  r.data(0x01);  // A20 off, reset line high
  CHECK(r.a20 == 0);
  CHECK(r.resets == 0);
  r.command(0xDF);
  CHECK(r.a20 == 1);
  r.command(0xDD);
  CHECK(r.a20 == 0);
  r.command(0xD1);
  r.data(0x02);  // bit 0 low: reset
  CHECK(r.resets == 1);
  r.command(0xFE);
  CHECK(r.resets == 2);
  r.command(0xFF);  // pulses nothing
  CHECK(r.resets == 2);
}

TEST_CASE("keyboard commands: reset, identify, LEDs, scan code set, IRQ 1 per byte") {
  Rig r;
  r.data(0xFF);
  CHECK(r.irq1);
  CHECK(r.read() == 0xFA);
  CHECK(r.read() == 0xAA);
  CHECK(r.irq1_edges == 2);
  CHECK_FALSE(r.irq1);
  r.data(0xF2);
  CHECK(r.read() == 0xFA);
  CHECK(r.read() == 0xAB);
  CHECK(r.read() == 0x83);
  r.data(0xED);
  CHECK(r.read() == 0xFA);
  r.data(0x07);
  CHECK(r.read() == 0xFA);
  CHECK(r.kbc.keyboard().leds() == 7);
  r.data(0xF0);
  CHECK(r.read() == 0xFA);
  r.data(0x00);
  CHECK(r.read() == 0xFA);
  CHECK(r.read() == 0x02);
  r.data(0xF0);
  r.read();
  r.data(0x03);
  CHECK(r.read() == 0xFE);  // set 3 refused
  r.data(0x12);             // not a command
  CHECK(r.read() == 0xFE);
  r.data(0xEE);
  CHECK(r.read() == 0xEE);
}

TEST_CASE("XLAT translates set 2 to set 1, folding the F0 break prefix, IDs read AB 41 translated") {
  Rig r;
  r.command(0x60);
  r.data(0x41);  // XLAT | KBD INT
  r.kbc.keyboard().keyEvent(0x1C, true);  // A
  CHECK(r.read() == 0x1E);
  r.kbc.keyboard().keyEvent(0x1C, false);
  CHECK(r.read() == 0x9E);
  r.kbc.keyboard().keyEvent(Ps2Keyboard::kExtended | 0x75, true);  // Up
  CHECK(r.read() == 0xE0);
  CHECK(r.read() == 0x48);
  r.data(0xF2);
  CHECK(r.read() == 0xFA);
  CHECK(r.read() == 0xAB);
  CHECK(r.read() == 0x41);
  r.command(0x60);
  r.data(0x01);  // translation off: raw set 2
  r.kbc.keyboard().keyEvent(0x1C, false);
  CHECK(r.read() == 0xF0);
  CHECK(r.read() == 0x1C);
}

TEST_CASE("a disabled keyboard interface holds its bytes, writing to the keyboard enables it") {
  Rig r;
  r.command(0xAD);
  r.kbc.keyboard().keyEvent(0x1C, true);
  CHECK_FALSE((r.status() & 0x01));
  r.command(0xAE);
  CHECK(r.read() == 0x1C);
  r.command(0xAD);
  r.data(0xEE);
  CHECK(r.read() == 0xEE);
}

TEST_CASE("aux: 0xD4 talks to the mouse, replies set AUXB and IRQ 12, 0xD3 loops back as aux") {
  Rig r;
  r.command(0xD3);
  r.data(0x5A);
  CHECK((r.status() & 0x21) == 0x21);
  CHECK(r.irq12);
  CHECK(r.read() == 0x5A);
  r.command(0xD4);
  r.data(0xFF);
  CHECK(r.read() == 0xFA);
  CHECK(r.read() == 0xAA);
  CHECK(r.read() == 0x00);
  r.command(0xD4);
  r.data(0xF4);
  CHECK(r.read() == 0xFA);
  r.kbc.mouse().mouseEvent(5, -3, 0, 1);
  CHECK(r.read() == 0x09);  // left button, bit 3
  CHECK(r.read() == 5);
  CHECK(r.read() == 3);     // up is positive on PS/2
  r.command(0x60);
  r.data(0x01);  // aux interrupt off
  r.kbc.mouse().mouseEvent(1, 0, 0, 1);
  CHECK((r.status() & 0x20));
  CHECK_FALSE(r.irq12);
}
