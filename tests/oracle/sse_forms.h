// Random SSE..SSE4.2 instruction forms (the generator's SSE family): random
// XMM registers (float lanes near 1.0, specials, raw bits), MXCSR (rounding,
// FTZ/DAZ, sometimes unmasked exceptions for #XM) and memory operands,
// aligned or not (#GP for misaligned packed operands is compared too).
// RCPPS/RCPSS/RSQRTPS/RSQRTSS are left out: their approximations are
// implementation-specific (AMD and Intel differ).
#pragma once

#include <cstdint>

#include "tests/oracle/insn_builder.h"

namespace sv::oracle {

// Fills b.c's SSE state and instruction; returns the compared EFLAGS.
uint32_t sseFamily(InsnBuilder& b);

}  // namespace sv::oracle
