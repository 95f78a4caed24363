// What a vCPU needs from the board it sits on, as narrow interfaces. The
// Machine (vmm/) implements them by forwarding to its devices, so cpu/ never
// includes devices/ and devices never see CPU internals.
#pragma once

#include <cstdint>

namespace sv {

// IN/OUT/INS/OUTS go here. size is 1, 2 or 4.
class PortIo {
 public:
  virtual ~PortIo() = default;
  virtual uint32_t portRead(uint16_t port, unsigned size) = 0;
  virtual void portWrite(uint16_t port, unsigned size, uint32_t value) = 0;
};

// The INTR side of the interrupt controller: asked for a vector only when the
// CPU takes the interrupt (the level itself is pushed with
// Cpu::setInterruptRequest, so the hot loop never makes a call to poll it).
class InterruptAcknowledge {
 public:
  virtual ~InterruptAcknowledge() = default;
  // Returns the vector of the highest-priority pending interrupt (the INTA
  // cycle). Spurious interrupts return the controller's spurious vector.
  virtual uint8_t acknowledgeInterrupt() = 0;
};

// The vCPU's own local APIC as the CPU reaches it without going through
// memory: IA32_APIC_BASE, CR8 (TPR[7:4] in 64-bit mode, SDM Vol. 3A
// 11.8.6.5) and what CPUID reports of it. Absent (nullptr) on boards
// without a local APIC.
class LocalApicPort {
 public:
  virtual ~LocalApicPort() = default;
  virtual uint64_t apicBaseMsr() = 0;
  // false: the value is refused (#GP).
  virtual bool writeApicBaseMsr(uint64_t value) = 0;
  virtual uint8_t taskPriorityCr8() = 0;
  virtual void writeTaskPriorityCr8(uint8_t value) = 0;
  // CPUID.1:EDX.APIC follows IA32_APIC_BASE[11] (SDM 11.4.3); EBX[31:24]
  // is the initial APIC ID.
  virtual bool apicGloballyEnabled() = 0;
  virtual uint8_t initialApicId() = 0;
};

// The VM's virtual clock as the CPU sees it (RDTSC/RDTSCP).
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual uint64_t tscNow() = 0;
};

}  // namespace sv
