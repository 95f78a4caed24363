// Internal to cpu/interp: the table the register* functions fill.
#pragma once

#include <Zydis/Zydis.h>

#include "cpu/interp/handlers.h"

namespace sv {

struct HandlerTable {
  InsnHandler by_mnemonic[ZYDIS_MNEMONIC_MAX_VALUE + 1];
  InsnHandler mov_control_debug;  // MOV to/from CRn/DRn (0F 20..23)
  // Zydis names the SSE2 scalar-double MOVSD/CMPSD (F2 0F 10/11, F2 0F C2)
  // like the string instructions; the decoder picks these for map 0F.
  InsnHandler movsd_sse;
  InsnHandler cmpsd_sse;
  void set(ZydisMnemonic m, InsnHandler h) { by_mnemonic[m] = h; }
};

}  // namespace sv
