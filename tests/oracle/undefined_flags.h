// Which EFLAGS bits an instruction leaves undefined, so the oracle compares
// only the defined ones. The one table of the oracle: every rule cites the
// Intel SDM Vol. 2 "Flags Affected" paragraph it follows.
#pragma once

#include <cstdint>

namespace sv::oracle {

enum class FlagRule : uint8_t {
  AllDefined,      // ADD/SUB/CMP/INC/NEG/..., and instructions that touch no flag
  Logic,           // AND/OR/XOR/TEST: AF undefined
  Multiply,        // MUL/IMUL: SF, ZF, AF, PF undefined
  Divide,          // DIV/IDIV: all six undefined
  Shift,           // SHL/SHR/SAR: depends on the masked count
  Rotate,          // ROL/ROR/RCL/RCR: OF only for 1-bit rotates
  DoubleShift,     // SHLD/SHRD: OF only for 1-bit shifts, AF undefined
  BitScan,         // BSF/BSR: only ZF defined
  BitTest,         // BT/BTS/BTR/BTC: OF, SF, AF, PF undefined
  CountZeros,      // LZCNT: OF, SF, AF, PF undefined
  DecimalAdjust,   // DAA/DAS: OF undefined
  AsciiAdjust,     // AAA/AAS: OF, SF, ZF, PF undefined
  AsciiMultiply,   // AAM/AAD: OF, AF, CF undefined
};

// The EFLAGS bits to compare after an instruction of `rule` with the given
// operand size (bytes) and masked count (shifts and rotates; 0 otherwise).
uint32_t comparedFlags(FlagRule rule, unsigned opsize, unsigned masked_count);

// The x87 condition codes C0-C3 the same way ("FPU Flags Affected").
enum class X87Rule : uint8_t {
  Arithmetic,  // FADD, FLD, FST, FXCH, FCHS, FSQRT ...: C1 defined, C0 C2 C3 undefined
  Compare,     // FCOM, FUCOM, FTST, FXAM, FCOMI, FPREM, FNINIT ...: all defined
  Control,     // FLDCW, FNSTCW, FNSTSW, FDECSTP, FINCSTP, FFREE: C0-C3 undefined
};
uint16_t comparedStatus(X87Rule rule);

}  // namespace sv::oracle
