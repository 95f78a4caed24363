// One decoded guest instruction, in the form the interpreter executes and the
// JIT translates. Produced from Zydis's output once (per decode, never per
// operand access); plain data, no pointers into the decoder.
#pragma once

#include <cstdint>

#include "cpu/cpu_state.h"

namespace sv {

class Cpu;
struct DecodedInsn;
using InsnHandler = void (*)(Cpu&, const DecodedInsn&);

// Register classes: what a RegId's index means.
enum class RegClass : uint8_t {
  None,
  Gpr,      // index 0..15, width = operand size (8-bit: AL..BL, SPL.., R8B..)
  GprHigh,  // AH, CH, DH, BH: index 0..3 (of RAX..RBX)
  Seg,      // index = SegReg
  Cr,       // CR0..CR15
  Dr,       // DR0..DR7
  St,       // x87 ST(i)
  Mmx,      // MM0..MM7
  Xmm,      // XMM0..XMM15
  Rip,      // RIP-relative base
};

struct RegId {
  RegClass cls = RegClass::None;
  uint8_t index = 0;
  bool operator==(const RegId&) const = default;
};

enum class OpKind : uint8_t { None, Reg, Mem, Imm, FarPtr, Rel };

constexpr uint8_t kNoGpr = 0xff;

struct Operand {
  OpKind kind = OpKind::None;
  uint8_t size = 0;     // bytes accessed (1, 2, 4, 8, 10, 16, ...); 0 for LEA-style
  RegId reg;            // Reg
  uint8_t seg = DS;     // Mem: effective segment after overrides/defaults
  uint8_t base = kNoGpr;   // Mem: GPR index, kNoGpr, or 16 for RIP-relative
  uint8_t index = kNoGpr;  // Mem: GPR index or kNoGpr
  uint8_t scale = 0;       // Mem: 1, 2, 4, 8 (0 when no index)
  int64_t disp = 0;        // Mem: displacement (sign-extended)
  uint64_t imm = 0;        // Imm: value, sign-/zero-extended per the encoding to
                           // `size`; Rel: absolute target offset before masking;
                           // FarPtr: offset (selector in `imm2`)
  uint16_t imm2 = 0;       // FarPtr selector; ENTER's second immediate
};

// A REP string instruction runs at most this many iterations per execution,
// then ends with RIP unchanged and runs again (cpu/interp/string.cpp), so
// interrupts and budgets are honoured between chunks. Part of how such an
// instruction retires: a translator running REPs natively must chunk the same.
constexpr unsigned kRepIterationsPerDispatch = 4096;

namespace prefix {
constexpr uint16_t LOCK = 1u << 0;
constexpr uint16_t REP = 1u << 1;    // F3 (REP / REPE)
constexpr uint16_t REPNE = 1u << 2;  // F2
constexpr uint16_t OPSIZE = 1u << 3;  // 66 present
constexpr uint16_t ADDRSIZE = 1u << 4;  // 67 present
constexpr uint16_t SEG = 1u << 5;    // a segment override is in effect
constexpr uint16_t REX_W = 1u << 6;
}  // namespace prefix

struct DecodedInsn {
  InsnHandler handler;     // resolved at decode time from the mnemonic
  uint16_t mnemonic;       // ZydisMnemonic
  uint8_t length;          // bytes
  uint8_t opsize;          // effective operand size in bytes (2, 4, 8)
  uint8_t addrsize;        // effective address size in bytes (2, 4, 8)
  uint8_t stack_size;      // stack width in bytes for implicit pushes/pops
  uint8_t operand_count;   // visible operands in `ops`
  uint8_t seg_override;    // SegReg of the override prefix, or kNoSeg
  uint16_t prefixes;       // prefix:: bits
  uint8_t opcode;          // last opcode byte (disambiguates forms)
  uint8_t opcode_map;      // 0 = one-byte, 1 = 0F, 2 = 0F38, 3 = 0F3A
  uint8_t modrm;           // ModRM byte, when has_modrm
  uint8_t has_modrm;
  uint8_t reserved[2];
  Operand ops[4];

  static constexpr uint8_t kNoSeg = 0xff;

  // The segment a string source (DS:SI) uses: DS unless overridden.
  uint8_t stringSourceSeg() const { return seg_override == kNoSeg ? uint8_t{DS} : seg_override; }
  bool hasPrefix(uint16_t p) const { return (prefixes & p) != 0; }
};

}  // namespace sv
