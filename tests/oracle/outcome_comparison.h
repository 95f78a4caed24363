// Host against interpreter: the fault class, then (when neither faulted) the
// GPRs at the mode's width, the defined flags and the scratch window.
#pragma once

#include <cstdio>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

bool sameOutcome(const Case& c, const Outcome& host, const Outcome& interp);
// The case's bytes, inputs and both outcomes, differences marked.
void printMismatch(std::FILE* out, const Case& c, const char* mnemonic, const Outcome& host, const Outcome& interp);

}  // namespace sv::oracle
