// RDMSR/WRMSR: the model-specific registers our CPU has. Only MSRs with a
// home in CpuState (plus the TSC, the APIC base and EFER) exist; any other
// index is #GP(0), as is a write of a reserved bit (SDM Vol. 4 for the
// layouts). As with CPUID (cpu/cpuid.h), bits of features we do not
// advertise are reserved.
#pragma once

#include <cstdint>

namespace sv {

class Cpu;

// False when the access must raise #GP(0); the caller raises it.
bool readMsr(Cpu& cpu, uint32_t index, uint64_t& value);
bool writeMsr(Cpu& cpu, uint32_t index, uint64_t value);

}  // namespace sv
