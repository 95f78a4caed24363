// The oracle's run: generate seeded cases mode by mode in batches, run each
// batch natively and in the interpreter (or the JIT), compare, count.
#pragma once

#include <cstdint>
#include <cstdio>
#include <vector>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

struct OracleOptions {
  uint64_t cases = 1000000;
  uint64_t seed = 1;
  std::vector<Mode> modes;       // cases are shared evenly among them
  unsigned show_mismatches = 10;  // printed in full; the rest are counted
  bool per_mnemonic = true;       // print the per-mnemonic counts
  bool through_jit = false;       // run the cases in the JIT (one instruction per block)
};

struct OracleResult {
  uint64_t cases = 0;
  uint64_t mismatches = 0;
  bool harness_error = false;
  double seconds = 0;
};

// The modes this build can check (64-bit only with kLongModeEnabled).
std::vector<Mode> availableModes();

OracleResult runOracle(const OracleOptions& options, std::FILE* out);

}  // namespace sv::oracle
