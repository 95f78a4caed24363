#include "tests/conformance/exclusions.h"

#include <array>

namespace sv::conformance {

namespace {

// ---------------------------------------------------------------- decoding

bool isPrefix(uint8_t b) {
  switch (b) {
    case 0x26: case 0x2E: case 0x36: case 0x3E:  // segment overrides
    case 0xF0: case 0xF2: case 0xF3:             // LOCK, REPNE, REP
      return true;
    default:
      return false;
  }
}

uint8_t defaultOr(int seg_override, uint8_t fallback) {
  return seg_override >= 0 ? static_cast<uint8_t>(seg_override) : fallback;
}

int segmentOfPrefix(uint8_t b) {
  switch (b) {
    case 0x26: return kES;
    case 0x2E: return kCS;
    case 0x36: return kSS;
    case 0x3E: return kDS;
    default: return -1;
  }
}

bool hasModrm(uint8_t op, SuiteCpu cpu) {
  // On the 8086, 60-6F alias the conditional jumps and C0/C1 alias RET.
  if (cpu == SuiteCpu::i8086 && ((op >= 0x60 && op <= 0x6F) || op == 0xC0 || op == 0xC1)) return false;
  if (op < 0x40) return (op & 7) < 4;
  if (op == 0x62 || op == 0x63 || op == 0x69 || op == 0x6B) return true;
  if (op >= 0x80 && op <= 0x8F) return true;
  if (op == 0xC0 || op == 0xC1 || (op >= 0xC4 && op <= 0xC7)) return true;
  if ((op >= 0xD0 && op <= 0xD3) || (op >= 0xD8 && op <= 0xDF)) return true;
  return op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF;
}

// Memory operand width of x87 escapes, by opcode and reg field.
unsigned x87OperandSize(uint8_t op, uint8_t reg) {
  static constexpr std::array<std::array<uint8_t, 8>, 8> kSize = {{
      {4, 4, 4, 4, 4, 4, 4, 4},       // D8: m32real
      {4, 0, 4, 4, 14, 2, 14, 2},     // D9: FLD/FST m32, FLDENV, FLDCW, FSTENV, FSTCW
      {4, 4, 4, 4, 4, 4, 4, 4},       // DA: m32int
      {4, 4, 4, 4, 0, 10, 0, 10},     // DB: m32int, FLD/FSTP m80
      {8, 8, 8, 8, 8, 8, 8, 8},       // DC: m64real
      {8, 8, 8, 8, 94, 0, 94, 2},     // DD: m64, FRSTOR, FSAVE, FSTSW
      {2, 2, 2, 2, 2, 2, 2, 2},       // DE: m16int
      {2, 2, 2, 2, 10, 8, 10, 8},     // DF: m16int, FBLD, m64int, FBSTP, m64int
  }};
  return kSize[op - 0xD8][reg];
}

// Bytes read or written through the ModRM memory operand.
unsigned modrmOperandSize(uint8_t op, uint8_t reg) {
  if (op < 0x40) return (op & 1) ? 2 : 1;
  if (op >= 0xD8 && op <= 0xDF) return x87OperandSize(op, reg);
  switch (op) {
    case 0x62: case 0xC4: case 0xC5: return 4;  // BOUND, LES, LDS: two words
    case 0x8D: return 0;                        // LEA computes, never accesses
    case 0x80: case 0x82: case 0xC0: case 0xC6: case 0xD0: case 0xD2: case 0xF6: case 0xFE: return 1;
    case 0x84: case 0x86: case 0x88: case 0x8A: return 1;
    case 0xFF: return (reg == 3 || reg == 5) ? 4 : 2;  // far CALL/JMP read a far pointer
    default: return 2;
  }
}

uint8_t byteAt(const MooTest& t, size_t i) { return i < t.bytes.size() ? t.bytes[i] : 0; }

void decodeModrmOperand(const MooTest& t, size_t at, InsnProbe& p) {
  uint8_t modrm = byteAt(t, at);
  p.has_modrm = true;
  p.mod = modrm >> 6;
  p.reg = (modrm >> 3) & 7;
  p.rm = modrm & 7;
  if (p.mod == 3) return;
  const auto& r = t.init.regs.value;
  static constexpr std::array<std::array<int8_t, 2>, 8> kBaseIndex = {{
      {kBX, kSI}, {kBX, kDI}, {kBP, kSI}, {kBP, kDI}, {kSI, -1}, {kDI, -1}, {kBP, -1}, {kBX, -1}}};
  uint16_t ea = 0;
  bool bp_based = p.rm == 2 || p.rm == 3 || p.rm == 6;
  if (p.mod == 0 && p.rm == 6) {
    ea = static_cast<uint16_t>(byteAt(t, at + 1) | byteAt(t, at + 2) << 8);
    bp_based = false;
  } else {
    for (int8_t reg : kBaseIndex[p.rm])
      if (reg >= 0) ea = static_cast<uint16_t>(ea + r[reg]);
    if (p.mod == 1) ea = static_cast<uint16_t>(ea + static_cast<int8_t>(byteAt(t, at + 1)));
    if (p.mod == 2) ea = static_cast<uint16_t>(ea + (byteAt(t, at + 1) | byteAt(t, at + 2) << 8));
  }
  p.mem = true;
  p.ea = ea;
  p.ea_seg = defaultOr(p.seg_override, bp_based ? kSS : kDS);
  p.mem_size = modrmOperandSize(p.opcode, p.reg);
}

// ---------------------------------------------------------------- predicates

bool exceptionIs(const MooTest& t, uint8_t vector) { return t.has_exception && t.exception == vector; }

bool longerThanTenBytes(const ExclusionContext& c) { return c.insn.length > 10; }

// The one-byte opcodes that accept LOCK on 386 and later, when their
// destination is memory (SDM Vol. 2, LOCK).
bool lockable(const InsnProbe& p) {
  if (!p.has_modrm || p.mod == 3) return false;
  uint8_t op = p.opcode;
  if (op < 0x40) return (op & 7) < 2 && (op >> 3) != 7;  // ADD OR ADC SBB AND SUB XOR r/m, r (not CMP)
  if (op >= 0x80 && op <= 0x83) return p.reg != 7;      // group 1 except CMP
  if (op == 0x86 || op == 0x87) return true;            // XCHG
  if (op == 0xF6 || op == 0xF7) return p.reg == 2 || p.reg == 3;  // NOT, NEG
  if (op == 0xFE || op == 0xFF) return p.reg == 0 || p.reg == 1;  // INC, DEC
  return false;
}

// When the 286 itself raised #UD the results agree: LOCK #UD is #UD too.
bool lockOnUnlockable(const ExclusionContext& c) {
  return c.insn.lock && !lockable(c.insn) && !exceptionIs(c.test, 6);
}

bool movSregFsGs(const ExclusionContext& c) {
  return (c.insn.opcode == 0x8C || c.insn.opcode == 0x8E) && (c.insn.reg == 4 || c.insn.reg == 5);
}

// Bytes an instruction pops from SS:SP before anything else it does.
unsigned stackPopBytes(const InsnProbe& p) {
  switch (p.opcode) {
    case 0x07: case 0x17: case 0x1F: case 0x9D: case 0xC2: case 0xC3: return 2;
    case 0x61: return 16;       // POPA
    case 0x8F: return p.reg == 0 ? 2 : 0;
    case 0xCA: case 0xCB: return 4;
    case 0xCF: return 6;        // IRET
    default: return (p.opcode >= 0x58 && p.opcode <= 0x5F) ? 2 : 0;
  }
}

// Real-mode word accesses wrap SP modulo 64 KiB; only a word at FFFF crosses
// the limit.
bool stackPopCrossesLimit(const ExclusionContext& c) {
  uint16_t sp = c.test.init.regs.value[kSP];
  unsigned words = stackPopBytes(c.insn) / 2;
  for (unsigned k = 0; k < words; ++k)
    if (static_cast<uint16_t>(sp + 2 * k) == 0xFFFF) return true;
  return false;
}

bool stringSourceCrossesSsLimit(const ExclusionContext& c) {
  const InsnProbe& p = c.insn;
  bool word_source = p.opcode == 0xA5 || p.opcode == 0xA7 || p.opcode == 0xAD || p.opcode == 0x6F;
  if (!word_source || p.seg_override != kSS) return false;
  const auto& r = c.test.init.regs.value;
  unsigned count = p.rep ? r[kCX] : 1;
  int step = (r[kFlags] & 0x400) ? -2 : 2;  // DF
  for (unsigned k = 0; k < count; ++k)
    if (static_cast<uint16_t>(r[kSI] + static_cast<int>(k) * step) == 0xFFFF) return true;
  return false;
}

bool operandCrossesSsLimit(const ExclusionContext& c) {
  const InsnProbe& p = c.insn;
  return p.mem && p.ea_seg == kSS && p.mem_size > 1 && p.ea + p.mem_size - 1 > 0xFFFF;
}

// The 286 reports every real-mode segment overrun as #GP; later CPUs report
// the ones through SS as #SS. Only tests where the 286 did raise #GP count.
bool ssOverrunAsGp(const ExclusionContext& c) {
  if (!exceptionIs(c.test, 13)) return false;
  bool leave_reads_ffff = c.insn.opcode == 0xC9 && c.test.init.regs.value[kBP] == 0xFFFF;
  return stackPopCrossesLimit(c) || leave_reads_ffff || operandCrossesSsLimit(c) || stringSourceCrossesSsLimit(c);
}

bool popfOrIret(const ExclusionContext& c) { return c.insn.opcode == 0x9D || c.insn.opcode == 0xCF; }

bool isStringInstruction(uint8_t op) {
  return (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF);
}

bool stringFaultedOnLimit(const ExclusionContext& c) {
  return isStringInstruction(c.insn.opcode) && !c.insn.rep && exceptionIs(c.test, 13);
}

bool repStringFaultedOnLimit(const ExclusionContext& c) {
  return isStringInstruction(c.insn.opcode) && c.insn.rep && exceptionIs(c.test, 13);
}

bool popToMemoryFaulted(const ExclusionContext& c) { return c.insn.opcode == 0x8F && exceptionIs(c.test, 13); }

bool aamZero(const ExclusionContext& c) { return c.insn.opcode == 0xD4 && c.insn.after_opcode == 0; }

constexpr uint16_t kIoplNt = 0x7000;
constexpr uint16_t kSfZfPf = 0x00C4;
constexpr uint16_t kSiDi = 1u << kSI | 1u << kDI;
constexpr uint16_t kSiDiCx = kSiDi | 1u << kCX;

using Effect = Exclusion::Effect;
constexpr SuiteCpu k286 = SuiteCpu::i80286;

constexpr Exclusion kExclusions[] = {
    {"insn-longer-than-10",
     "instruction longer than 10 bytes: the 286 raises #GP(13) past 10 bytes, 386 and later accept up to 15",
     k286, Effect::Skip, 0, 0, longerThanTenBytes},
    {"mov-sreg-4-5",
     "MOV to/from segment register 4 or 5: #UD on the 286, which has no FS/GS; MOV FS/GS on 386 and later",
     k286, Effect::Skip, 0, 0, movSregFsGs},
    {"ss-overrun-gp",
     "SS-relative access past offset FFFFh: the 286 raises #GP(13) in real mode, 386 and later raise #SS(12)",
     k286, Effect::Skip, 0, 0, ssOverrunAsGp},
    {"pop-rm-fault-sp",
     "POP r/m16 faulting on its memory write: the 286 has already incremented SP (its exception frame sits 2 bytes "
     "higher); a modern x86 fault leaves SP as before the instruction",
     k286, Effect::Skip, 0, 0, popToMemoryFaulted},
    {"lock-not-lockable",
     "LOCK on an instruction that is not a read-modify-write of memory: the 286 ignores it, 386 and later raise "
     "#UD (run with LOCK replaced by a redundant segment prefix, which is what the 286 executed)",
     k286, Effect::NeutralizeLock, 0, 0, lockOnUnlockable},
    {"popf-iret-iopl-nt",
     "POPF/IRET in real mode: the 286 keeps IOPL and NT clear, 386 and later load them (FLAGS bits 12-14 not "
     "compared)",
     k286, Effect::Relax, kIoplNt, 0, popfOrIret},
    {"string-fault-si-di",
     "string instruction faulting at offset FFFFh: the 286 has already advanced SI/DI; a modern x86 fault leaves "
     "them as before the faulting iteration (SI, DI not compared)",
     k286, Effect::Relax, 0, kSiDi, stringFaultedOnLimit},
    {"rep-string-fault",
     "REP string instruction faulting at offset FFFFh: the 286 has already advanced SI/DI and decremented CX for "
     "the faulting iteration; a modern x86 fault leaves them as before that iteration (SI, DI, CX not compared)",
     k286, Effect::Relax, 0, kSiDiCx, repStringFaultedOnLimit},
    {"aam-0-flags",
     "AAM 0: the 286 sets SF/ZF/PF before raising #DE; a modern x86 fault leaves FLAGS as before the instruction "
     "(SF, ZF, PF not compared)",
     k286, Effect::Relax, kSfZfPf, 0, aamZero},
};

static_assert(std::size(kExclusions) <= 32, "ExclusionVerdict::relaxed holds one bit per entry");

}  // namespace

InsnProbe probeInstruction(const MooTest& test, SuiteCpu cpu) {
  InsnProbe p;
  size_t n = test.bytes.size();
  // 286 tests end with the HLT that stops the test; it is not part of the instruction.
  bool trailing_hlt = cpu == SuiteCpu::i80286 && n > 1 && test.bytes.back() == 0xF4;
  p.length = static_cast<unsigned>(trailing_hlt ? n - 1 : n);
  size_t i = 0;
  while (i + 1 < n && i < 16 && isPrefix(test.bytes[i])) {
    uint8_t b = test.bytes[i++];
    ++p.prefixes;
    if (b == 0xF0) {
      p.lock = true;
      p.lock_positions = static_cast<uint16_t>(p.lock_positions | 1u << (i - 1));
    }
    else if (b == 0xF2 || b == 0xF3) p.rep = true;
    else p.seg_override = segmentOfPrefix(b);
  }
  p.opcode = byteAt(test, i);
  p.after_opcode = byteAt(test, i + 1);
  if (hasModrm(p.opcode, cpu)) {
    decodeModrmOperand(test, i + 1, p);
  } else if (p.opcode >= 0xA0 && p.opcode <= 0xA3) {  // MOV AL/AX <-> [moffs16]
    p.mem = true;
    p.ea = static_cast<uint16_t>(byteAt(test, i + 1) | byteAt(test, i + 2) << 8);
    p.ea_seg = defaultOr(p.seg_override, kDS);
    p.mem_size = (p.opcode & 1) ? 2 : 1;
  }
  return p;
}

uint8_t neutralSegmentPrefix(const InsnProbe& insn) {
  static constexpr uint8_t kPrefixOf[] = {0, 0, 0, 0, 0x2E, 0x36, 0x3E, 0x26};  // indexed by MooReg kCS..kES
  // The last override wins on every x86, so repeating the segment in effect
  // (or the operand's default one) anywhere among the prefixes is a no-op;
  // instructions without an overridable operand ignore segment prefixes.
  uint8_t seg = insn.mem ? insn.ea_seg : defaultOr(insn.seg_override, kDS);
  return kPrefixOf[seg];
}

std::span<const Exclusion> exclusionList() { return kExclusions; }

ExclusionVerdict classify(const ExclusionContext& ctx, SuiteCpu cpu) {
  ExclusionVerdict v;
  for (size_t i = 0; i < std::size(kExclusions); ++i) {
    const Exclusion& e = kExclusions[i];
    if (e.cpu != cpu || !e.applies(ctx)) continue;
    if (e.effect == Exclusion::Effect::Skip) {
      v.skip = static_cast<int>(i);
      return v;
    }
    v.relaxed |= 1u << i;
    v.ignored_flags |= e.ignored_flags;
    v.ignored_regs |= e.ignored_regs;
    v.neutralize_lock |= e.effect == Exclusion::Effect::NeutralizeLock;
  }
  return v;
}

}  // namespace sv::conformance
