// The host side of x87 cases: X87Snapshot <-> the 512-byte FXSAVE image the
// native code loads with FXRSTOR and stores with FXSAVE (SDM Vol. 1,
// 10.5.1, Table 10-2: registers in stack order ST0..ST7, abridged tags by
// physical register, MXCSR, XMM0-15).
#pragma once

#include <cstdint>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

void writeFxsaveImage(const X87Snapshot& s, uint8_t* image);
X87Snapshot readFxsaveImage(const uint8_t* image);

}  // namespace sv::oracle
