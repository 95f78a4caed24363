// The Intel 8042 keyboard controller of the PC/AT and PS/2 (ports 0x60 data,
// 0x64 status/command) with a keyboard on its first port and a mouse on
// the auxiliary port; IRQ 1 and IRQ 12.
//
// Modelled (IBM PS/2 Technical Reference, "Keyboard/Auxiliary Device
// Controller"; the command set Linux's i8042 driver and SeaBIOS use):
// - status: OBF, IBF (always clear: commands complete at once), SYS, A2
//   (last write was a command), INH (1: not inhibited), AUXB (the output
//   buffer holds aux data);
// - the command byte (RAM 0: KBD/AUX interrupt enables, SYS, KBD/AUX
//   disable, XLAT) and RAM 0x01-0x1F (0x20-0x3F read, 0x60-0x7F write);
// - 0xA7/0xA8 aux disable/enable, 0xA9 aux interface test (00), 0xAA
//   self-test (55, sets SYS), 0xAB keyboard interface test (00), 0xAD/0xAE
//   keyboard disable/enable, 0xC0 input port, 0xD0/0xD1 output port (bit 0
//   0 = system reset, bit 1 = A20), 0xD2/0xD3 write the keyboard/aux output
//   buffer (loopback), 0xD4 next byte to the mouse, 0xDD/0xDF A20 off/on,
//   0xE0 test inputs, 0xF0-0xFF pulse output lines (bit 0 clear pulses
//   reset: 0xFE is the classic reboot);
// - output buffer refill: controller responses first, then the keyboard
//   (unless disabled), then the mouse (unless disabled); keyboard bytes go
//   through the set-2 -> set-1 translation while XLAT is set;
// - IRQ 1 / IRQ 12 follow "output buffer full with keyboard/aux data and
//   that interrupt enabled" (the 8042 drives them as levels; the PIC sees
//   one edge per byte).
// Unknown commands are ignored, as the 8042 firmware does.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "devices/io_bus.h"
#include "devices/irq_output.h"
#include "devices/ps2_keyboard.h"
#include "devices/ps2_mouse.h"

namespace sv {

class I8042 final : public IoDevice {
 public:
  static constexpr uint16_t kDataPort = 0x60;
  static constexpr uint16_t kCommandPort = 0x64;
  static constexpr unsigned kKeyboardIrq = 1;
  static constexpr unsigned kMouseIrq = 12;

  // set_a20 follows output-port bit 1; reset is a pulse of its bit 0.
  I8042(IrqOutput::Sink irq1, IrqOutput::Sink irq12, std::function<void(bool)> set_a20, std::function<void()> reset);
  void attach(IoBus& io);
  void reset();

  // Host-side input (for a display frontend): see Ps2Keyboard / Ps2Mouse.
  Ps2Keyboard& keyboard() { return keyboard_; }
  Ps2Mouse& mouse() { return mouse_; }

  uint8_t commandByte() const { return ram_[0]; }
  uint8_t status() const;

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  enum class Source : uint8_t { Controller, Keyboard, Mouse };
  void runCommand(uint8_t command);
  void writeData(uint8_t value);
  void writeOutputPort(uint8_t value);
  void respond(uint8_t byte, Source as = Source::Controller);
  void refill();
  void updateIrqs();

  Ps2Keyboard keyboard_;
  Ps2Mouse mouse_;
  IrqOutput irq1_;
  IrqOutput irq12_;
  std::function<void(bool)> set_a20_;
  std::function<void()> reset_;

  uint8_t ram_[32] = {};
  std::deque<std::pair<uint8_t, Source>> responses_;  // controller output not yet in the buffer
  uint8_t output_ = 0;
  bool output_full_ = false;
  bool output_aux_ = false;
  bool last_write_command_ = false;
  bool self_tested_ = false;    // SYS after a self-test
  bool translate_break_ = false;  // XLAT saw 0xF0
  uint8_t pending_command_ = 0;  // a command waiting for its data byte
  uint8_t output_port_ = 0x03;
};

}  // namespace sv
