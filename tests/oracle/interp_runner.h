// Runs oracle cases in the reference interpreter: one instruction from the
// case's registers, flags and window, in protected mode at CPL 3 (the
// host's user mode) with flat 32-bit data and stack segments and a 32-bit
// or 16-bit code segment, or in long mode (identity paging) with a 64-bit
// code segment.
#pragma once

#include <cstdint>

#include "cpu/cpu.h"
#include "cpu/decoder.h"
#include "memory/physical_memory.h"
#include "tests/oracle/oracle_case.h"
#include "tests/unit/cpu_test_platform.h"

namespace sv::oracle {

class InterpRunner {
 public:
  InterpRunner();
  // Runs `c`; `mnemonic` gets the ZydisMnemonic of its instruction (0 if invalid).
  Outcome run(const Case& c, uint16_t& mnemonic);

 private:
  void enterMode(Mode mode);

  PhysicalMemory mem_;
  sv::testing::NullPorts ports_;
  sv::testing::FixedClock clock_;
  Cpu cpu_;
  Decoder decoder_;
  bool configured_ = false;
  Mode mode_ = Mode::Bits32;
};

}  // namespace sv::oracle
