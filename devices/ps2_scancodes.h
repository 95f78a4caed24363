// PS/2 scan code sets 1 and 2 and the 8042's translation between them.
#pragma once

#include <cstdint>

namespace sv::ps2 {

// The set-1 code the 8042 produces for a set-2 byte while its command byte
// has XLAT set (IBM PS/2 Technical Reference, keyboard controller
// translation). Bytes 0x80 and above pass unchanged, except 0x83 (F7),
// which maps to 0x41; the 0xF0 break prefix is consumed by the controller
// (it sets bit 7 of the next translated byte).
uint8_t translateSet2ToSet1(uint8_t set2);

}  // namespace sv::ps2
