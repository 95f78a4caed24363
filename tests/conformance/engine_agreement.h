// Interpreter vs JIT on the same SingleStepTests test (`--accel jit`): both
// start from the same state, and their end states must be identical, bit
// for bit, whether or not they match the real CPU's (the 8086 suite has
// documented differences; those must be the same under both engines).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/cpu_state.h"
#include "tests/conformance/state_comparison.h"

namespace sv::conformance {

// Every architectural register a real-mode test can change: the GPRs (all
// 64 bits), the segment caches, RIP, RFLAGS and the x87 control/status.
void compareEngineStates(Diff& d, const CpuState& interp, const CpuState& jit);

// The bytes of `pages` (page numbers, either engine's touched pages) in
// the two RAM images.
void compareEngineMemory(Diff& d, const uint8_t* interp_ram, const uint8_t* jit_ram, const std::vector<uint32_t>& pages);

}  // namespace sv::conformance
