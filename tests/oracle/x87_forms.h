// Random x87 instruction forms (the generator's x87 family): a random
// register stack, control word and memory operands, one instruction.
// The transcendentals (F2XM1, FYL2X, FSIN ...) are left out: the
// interpreter computes them to within one ulp, not bit for bit.
#pragma once

#include <cstdint>

#include "tests/oracle/insn_builder.h"

namespace sv::oracle {

// Fills b.c's x87 state and instruction; returns the compared EFLAGS.
uint32_t x87Family(InsnBuilder& b);

}  // namespace sv::oracle
