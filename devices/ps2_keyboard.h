// A PS/2 (MF-II) keyboard: the command set of the IBM PS/2 keyboard
// (reset/self-test 0xFF -> FA AA, identify 0xF2 -> FA AB 83, echo 0xEE,
// LEDs 0xED, typematic 0xF3, scan code set 0xF0 (sets 1 and 2; set 3 is
// refused with 0xFE), enable 0xF4, default-disable 0xF5, defaults 0xF6,
// resend 0xFE; set-3-only commands 0xF7-0xFD are acknowledged), answering
// unknown commands with 0xFE (resend) as real keyboards do.
//
// Host seam: keyEvent() takes a key as its set-2 make code, with 0xE000
// added for the E0-prefixed keys (e.g. 0x1C = A, 0xE075 = Up arrow); the
// keyboard emits it in the selected set while scanning is enabled. Pause
// (E1 14 77 E1 F0 14 F0 77 in set 2) is keyPause(). Typematic repeat is the
// host's business (a held key arrives as repeated key-down events).
#pragma once

#include <cstdint>

#include "devices/ps2_device.h"

namespace sv {

class Ps2Keyboard final : public Ps2Device {
 public:
  static constexpr uint16_t kExtended = 0xE000;

  Ps2Keyboard() { reset(); }
  void receiveFromHost(uint8_t byte) override;
  void reset() override;  // power-on: set 2, scanning enabled, LEDs off

  void keyEvent(uint16_t set2_code, bool pressed);
  void keyPause();

  uint8_t leds() const { return leds_; }  // bit 0 Scroll, 1 Num, 2 Caps Lock
  uint8_t scanCodeSet() const { return set_; }
  bool scanning() const { return scanning_; }
  uint8_t typematic() const { return typematic_; }

 private:
  void setDefaults();
  void emit(uint8_t byte);

  uint8_t pending_command_ = 0;  // awaiting an argument for ED/F0/F3
  uint8_t last_sent_ = 0xAA;     // for 0xFE (resend)
  uint8_t set_ = 2;
  uint8_t leds_ = 0;
  uint8_t typematic_ = 0x2B;  // 10.9 cps, 500 ms
  bool scanning_ = true;
};

}  // namespace sv
