// Encodes one instruction byte by byte (prefixes, REX, opcode, ModRM, SIB,
// displacement, immediate) while choosing the register values that make its
// memory operand land at a chosen offset of the scratch window: a base
// register is solved from the displacement and the other registers.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

using Rng = std::mt19937_64;

// Random operand values biased to where flags change.
uint64_t edgeValue(Rng& rng);
// A float32/float64 image: half with an exponent near 1.0, half raw bits.
uint64_t randomBinaryFloat(Rng& rng, unsigned bytes);

class InsnBuilder {
 public:
  InsnBuilder(Rng& rng, Case& c);

  Rng& rng;
  Case& c;

  bool is16() const { return c.mode == Mode::Bits16; }
  bool is64() const { return c.mode == Mode::Bits64; }

  // Operand size in bytes: the mode's default, or the other one through a
  // 66 prefix (or 8 through REX.W in 64-bit code). `allow_byte` adds 1.
  unsigned pickOperandSize(bool allow_byte, bool allow_64 = true);

  void prefix(uint8_t p) { prefixes_.push_back(p); }
  // 66/F2/F3 as part of an SSE opcode: kept as is in the host bytes of
  // 16-bit code (only an operand-size 66 is toggled there).
  void mandatoryPrefix(uint8_t p) { mandatory_ = p; }
  // The instruction ignores the operand size: 16-bit code's host bytes
  // then get no 66 either.
  void fixedOperandSize() { size_sensitive_ = false; }
  void rexW() { rex_ |= 0x48; }
  void opcode(std::initializer_list<uint8_t> bytes) { body_.insert(body_.end(), bytes); }
  void imm(uint64_t value, unsigned size);
  // An opcode with the register in its low three bits (50+r, B8+r, 0F C8+r).
  void opcodeWithReg(uint8_t base, unsigned reg);
  // [ESP + disp] may be built (not for POP r/m, which adds to ESP first).
  bool esp_base_ok = true;

  // A register number usable for `size` (no SPL..DIL ambiguity: in 64-bit
  // code regs 4-7 of byte size get a REX, elsewhere they mean AH..BH).
  unsigned pickReg();
  // ModRM with mod=3.
  void modrmReg(unsigned reg_field, unsigned rm_reg);
  // ModRM (+SIB +disp) addressing window offset `target`; the base register
  // is solved so the effective address is exactly there.
  void modrmMem(unsigned reg_field, uint32_t target);
  // ModRM for LEA: any form, random registers, no solving (nothing is accessed).
  void modrmFree(unsigned reg_field);

  // Forced register values; a forced register is never solved as a base.
  void fix(unsigned reg, uint64_t value);
  bool isFixed(unsigned reg) const { return fixed_ & (1u << reg); }
  // A register the form sets after the ModRM (DIV's dividend, CMPXCHG's
  // accumulator): neither a base nor an index.
  void reserve(unsigned reg) { reserved_ |= 1u << reg; }

  // Offset of window byte `t` as the code addresses it (segment offset).
  uint64_t windowAddress(uint32_t t) const;
  // The stack pointer at window offset `t`.
  void placeStack(uint32_t t) { fix(4, windowAddress(t)); }

  // Writes the bytes and host bytes into the case; false if longer than 15.
  bool finish();

 private:
  // 16-bit code addresses with 32 bits through a 67 prefix (the host has no
  // 16-bit addressing in 64-bit code, and 16-bit offsets could not reach
  // the scratch area); 32-bit code uses 32-bit addressing, 64-bit code 64.
  void useHostAddressing();
  void setRexBit(unsigned bit, unsigned reg);
  void modrm32(unsigned reg_field, uint64_t ea, bool solve);
  unsigned solvableReg();
  uint64_t regMask() const;

  std::vector<uint8_t> prefixes_;
  uint8_t mandatory_ = 0;
  bool size_sensitive_ = true;
  uint8_t rex_ = 0;
  std::vector<uint8_t> body_;
  unsigned op_size_ = 4;
  unsigned addr_size_ = 4;
  uint32_t fixed_ = 0;
  uint32_t reserved_ = 0;
};

}  // namespace sv::oracle
