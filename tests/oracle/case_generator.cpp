#include "tests/oracle/case_generator.h"

#include <cstring>

#include "cpu/cpu_state.h"
#include "tests/oracle/undefined_flags.h"
#include "tests/oracle/sse_forms.h"
#include "tests/oracle/x87_forms.h"

namespace sv::oracle {

namespace {

constexpr unsigned kEax = 0, kEcx = 1, kEdx = 2, kEbx = 3, kEsp = 4, kEbp = 5, kEsi = 6, kEdi = 7;

// Window offsets: memory operands land in the middle, the stack above, so
// that bit offsets, string runs and pushes stay inside the 256 bytes.
uint32_t memTarget(Rng& rng) { return 64 + static_cast<uint32_t>(rng() % 96); }

uint64_t sizeMask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

void setMem(Case& c, uint32_t t, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) c.mem[t + i] = static_cast<uint8_t>(value >> (8 * i));
}

// The r/m operand: a register, or memory at a random window offset.
// Returns the window offset, or ~0u for a register.
uint32_t rmOperand(InsnBuilder& b, unsigned reg_field, bool allow_reg = true, bool allow_mem = true) {
  if (allow_reg && (!allow_mem || b.rng() % 2)) {
    b.modrmReg(reg_field, b.pickReg());
    return ~0u;
  }
  uint32_t t = memTarget(b.rng);
  b.modrmMem(reg_field, t);
  return t;
}

unsigned byteOr(unsigned size, uint8_t byte_op) { return size == 1 ? byte_op : byte_op + 1; }
unsigned immSize(unsigned size) { return size == 8 ? 4 : size; }

// ---- families; each returns the compared-flags mask

// ADD OR ADC SBB AND SUB XOR CMP in their r/m,reg / reg,r/m / imm / acc forms.
uint32_t aluFamily(InsnBuilder& b) {
  const unsigned op = static_cast<unsigned>(b.rng() % 8);
  const FlagRule rule = (op == 1 || op == 4 || op == 6) ? FlagRule::Logic : FlagRule::AllDefined;
  const unsigned form = static_cast<unsigned>(b.rng() % 4);
  const bool lockable = op != 7;
  unsigned size = b.pickOperandSize(true);
  switch (form) {
    case 0: {  // op r/m, reg (LOCK with a memory destination)
      bool lock = lockable && b.rng() % 4 == 0;
      if (lock) b.prefix(0xF0);
      b.opcode({static_cast<uint8_t>(byteOr(size, static_cast<uint8_t>(op * 8)))});
      rmOperand(b, b.pickReg(), !lock);
      break;
    }
    case 1:  // op reg, r/m
      b.opcode({static_cast<uint8_t>(byteOr(size, static_cast<uint8_t>(op * 8 + 2)))});
      rmOperand(b, b.pickReg());
      break;
    case 2: {  // 80/81/83 (82, an alias of 80, is #UD in the host's 64-bit code)
      uint8_t opc = size == 1 ? 0x80 : (b.rng() % 2 ? 0x81 : 0x83);
      b.opcode({opc});
      rmOperand(b, op);
      b.imm(edgeValue(b.rng), opc == 0x81 ? immSize(size) : 1);
      break;
    }
    default:  // AL/eAX, imm
      b.opcode({static_cast<uint8_t>(byteOr(size, static_cast<uint8_t>(op * 8 + 4)))});
      b.imm(edgeValue(b.rng), immSize(size));
      break;
  }
  return comparedFlags(rule, size, 0);
}

// INC DEC NOT NEG TEST (INC/DEC 40-4F are REX prefixes in the host's 64-bit code).
uint32_t unaryFamily(InsnBuilder& b) {
  unsigned size = b.pickOperandSize(true);
  switch (b.rng() % 5) {
    case 0: {  // FE/FF /0 /1
      bool lock = b.rng() % 4 == 0;
      if (lock) b.prefix(0xF0);
      b.opcode({static_cast<uint8_t>(byteOr(size, 0xFE))});
      rmOperand(b, static_cast<unsigned>(b.rng() % 2), !lock);
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 1: {  // F6/F7 /2 NOT, /3 NEG
      bool lock = b.rng() % 4 == 0;
      if (lock) b.prefix(0xF0);
      b.opcode({static_cast<uint8_t>(byteOr(size, 0xF6))});
      rmOperand(b, 2 + static_cast<unsigned>(b.rng() % 2), !lock);
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 2:  // F6/F7 /0 TEST imm
      b.opcode({static_cast<uint8_t>(byteOr(size, 0xF6))});
      rmOperand(b, 0);
      b.imm(edgeValue(b.rng), immSize(size));
      return comparedFlags(FlagRule::Logic, size, 0);
    case 3:  // 84/85 TEST r/m, reg
      b.opcode({static_cast<uint8_t>(byteOr(size, 0x84))});
      rmOperand(b, b.pickReg());
      return comparedFlags(FlagRule::Logic, size, 0);
    default:  // A8/A9 TEST acc, imm
      b.opcode({static_cast<uint8_t>(byteOr(size, 0xA8))});
      b.imm(edgeValue(b.rng), immSize(size));
      return comparedFlags(FlagRule::Logic, size, 0);
  }
}

// MUL IMUL DIV IDIV (F6/F7 /4-/7), IMUL 0F AF / 69 / 6B. Dividends are
// mostly chosen so the quotient fits; the rest exercise #DE.
uint32_t mulDivFamily(InsnBuilder& b) {
  const unsigned kind = static_cast<unsigned>(b.rng() % 7);
  if (kind >= 4) {
    unsigned size = b.pickOperandSize(false);
    if (kind == 4) b.opcode({0x0F, 0xAF});
    else b.opcode({static_cast<uint8_t>(kind == 5 ? 0x69 : 0x6B)});
    rmOperand(b, b.pickReg());
    if (kind == 5) b.imm(edgeValue(b.rng), immSize(size));
    if (kind == 6) b.imm(edgeValue(b.rng), 1);
    return comparedFlags(FlagRule::Multiply, size, 0);
  }
  unsigned size = b.pickOperandSize(true);
  const bool divide = kind >= 2;
  // EAX/EDX hold the dividend: never a base register.
  b.reserve(kEax);
  b.reserve(kEdx);
  b.opcode({static_cast<uint8_t>(byteOr(size, 0xF6))});
  uint32_t t = rmOperand(b, 4 + kind);
  if (!divide) return comparedFlags(FlagRule::Multiply, size, 0);
  if (b.rng() % 8 != 0) {
    // Small high half: the quotient usually fits (a zero divisor still faults).
    uint64_t high = b.rng() % 4 == 0 ? 0 : (edgeValue(b.rng) & 0xFF);
    if (size == 1) b.c.gpr[kEax] = (b.c.gpr[kEax] & ~0xFF00ull) | (high << 8);
    else b.c.gpr[kEdx] = (b.c.gpr[kEdx] & ~sizeMask(size)) | (high & sizeMask(size));
    if (kind == 3 && b.rng() % 2) {  // IDIV: a negative dividend
      if (size == 1) b.c.gpr[kEax] |= 0xFF00;
      else b.c.gpr[kEdx] |= sizeMask(size);
    }
  }
  if (t != ~0u && b.rng() % 2) setMem(b.c, t, (edgeValue(b.rng) | 0x100) & sizeMask(size), size);
  return comparedFlags(FlagRule::Divide, size, 0);
}

// Shifts and rotates (C0/C1 imm8, D0/D1 by 1, D2/D3 by CL), counts up to 255.
uint32_t shiftFamily(InsnBuilder& b) {
  static const unsigned kOps[] = {0, 1, 2, 3, 4, 5, 7};  // ROL ROR RCL RCR SHL SHR SAR (/6 is an alias)
  const unsigned op = kOps[b.rng() % 7];
  const unsigned how = static_cast<unsigned>(b.rng() % 3);
  unsigned size = b.pickOperandSize(true);
  unsigned count = how == 1 ? 1 : static_cast<unsigned>(b.rng() % 4 ? b.rng() % 40 : b.rng() % 256);
  if (how == 2) b.fix(kEcx, (b.c.gpr[kEcx] & ~0xFFull) | count);
  b.opcode({static_cast<uint8_t>(byteOr(size, how == 0 ? 0xC0 : how == 1 ? 0xD0 : 0xD2))});
  rmOperand(b, op);
  if (how == 0) b.imm(count, 1);
  unsigned masked = count & (size == 8 ? 0x3F : 0x1F);
  return comparedFlags(op < 4 ? FlagRule::Rotate : FlagRule::Shift, size, masked);
}

// SHLD/SHRD by imm8 or CL. Counts above a 16-bit operand's width have
// undefined results and are not generated.
uint32_t doubleShiftFamily(InsnBuilder& b) {
  unsigned size = b.pickOperandSize(false);
  const bool right = b.rng() % 2, by_cl = b.rng() % 2;
  unsigned mask = size == 8 ? 0x3F : 0x1F;
  unsigned count;
  do count = static_cast<unsigned>(b.rng() % 4 ? b.rng() % 40 : b.rng() % 256);
  while (size == 2 && (count & mask) > 16);
  if (by_cl) b.fix(kEcx, (b.c.gpr[kEcx] & ~0xFFull) | count);
  b.opcode({0x0F, static_cast<uint8_t>((right ? 0xAC : 0xA4) + (by_cl ? 1 : 0))});
  rmOperand(b, b.pickReg());
  if (!by_cl) b.imm(count, 1);
  return comparedFlags(FlagRule::DoubleShift, size, count & mask);
}

// BT/BTS/BTR/BTC with a register or imm8 bit offset; memory forms with a
// register offset reach bytes around the operand (SDM Vol. 2A, BT).
uint32_t bitTestFamily(InsnBuilder& b) {
  unsigned size = b.pickOperandSize(false);
  const unsigned op = static_cast<unsigned>(b.rng() % 4);  // BT BTS BTR BTC
  const bool lock = op != 0 && b.rng() % 4 == 0;
  if (lock) b.prefix(0xF0);
  if (b.rng() % 2) {
    b.opcode({0x0F, 0xBA});
    rmOperand(b, 4 + op, !lock);
    b.imm(b.rng(), 1);
  } else {
    // The offset register must keep the access inside the window.
    unsigned reg;
    do reg = b.pickReg();
    while (reg == kEsp);
    int64_t offset = static_cast<int64_t>(b.rng() % 256) - 64;
    // A 16-bit offset ignores the register's upper bits: make them random.
    if (size == 2) b.fix(reg, (b.rng() << 16) | (static_cast<uint64_t>(offset) & 0xFFFF));
    else b.fix(reg, static_cast<uint64_t>(offset));
    b.opcode({0x0F, static_cast<uint8_t>(0xA3 + 8 * op)});
    rmOperand(b, reg, !lock);
  }
  return comparedFlags(FlagRule::BitTest, size, 0);
}

// BSF BSR (never with F3: that is TZCNT/LZCNT), POPCNT, BSWAP, MOVZX/MOVSX,
// CMOVcc, SETcc.
uint32_t bitScanAndMoveFamily(InsnBuilder& b) {
  switch (b.rng() % 6) {
    case 5: {  // POPCNT (CPUID.1:ECX.POPCNT): all six flags defined
      b.prefix(0xF3);
      unsigned size = b.pickOperandSize(false);
      b.opcode({0x0F, 0xB8});
      rmOperand(b, b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 0: {
      unsigned size = b.pickOperandSize(false);
      b.opcode({0x0F, static_cast<uint8_t>(0xBC + b.rng() % 2)});
      uint32_t t = rmOperand(b, b.pickReg());
      if (t != ~0u && b.rng() % 4 == 0) setMem(b.c, t, 0, size);
      return comparedFlags(FlagRule::BitScan, size, 0);
    }
    case 1: {  // BSWAP of a 16-bit register is undefined: 32/64 only
      if (b.is16()) b.prefix(0x66);
      if (b.is64() && b.rng() % 2) b.rexW();
      b.opcode({0x0F});
      b.opcodeWithReg(0xC8, b.pickReg());
      return comparedFlags(FlagRule::AllDefined, 4, 0);
    }
    case 2: {
      unsigned size = b.pickOperandSize(false);
      b.opcode({0x0F, static_cast<uint8_t>(0xB6 + 8 * (b.rng() % 2) + b.rng() % 2)});
      rmOperand(b, b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 3: {
      unsigned size = b.pickOperandSize(false);
      b.opcode({0x0F, static_cast<uint8_t>(0x40 + b.rng() % 16)});
      rmOperand(b, b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    default:
      b.opcode({0x0F, static_cast<uint8_t>(0x90 + b.rng() % 16)});
      rmOperand(b, 0);
      return comparedFlags(FlagRule::AllDefined, 1, 0);
  }
}

// MOV forms, LEA (any addressing, nothing accessed), XCHG, XADD, CMPXCHG, CMPXCHG8B.
uint32_t moveExchangeFamily(InsnBuilder& b) {
  switch (b.rng() % 8) {
    case 0: {  // 88-8B
      unsigned size = b.pickOperandSize(true);
      b.opcode({static_cast<uint8_t>(byteOr(size, static_cast<uint8_t>(0x88 + 2 * (b.rng() % 2))))});
      rmOperand(b, b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 1: {  // C6/C7, B0-BF
      unsigned size = b.pickOperandSize(true);
      if (b.rng() % 2) {
        b.opcode({static_cast<uint8_t>(byteOr(size, 0xC6))});
        rmOperand(b, 0);
        b.imm(edgeValue(b.rng), immSize(size));
      } else {
        b.opcodeWithReg(size == 1 ? 0xB0 : 0xB8, b.pickReg());
        b.imm(edgeValue(b.rng), size);
      }
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 2: {  // LEA
      unsigned size = b.pickOperandSize(false);
      b.opcode({0x8D});
      b.modrmFree(b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 3: {  // XCHG r/m, reg (implicitly locked with memory)
      unsigned size = b.pickOperandSize(true);
      bool lock = b.rng() % 4 == 0;
      if (lock) b.prefix(0xF0);
      b.opcode({static_cast<uint8_t>(byteOr(size, 0x86))});
      rmOperand(b, b.pickReg(), !lock);
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 4: {  // XCHG eAX, reg (90 itself is NOP)
      unsigned size = b.pickOperandSize(false);
      unsigned reg;
      do reg = b.pickReg();
      while (reg == 0);
      b.opcodeWithReg(0x90, reg);
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 5: {  // XADD
      unsigned size = b.pickOperandSize(true);
      bool lock = b.rng() % 3 == 0;
      if (lock) b.prefix(0xF0);
      b.opcode({0x0F, static_cast<uint8_t>(byteOr(size, 0xC0))});
      rmOperand(b, b.pickReg(), !lock);
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    case 6: {  // CMPXCHG: half the time the accumulator equals the operand
      unsigned size = b.pickOperandSize(true);
      bool lock = b.rng() % 3 == 0;
      if (lock) b.prefix(0xF0);
      b.reserve(kEax);
      b.opcode({0x0F, static_cast<uint8_t>(byteOr(size, 0xB0))});
      uint32_t t = rmOperand(b, b.pickReg(), !lock);
      if (t != ~0u && b.rng() % 2) {
        uint64_t v = 0;
        std::memcpy(&v, b.c.mem + t, size);
        b.c.gpr[kEax] = (b.c.gpr[kEax] & ~sizeMask(size)) | v;
      }
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    default: {  // CMPXCHG8B m64: half the time EDX:EAX equals it
      if (b.rng() % 3 == 0) b.prefix(0xF0);
      b.reserve(kEax);
      b.reserve(kEdx);
      b.opcode({0x0F, 0xC7});
      uint32_t t = memTarget(b.rng);
      b.modrmMem(1, t);
      if (b.rng() % 2) {
        uint32_t lo, hi;
        std::memcpy(&lo, b.c.mem + t, 4);
        std::memcpy(&hi, b.c.mem + t + 4, 4);
        b.c.gpr[kEax] = lo;
        b.c.gpr[kEdx] = hi;
      }
      return comparedFlags(FlagRule::AllDefined, 8, 0);
    }
  }
}

// MOVS CMPS STOS LODS SCAS with small counts, REP/REPE/REPNE, both directions.
uint32_t stringFamily(InsnBuilder& b) {
  const unsigned op = static_cast<unsigned>(b.rng() % 5);  // MOVS CMPS STOS LODS SCAS
  static const uint8_t kOpcode[] = {0xA4, 0xA6, 0xAA, 0xAC, 0xAE};
  const bool compares = op == 1 || op == 4;
  unsigned rep = static_cast<unsigned>(b.rng() % 3);  // none, F3, F2 (compares only)
  if (rep == 2 && !compares) rep = 1;
  if (rep == 1) b.prefix(0xF3);
  if (rep == 2) b.prefix(0xF2);
  if (op != 2 && op != 4 && b.rng() % 4 == 0) b.prefix(static_cast<uint8_t>(b.rng() % 2 ? 0x26 : 0x36));  // ES:/SS: source
  unsigned size = b.pickOperandSize(true);
  b.opcode({static_cast<uint8_t>(byteOr(size, kOpcode[op]))});
  b.fix(kEsi, b.windowAddress(96 + static_cast<uint32_t>(b.rng() % 64)));
  b.fix(kEdi, b.windowAddress(96 + static_cast<uint32_t>(b.rng() % 64)));
  b.fix(kEcx, b.rng() % 7);
  if (compares && b.rng() % 2) std::memcpy(b.c.mem + 160, b.c.mem + 96, 32);  // runs of equal data
  return comparedFlags(FlagRule::AllDefined, size, 0);
}

// PUSH/POP in every form, PUSHF/POPF, ENTER, LEAVE. 16/32-bit code gets the
// 16-bit operand size only: 32-bit pushes have no 64-bit equivalent, while
// 16-bit ones move the same bytes at the same (32-bit) stack address.
uint32_t stackFamily(InsnBuilder& b) {
  b.placeStack(96 + 4 * static_cast<uint32_t>(b.rng() % 16));
  unsigned size = 2;
  if (b.is64()) size = b.pickOperandSize(false, false) == 2 ? 2 : 8;  // 64-bit stack operations are 64 or 16 bits
  else if (!b.is16()) b.prefix(0x66);
  switch (b.rng() % 10) {
    case 8:  // ENTER: nesting levels copy frame pointers from below EBP (level mod 32)
      b.opcode({0xC8});
      b.imm(b.rng() % 64, 2);
      b.imm(b.rng() % 8 == 0 ? 32 + b.rng() % 3 : b.rng() % 5, 1);
      b.fix(kEbp, b.windowAddress(160 + 4 * static_cast<uint32_t>(b.rng() % 16)));
      break;
    case 0: b.opcodeWithReg(0x50, b.pickReg()); break;
    case 1: b.opcodeWithReg(0x58, b.pickReg()); break;
    case 2:
      b.opcode({0x68});
      b.imm(edgeValue(b.rng), immSize(size));
      break;
    case 3:
      b.opcode({0x6A});
      b.imm(b.rng(), 1);
      break;
    case 4:
      b.opcode({0xFF});
      rmOperand(b, 6);
      break;
    case 5:  // POP r/m: ESP is never a base (SDM: POP computes it after the increment)
      b.esp_base_ok = false;
      b.opcode({0x8F});
      rmOperand(b, 0);
      break;
    case 6: {
      b.opcode({0x9C});
      break;
    }
    case 7: {  // POPF: TF, NT and AC would disturb the harness, not the instruction
      b.opcode({0x9D});
      uint32_t image = static_cast<uint32_t>(b.rng()) & ~static_cast<uint32_t>(flag::TF | flag::NT | flag::AC);
      uint32_t sp = static_cast<uint32_t>(b.c.gpr[kEsp] - kDataBase - kWindowOffset);
      setMem(b.c, sp, image, 4);
      break;
    }
    default:  // LEAVE: EBP points into the window
      b.opcode({0xC9});
      b.placeStack(64);
      b.fix(kEbp, b.windowAddress(96 + 4 * static_cast<uint32_t>(b.rng() % 16)));
      break;
  }
  return comparedFlags(FlagRule::AllDefined, size, 0);
}

// Flag and accumulator instructions, XLAT, and invalid encodings (UD2,
// LOCK on a register form). BCD and SALC are #UD in the host's 64-bit code.
uint32_t miscFamily(InsnBuilder& b) {
  unsigned size = b.pickOperandSize(false);
  static const uint8_t kSimple[] = {0x9E, 0x9F, 0x98, 0x99, 0xF8, 0xF9, 0xF5, 0xFC, 0xFD, 0x90};
  const unsigned kind = static_cast<unsigned>(b.rng() % 4);
  switch (kind) {
    case 0: {  // XLAT: [eBX + AL]
      const uint32_t al = static_cast<uint32_t>(b.rng() % 64), t = 64 + static_cast<uint32_t>(b.rng() % 64);
      b.fix(kEax, (b.c.gpr[kEax] & ~0xFFull) | al);
      b.fix(kEbx, b.windowAddress(t) - al);
      b.opcode({0xD7});
      return comparedFlags(FlagRule::AllDefined, 1, 0);
    }
    case 1:  // UD2
      b.opcode({0x0F, 0x0B});
      return comparedFlags(FlagRule::AllDefined, size, 0);
    case 2: {  // LOCK on a register destination: #UD
      b.prefix(0xF0);
      b.opcode({static_cast<uint8_t>(byteOr(size, static_cast<uint8_t>(8 * (b.rng() % 7))))});
      b.modrmReg(b.pickReg(), b.pickReg());
      return comparedFlags(FlagRule::AllDefined, size, 0);
    }
    default:
      b.opcode({kSimple[b.rng() % (sizeof kSimple)]});
      return comparedFlags(FlagRule::AllDefined, size, 0);
  }
}

using Family = uint32_t (*)(InsnBuilder&);
struct WeightedFamily {
  Family family;
  unsigned weight;
};
constexpr WeightedFamily kFamilies[] = {
    {aluFamily, 6},    {unaryFamily, 3},  {mulDivFamily, 3}, {shiftFamily, 5},
    {doubleShiftFamily, 2}, {bitTestFamily, 2}, {bitScanAndMoveFamily, 3}, {moveExchangeFamily, 4},
    {stringFamily, 3}, {stackFamily, 3},  {miscFamily, 2}, {x87Family, 6}, {sseFamily, 8},
};

Family pickFamily(Rng& rng) {
  unsigned total = 0;
  for (const auto& f : kFamilies) total += f.weight;
  unsigned r = static_cast<unsigned>(rng() % total);
  for (const auto& f : kFamilies) {
    if (r < f.weight) return f.family;
    r -= f.weight;
  }
  return kFamilies[0].family;
}

}  // namespace

void generateCase(Rng& rng, Mode mode, Case& c) {
  for (;;) {
    c = Case{};
    c.mode = mode;
    for (auto& byte : c.mem) byte = static_cast<uint8_t>(rng() % 4 == 0 ? edgeValue(rng) : rng());
    // Arithmetic flags and DF at random; IF is always set in user mode.
    c.flags = static_cast<uint32_t>(rng() & (flag::ARITH | flag::DF)) | flag::FIXED1 | flag::IF;
    InsnBuilder b(rng, c);
    b.placeStack(128 + 4 * static_cast<uint32_t>(rng() % 16));
    c.flag_mask = pickFamily(rng)(b);
    if (b.finish()) return;
  }
}

}  // namespace sv::oracle
