#include "tests/oracle/undefined_flags.h"

#include "cpu/cpu_state.h"

namespace sv::oracle {

namespace {
constexpr uint32_t CF = flag::CF, PF = flag::PF, AF = flag::AF, ZF = flag::ZF, SF = flag::SF, OF = flag::OF;
// Everything PUSHF shows: undefined bits are removed from this.
constexpr uint32_t kVisible = 0xFFFFFFFF;
}  // namespace

uint32_t comparedFlags(FlagRule rule, unsigned opsize, unsigned count) {
  uint32_t undefined = 0;
  switch (rule) {
    case FlagRule::AllDefined: break;
    case FlagRule::Logic: undefined = AF; break;                  // AND/OR/XOR/TEST
    case FlagRule::Multiply: undefined = SF | ZF | AF | PF; break;  // MUL, IMUL
    case FlagRule::Divide: undefined = CF | OF | SF | ZF | AF | PF; break;  // DIV, IDIV
    case FlagRule::Shift:
      // SAL/SAR/SHL/SHR: a masked count of 0 changes nothing; otherwise AF
      // is undefined, OF is defined for 1-bit shifts only, and CF is
      // undefined for SHL/SHR when the count reaches the operand width
      // (we mask it for SAR too: AMD and Intel disagree there).
      if (count == 0) break;
      undefined = AF;
      if (count != 1) undefined |= OF;
      if (count >= 8 * opsize) undefined |= CF;
      break;
    case FlagRule::Rotate:
      // RCL/RCR/ROL/ROR: OF is defined only for 1-bit rotates; a masked
      // count of 0 changes nothing.
      if (count != 0 && count != 1) undefined = OF;
      break;
    case FlagRule::DoubleShift:
      // SHLD/SHRD: a count of 0 changes nothing; otherwise AF undefined and
      // OF defined only for 1-bit shifts (counts above the operand size are
      // never generated: result and flags are undefined).
      if (count == 0) break;
      undefined = AF;
      if (count != 1) undefined |= OF;
      break;
    case FlagRule::BitScan: undefined = CF | OF | SF | AF | PF; break;  // BSF, BSR
    case FlagRule::BitTest: undefined = OF | SF | AF | PF; break;       // BT, BTC, BTR, BTS
    case FlagRule::CountZeros: undefined = OF | SF | AF | PF; break;    // LZCNT
    case FlagRule::DecimalAdjust: undefined = OF; break;                // DAA, DAS
    case FlagRule::AsciiAdjust: undefined = OF | SF | ZF | PF; break;   // AAA, AAS
    case FlagRule::AsciiMultiply: undefined = OF | AF | CF; break;      // AAM, AAD
  }
  return kVisible & ~undefined;
}

uint16_t comparedStatus(X87Rule rule) {
  constexpr uint16_t C0 = 1u << 8, C1 = 1u << 9, C2 = 1u << 10, C3 = 1u << 14;
  switch (rule) {
    case X87Rule::Arithmetic: return static_cast<uint16_t>(~(C0 | C2 | C3));
    case X87Rule::Compare: return 0xFFFF;
    default: return static_cast<uint16_t>(~(C0 | C1 | C2 | C3));
  }
}

}  // namespace sv::oracle
