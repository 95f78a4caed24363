// Random instruction forms for every user-mode integer instruction the
// interpreter implements, with random registers, operand values, flags and
// memory operands inside the scratch window.
#pragma once

#include "tests/oracle/insn_builder.h"
#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

// Fills `c` with one random case for `mode` (instruction, inputs, compared flags).
void generateCase(Rng& rng, Mode mode, Case& c);

}  // namespace sv::oracle
