// Runs oracle cases in softvisor's CPU, the reference interpreter or (with
// `through_jit`) the JIT with one instruction per block: one instruction from the
// case's registers, flags and window, in protected mode at CPL 3 (the
// host's user mode) with flat 32-bit data and stack segments and a 32-bit
// or 16-bit code segment, or in long mode (identity paging) with a 64-bit
// code segment.
#pragma once

#include <cstdint>

#include <memory>

#include "cpu/cpu.h"
#include "cpu/decoder.h"
#include "jit/jit.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "tests/oracle/oracle_case.h"
#include "tests/unit/cpu_test_platform.h"

namespace sv::oracle {

class CpuRunner {
 public:
  explicit CpuRunner(bool through_jit = false);
  ~CpuRunner();
  // Runs `c`; `mnemonic` gets the ZydisMnemonic of its instruction (0 if invalid).
  Outcome run(const Case& c, uint16_t& mnemonic);

 private:
  void enterMode(Mode mode);

  PhysicalMemory mem_;
  CodePageMap code_pages_{mem_};
  sv::testing::NullPorts ports_;
  sv::testing::FixedClock clock_;
  Cpu cpu_;
  std::unique_ptr<Jit> jit_;
  Decoder decoder_;
  bool configured_ = false;
  Mode mode_ = Mode::Bits32;
};

}  // namespace sv::oracle
