// One oracle case: an instruction's bytes, the state it starts from and what
// came out of it, for the host CPU and for the interpreter alike.
//
// Both sides see the same linear addresses: the scratch data area starts at
// kDataBase in the host process (a fixed mapping) and in the interpreter's
// RAM (flat data segments), and every memory operand the generator builds
// lands in the 256-byte window at kWindowOffset of that area.
//
// The host runs every case as 64-bit code (this sandbox has no 16/32-bit
// code segments, see native_code_emitter.h), so a 16/32-bit form also has
// host bytes with the same semantics: 32-bit code's bytes with a 67 prefix
// (32-bit addresses, wrapping as in 32-bit code), 16-bit code's bytes with
// the 66 prefix toggled. Forms without such an equivalent (PUSH/POP of
// 16/32-bit code, BCD, INC/DEC 40-4F, 16-bit addressing) are not generated
// for those modes.
#pragma once

#include <cstdint>

namespace sv::oracle {

// 64-bit code runs in the interpreter's long mode; off, the oracle checks
// 16- and 32-bit code only (a build whose CPU has no long mode).
inline constexpr bool kLongModeEnabled = true;

enum class Mode : uint8_t { Bits16, Bits32, Bits64 };
inline constexpr unsigned kModeCount = 3;
const char* modeName(Mode m);

// Host layout (linear addresses, below 4 GiB so 16/32-bit code reaches them).
inline constexpr uint64_t kDataBase = 0x01000000;    // the scratch data segment's base
inline constexpr uint32_t kWindowOffset = 0x8000;    // the compared memory window
inline constexpr uint32_t kWindowBytes = 256;
inline constexpr uint32_t kDataSegmentBytes = 0x10000;

// How an instruction ended, in the classes Linux's signals can tell apart:
// #DE/#MF/#XM -> SIGFPE, #UD -> SIGILL, #GP/#PF/#BR/#OF -> SIGSEGV,
// #SS/#AC -> SIGBUS.
enum class Fault : uint8_t { None, Arithmetic, InvalidOpcode, Protection, Bus, Other };
const char* faultName(Fault f);

// Inputs and outputs of one case, as the native code buffer reads and
// writes them (layout shared with the emitted code: keep it plain).
struct alignas(16) CaseRecord {
  uint64_t in_gpr[16];
  uint64_t out_gpr[16];
  uint64_t in_flags;   // 64 bits: POPFQ/PUSHFQ move a quadword
  uint64_t out_flags;
  uint32_t resume;  // code offset of the next case (where a fault resumes)
  uint32_t fault;   // host signal number, 0 if none
  uint8_t in_mem[kWindowBytes];
  uint8_t out_mem[kWindowBytes];
  alignas(16) uint8_t in_fx[512];  // FXSAVE images (x87 cases only)
  alignas(16) uint8_t out_fx[512];
};

// The x87 and SSE registers a case starts from or ends with (x87 in
// physical order).
struct X87Snapshot {
  uint16_t fcw = 0x037F;
  uint16_t fsw = 0;       // TOP in bits 11..13
  uint8_t valid = 0;      // bit p: physical register p is not empty
  uint64_t sig[8] = {};
  uint16_t se[8] = {};
  uint32_t mxcsr = 0x1F80;
  uint64_t xmm[16][2] = {};
};

struct Case {
  Mode mode = Mode::Bits32;
  uint8_t bytes[15] = {};  // as the interpreter runs them, in `mode`
  uint8_t length = 0;
  uint8_t host_bytes[15] = {};  // the 64-bit code the host runs
  uint8_t host_length = 0;
  uint32_t flag_mask = 0;  // EFLAGS bits compared (undefined ones cleared)
  bool fx_state = false;   // the x87/SSE registers (FXSAVE state) are loaded and compared
  uint16_t fsw_mask = 0xFFFF;  // FSW bits compared (undefined condition codes cleared)
  X87Snapshot fpu;
  uint64_t gpr[16] = {};
  uint32_t flags = 0;
  uint8_t mem[kWindowBytes] = {};
};

struct Outcome {
  Fault fault = Fault::None;
  uint64_t gpr[16] = {};
  uint32_t flags = 0;
  uint8_t mem[kWindowBytes] = {};
  X87Snapshot fpu;
};

inline unsigned gprCount(Mode m) { return m == Mode::Bits64 ? 16 : 8; }

}  // namespace sv::oracle
