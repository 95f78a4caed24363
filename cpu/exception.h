// Exception and interrupt vectors and event kinds (Intel SDM Vol. 3A, 6.3.1).
#pragma once

#include <cstdint>

namespace sv {

namespace vec {
constexpr uint8_t DE = 0;   // divide error
constexpr uint8_t DB = 1;   // debug
constexpr uint8_t NMI = 2;
constexpr uint8_t BP = 3;   // INT3
constexpr uint8_t OF = 4;   // INTO
constexpr uint8_t BR = 5;   // BOUND range exceeded
constexpr uint8_t UD = 6;   // invalid opcode
constexpr uint8_t NM = 7;   // device not available
constexpr uint8_t DF = 8;   // double fault
constexpr uint8_t TS = 10;  // invalid TSS
constexpr uint8_t NP = 11;  // segment not present
constexpr uint8_t SS = 12;  // stack-segment fault
constexpr uint8_t GP = 13;  // general protection
constexpr uint8_t PF = 14;  // page fault
constexpr uint8_t MF = 16;  // x87 floating-point error
constexpr uint8_t AC = 17;  // alignment check
constexpr uint8_t MC = 18;  // machine check
constexpr uint8_t XM = 19;  // SIMD floating-point
}  // namespace vec

// How an event entered the CPU; decides privilege checks on delivery
// (software INT n checks the gate DPL, exceptions do not), whether an error
// code is pushed, and which RIP is saved.
enum class EventKind : uint8_t {
  Exception,         // fault/trap raised by the CPU
  External,          // INTR from the interrupt controller
  Nmi,
  SoftwareInt,       // INT n (CD)
  SoftwareException, // INT3 (CC), INTO (CE): gate DPL is checked
  Icebp,             // INT1 (F1): delivered like an exception
};

// Vectors whose exceptions push an error code in protected mode.
constexpr bool exceptionHasErrorCode(uint8_t v) {
  return v == vec::DF || v == vec::TS || v == vec::NP || v == vec::SS ||
         v == vec::GP || v == vec::PF || v == vec::AC;
}

// Exceptions of the fault class (SDM Vol. 3A, Table 6-1): the saved RIP
// restarts the instruction. #DB is a fault when raised through Cpu::raise
// (instruction breakpoint, general detect); its traps are delivered directly.
constexpr bool isFaultClass(uint8_t v) {
  return v == vec::DE || v == vec::DB || v == vec::BR || v == vec::UD || v == vec::NM ||
         (v >= vec::TS && v <= vec::PF) || v == vec::MF || v == vec::AC || v == vec::XM;
}

// SDM Table 6-4/6-5: which pairs of exceptions form a double fault.
enum class FaultClass : uint8_t { Benign, Contributory, PageFault };
constexpr FaultClass faultClass(uint8_t v) {
  if (v == vec::DE || (v >= vec::TS && v <= vec::GP)) return FaultClass::Contributory;
  if (v == vec::PF) return FaultClass::PageFault;
  return FaultClass::Benign;
}

}  // namespace sv
