// Where the SingleStepTests reference CPUs and our CPU must differ.
//
// softvisor models one modern x86-64 CPU; the 80286 suite was captured on a
// real 80C286. Where the two architectures disagree, a test says nothing about
// our correctness, so it is skipped or compared under a relaxed rule. Every
// entry of the one list in exclusions.cpp names the architectural difference
// it stands for; "we fail this" is never a reason.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "tests/conformance/moo_reader.h"

namespace sv::conformance {

enum class SuiteCpu : uint8_t { i8086, i80286 };

// A real-mode decode of a test's instruction bytes: just enough to see which
// architectural corner it touches (prefixes, ModRM memory operand, segment).
struct InsnProbe {
  unsigned length = 0;        // instruction bytes, without the HLT that ends 286 tests
  unsigned prefixes = 0;      // count of prefix bytes
  bool lock = false;
  bool rep = false;           // F2 or F3
  int seg_override = -1;      // MooReg kES/kCS/kSS/kDS of the last override, or -1
  uint8_t opcode = 0;
  uint8_t after_opcode = 0;   // the byte after the opcode (ModRM or first immediate byte)
  bool has_modrm = false;
  uint8_t mod = 0, reg = 0, rm = 0;
  bool mem = false;           // a memory operand from ModRM or a direct address (A0-A3)
  uint16_t ea = 0;            // its offset
  uint8_t ea_seg = kDS;       // its segment (MooReg), after overrides
  unsigned mem_size = 0;      // bytes it accesses (0: none, as for LEA)
  uint16_t lock_positions = 0;  // bit i: byte i is a LOCK prefix
};

// The segment-override prefix that changes nothing for this instruction: the
// segment its overridable operand already uses (DS when it has none).
uint8_t neutralSegmentPrefix(const InsnProbe& insn);

InsnProbe probeInstruction(const MooTest& test, SuiteCpu cpu);

struct ExclusionContext {
  std::string_view file;  // opcode file stem, e.g. "F6.6"
  const MooTest& test;
  const InsnProbe& insn;
};

struct Exclusion {
  enum class Effect : uint8_t {
    Skip,            // the test is not run
    Relax,           // run, but `ignored_flags` and `ignored_regs` are not compared
    NeutralizeLock,  // run with each LOCK byte replaced by neutralSegmentPrefix()
  };
  const char* id;
  const char* reason;
  SuiteCpu cpu;
  Effect effect;
  uint16_t ignored_flags;  // FLAGS bits, in the register and in an exception's pushed FLAGS
  uint16_t ignored_regs;   // bit r: MooReg r
  bool (*applies)(const ExclusionContext&);
};

std::span<const Exclusion> exclusionList();

// What the list says about one test.
struct ExclusionVerdict {
  int skip = -1;             // index of the first Skip entry that applies, or -1
  uint32_t relaxed = 0;      // bit i: non-Skip entry i applies
  uint16_t ignored_flags = 0;
  uint16_t ignored_regs = 0;
  bool neutralize_lock = false;
};

ExclusionVerdict classify(const ExclusionContext& ctx, SuiteCpu cpu);

}  // namespace sv::conformance
