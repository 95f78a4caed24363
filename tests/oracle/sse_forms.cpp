#include "tests/oracle/sse_forms.h"

#include "tests/oracle/undefined_flags.h"

namespace sv::oracle {

namespace {

// How the ModRM operands are used.
enum Kind : uint8_t {
  XX,        // xmm, xmm/m
  XMemOnly,  // xmm, m
  MX,        // xmm/m, xmm (stores)
  GX,        // r32, xmm (register source only)
  GM,        // r32, xmm/m
  XG,        // xmm, r/m32
  EX,        // r/m32, xmm
  Shift,     // xmm (rm), imm8 with a fixed reg field
  GG,        // r, r/m with an operand size (CRC32, LZCNT)
};
enum Map : uint8_t { M0F, M38, M3A };

struct SseForm {
  uint8_t prefix;  // 0, 0x66, 0xF2, 0xF3
  Map map;
  uint8_t opcode;
  Kind kind;
  uint8_t bytes;   // memory operand size
  bool imm;
  uint8_t reg_field = 0;  // Shift only
};

constexpr uint8_t N = 0, P66 = 0x66, F2 = 0xF2, F3 = 0xF3;

const SseForm kForms[] = {
    // SSE/SSE2 floating point: packed and scalar arithmetic, min/max, sqrt
    {N, M0F, 0x58, XX, 16, false}, {P66, M0F, 0x58, XX, 16, false}, {F3, M0F, 0x58, XX, 4, false}, {F2, M0F, 0x58, XX, 8, false},
    {N, M0F, 0x59, XX, 16, false}, {P66, M0F, 0x59, XX, 16, false}, {F3, M0F, 0x59, XX, 4, false}, {F2, M0F, 0x59, XX, 8, false},
    {N, M0F, 0x5C, XX, 16, false}, {P66, M0F, 0x5C, XX, 16, false}, {F3, M0F, 0x5C, XX, 4, false}, {F2, M0F, 0x5C, XX, 8, false},
    {N, M0F, 0x5E, XX, 16, false}, {P66, M0F, 0x5E, XX, 16, false}, {F3, M0F, 0x5E, XX, 4, false}, {F2, M0F, 0x5E, XX, 8, false},
    {N, M0F, 0x5D, XX, 16, false}, {P66, M0F, 0x5D, XX, 16, false}, {F3, M0F, 0x5D, XX, 4, false}, {F2, M0F, 0x5D, XX, 8, false},
    {N, M0F, 0x5F, XX, 16, false}, {P66, M0F, 0x5F, XX, 16, false}, {F3, M0F, 0x5F, XX, 4, false}, {F2, M0F, 0x5F, XX, 8, false},
    {N, M0F, 0x51, XX, 16, false}, {P66, M0F, 0x51, XX, 16, false}, {F3, M0F, 0x51, XX, 4, false}, {F2, M0F, 0x51, XX, 8, false},
    {N, M0F, 0xC2, XX, 16, true},  {P66, M0F, 0xC2, XX, 16, true},  {F3, M0F, 0xC2, XX, 4, true},  {F2, M0F, 0xC2, XX, 8, true},
    {N, M0F, 0x54, XX, 16, false}, {P66, M0F, 0x55, XX, 16, false}, {N, M0F, 0x56, XX, 16, false}, {P66, M0F, 0x57, XX, 16, false},
    {N, M0F, 0x14, XX, 16, false}, {P66, M0F, 0x15, XX, 16, false}, {N, M0F, 0xC6, XX, 16, true},  {P66, M0F, 0xC6, XX, 16, true},
    {N, M0F, 0x2E, XX, 4, false},  {P66, M0F, 0x2F, XX, 8, false},  // UCOMISS, COMISD -> EFLAGS
    // conversions
    {N, M0F, 0x5A, XX, 8, false},  {P66, M0F, 0x5A, XX, 16, false}, {F3, M0F, 0x5A, XX, 4, false}, {F2, M0F, 0x5A, XX, 8, false},
    {N, M0F, 0x5B, XX, 16, false}, {P66, M0F, 0x5B, XX, 16, false}, {F3, M0F, 0x5B, XX, 16, false},
    {P66, M0F, 0xE6, XX, 16, false}, {F3, M0F, 0xE6, XX, 8, false}, {F2, M0F, 0xE6, XX, 16, false},
    {F3, M0F, 0x2A, XG, 4, false}, {F2, M0F, 0x2A, XG, 4, false},
    {F3, M0F, 0x2C, GM, 4, false}, {F3, M0F, 0x2D, GM, 4, false}, {F2, M0F, 0x2C, GM, 8, false}, {F2, M0F, 0x2D, GM, 8, false},
    // moves
    {N, M0F, 0x10, XX, 16, false}, {F3, M0F, 0x10, XX, 4, false}, {F2, M0F, 0x10, XX, 8, false}, {P66, M0F, 0x6F, XX, 16, false},
    {F3, M0F, 0x6F, XX, 16, false}, {N, M0F, 0x29, MX, 16, false}, {F3, M0F, 0x11, MX, 4, false}, {F2, M0F, 0x11, MX, 8, false},
    {P66, M0F, 0x7F, MX, 16, false}, {F3, M0F, 0x7F, MX, 16, false}, {P66, M0F, 0xD6, MX, 8, false}, {F3, M0F, 0x7E, XX, 8, false},
    {P66, M0F, 0x6E, XG, 4, false}, {P66, M0F, 0x7E, EX, 4, false}, {N, M0F, 0x50, GX, 16, false}, {P66, M0F, 0xD7, GX, 16, false},
    {N, M0F, 0x12, XMemOnly, 8, false}, {P66, M0F, 0x16, XMemOnly, 8, false}, {N, M0F, 0x16, XX, 8, false},
    // SSE2 integer
    {P66, M0F, 0xFC, XX, 16, false}, {P66, M0F, 0xFD, XX, 16, false}, {P66, M0F, 0xFE, XX, 16, false}, {P66, M0F, 0xD4, XX, 16, false},
    {P66, M0F, 0xF8, XX, 16, false}, {P66, M0F, 0xF9, XX, 16, false}, {P66, M0F, 0xFA, XX, 16, false}, {P66, M0F, 0xFB, XX, 16, false},
    {P66, M0F, 0xEC, XX, 16, false}, {P66, M0F, 0xED, XX, 16, false}, {P66, M0F, 0xDC, XX, 16, false}, {P66, M0F, 0xDD, XX, 16, false},
    {P66, M0F, 0xE8, XX, 16, false}, {P66, M0F, 0xE9, XX, 16, false}, {P66, M0F, 0xD8, XX, 16, false}, {P66, M0F, 0xD9, XX, 16, false},
    {P66, M0F, 0xD5, XX, 16, false}, {P66, M0F, 0xE5, XX, 16, false}, {P66, M0F, 0xE4, XX, 16, false}, {P66, M0F, 0xF4, XX, 16, false},
    {P66, M0F, 0xF5, XX, 16, false}, {P66, M0F, 0xDB, XX, 16, false}, {P66, M0F, 0xDF, XX, 16, false}, {P66, M0F, 0xEB, XX, 16, false},
    {P66, M0F, 0xEF, XX, 16, false}, {P66, M0F, 0x74, XX, 16, false}, {P66, M0F, 0x75, XX, 16, false}, {P66, M0F, 0x76, XX, 16, false},
    {P66, M0F, 0x64, XX, 16, false}, {P66, M0F, 0x65, XX, 16, false}, {P66, M0F, 0x66, XX, 16, false}, {P66, M0F, 0x60, XX, 16, false},
    {P66, M0F, 0x61, XX, 16, false}, {P66, M0F, 0x62, XX, 16, false}, {P66, M0F, 0x68, XX, 16, false}, {P66, M0F, 0x69, XX, 16, false},
    {P66, M0F, 0x6A, XX, 16, false}, {P66, M0F, 0x6C, XX, 16, false}, {P66, M0F, 0x6D, XX, 16, false}, {P66, M0F, 0x63, XX, 16, false},
    {P66, M0F, 0x6B, XX, 16, false}, {P66, M0F, 0x67, XX, 16, false}, {P66, M0F, 0xD1, XX, 16, false}, {P66, M0F, 0xD2, XX, 16, false},
    {P66, M0F, 0xD3, XX, 16, false}, {P66, M0F, 0xE1, XX, 16, false}, {P66, M0F, 0xE2, XX, 16, false}, {P66, M0F, 0xF1, XX, 16, false},
    {P66, M0F, 0xF2, XX, 16, false}, {P66, M0F, 0xF3, XX, 16, false}, {P66, M0F, 0xE0, XX, 16, false}, {P66, M0F, 0xE3, XX, 16, false},
    {P66, M0F, 0xDA, XX, 16, false}, {P66, M0F, 0xDE, XX, 16, false}, {P66, M0F, 0xEA, XX, 16, false}, {P66, M0F, 0xEE, XX, 16, false},
    {P66, M0F, 0xF6, XX, 16, false}, {P66, M0F, 0x70, XX, 16, true},  {F3, M0F, 0x70, XX, 16, true},  {F2, M0F, 0x70, XX, 16, true},
    {P66, M0F, 0xC5, GX, 16, true},  {P66, M0F, 0xC4, XG, 2, true},
    {P66, M0F, 0x71, Shift, 16, true, 2}, {P66, M0F, 0x71, Shift, 16, true, 4}, {P66, M0F, 0x71, Shift, 16, true, 6},
    {P66, M0F, 0x72, Shift, 16, true, 2}, {P66, M0F, 0x72, Shift, 16, true, 4}, {P66, M0F, 0x72, Shift, 16, true, 6},
    {P66, M0F, 0x73, Shift, 16, true, 2}, {P66, M0F, 0x73, Shift, 16, true, 3}, {P66, M0F, 0x73, Shift, 16, true, 6},
    {P66, M0F, 0x73, Shift, 16, true, 7},
    // SSE3
    {F2, M0F, 0x7C, XX, 16, false}, {P66, M0F, 0x7C, XX, 16, false}, {F2, M0F, 0x7D, XX, 16, false}, {P66, M0F, 0x7D, XX, 16, false},
    {F2, M0F, 0xD0, XX, 16, false}, {P66, M0F, 0xD0, XX, 16, false}, {F3, M0F, 0x16, XX, 16, false}, {F3, M0F, 0x12, XX, 16, false},
    {F2, M0F, 0x12, XX, 8, false},
    // SSSE3
    {P66, M38, 0x00, XX, 16, false}, {P66, M38, 0x01, XX, 16, false}, {P66, M38, 0x02, XX, 16, false}, {P66, M38, 0x03, XX, 16, false},
    {P66, M38, 0x04, XX, 16, false}, {P66, M38, 0x05, XX, 16, false}, {P66, M38, 0x06, XX, 16, false}, {P66, M38, 0x07, XX, 16, false},
    {P66, M38, 0x08, XX, 16, false}, {P66, M38, 0x09, XX, 16, false}, {P66, M38, 0x0A, XX, 16, false}, {P66, M38, 0x0B, XX, 16, false},
    {P66, M38, 0x1C, XX, 16, false}, {P66, M38, 0x1D, XX, 16, false}, {P66, M38, 0x1E, XX, 16, false}, {P66, M3A, 0x0F, XX, 16, true},
    // SSE4.1
    {P66, M38, 0x10, XX, 16, false}, {P66, M38, 0x14, XX, 16, false}, {P66, M38, 0x15, XX, 16, false}, {P66, M38, 0x17, XX, 16, false},
    {P66, M38, 0x20, XX, 8, false},  {P66, M38, 0x21, XX, 4, false},  {P66, M38, 0x22, XX, 2, false},  {P66, M38, 0x23, XX, 8, false},
    {P66, M38, 0x24, XX, 4, false},  {P66, M38, 0x25, XX, 8, false},  {P66, M38, 0x30, XX, 8, false},  {P66, M38, 0x31, XX, 4, false},
    {P66, M38, 0x32, XX, 2, false},  {P66, M38, 0x33, XX, 8, false},  {P66, M38, 0x34, XX, 4, false},  {P66, M38, 0x35, XX, 8, false},
    {P66, M38, 0x28, XX, 16, false}, {P66, M38, 0x29, XX, 16, false}, {P66, M38, 0x2B, XX, 16, false}, {P66, M38, 0x38, XX, 16, false},
    {P66, M38, 0x39, XX, 16, false}, {P66, M38, 0x3A, XX, 16, false}, {P66, M38, 0x3B, XX, 16, false}, {P66, M38, 0x3C, XX, 16, false},
    {P66, M38, 0x3D, XX, 16, false}, {P66, M38, 0x3E, XX, 16, false}, {P66, M38, 0x3F, XX, 16, false}, {P66, M38, 0x40, XX, 16, false},
    {P66, M38, 0x41, XX, 16, false}, {P66, M3A, 0x08, XX, 16, true},  {P66, M3A, 0x09, XX, 16, true},  {P66, M3A, 0x0A, XX, 4, true},
    {P66, M3A, 0x0B, XX, 8, true},   {P66, M3A, 0x0C, XX, 16, true},  {P66, M3A, 0x0D, XX, 16, true},  {P66, M3A, 0x0E, XX, 16, true},
    {P66, M3A, 0x40, XX, 16, true},  {P66, M3A, 0x41, XX, 16, true},  {P66, M3A, 0x42, XX, 16, true},  {P66, M3A, 0x21, XX, 4, true},
    {P66, M3A, 0x14, EX, 1, true},   {P66, M3A, 0x16, EX, 4, true},   {P66, M3A, 0x17, EX, 4, true},   {P66, M3A, 0x20, XG, 1, true},
    {P66, M3A, 0x22, XG, 4, true},
    // SSE4.2 (and LZCNT, advertised with it here)
    {P66, M38, 0x37, XX, 16, false}, {P66, M3A, 0x60, XX, 16, true},  {P66, M3A, 0x61, XX, 16, true},  {P66, M3A, 0x62, XX, 16, true},
    {P66, M3A, 0x63, XX, 16, true},  {F2, M38, 0xF0, GG, 1, false},   {F2, M38, 0xF1, GG, 4, false},   {F3, M0F, 0xBD, GG, 4, false},
};

uint64_t randomLanes(Rng& rng) {
  switch (rng() % 4) {
    case 0: return randomBinaryFloat(rng, 4) | (randomBinaryFloat(rng, 4) << 32);
    case 1: return randomBinaryFloat(rng, 8);
    case 2: {  // zeros, infinities, NaNs, denormals in float32 lanes
      static const uint32_t kSpecial[] = {0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0x00000001, 0x007FFFFF};
      return kSpecial[rng() % 8] | (static_cast<uint64_t>(kSpecial[rng() % 8]) << 32);
    }
    default: return edgeValue(rng);
  }
}

}  // namespace

uint32_t sseFamily(InsnBuilder& b) {
  Rng& rng = b.rng;
  Case& c = b.c;
  c.fx_state = true;
  // MXCSR: any rounding, FTZ/DAZ, mostly masked exceptions, some sticky flags.
  const uint32_t masks = rng() % 4 == 0 ? static_cast<uint32_t>(rng() & 0x3F) : 0x3F;
  c.fpu.mxcsr = (masks << 7) | static_cast<uint32_t>(rng() & 0xE040) | (rng() % 4 == 0 ? rng() & 0x3F : 0);
  for (auto& x : c.fpu.xmm) {
    x[0] = randomLanes(rng);
    x[1] = randomLanes(rng);
  }

  const SseForm& f = kForms[rng() % (sizeof kForms / sizeof kForms[0])];
  // Only CRC32 r, r/m16/32 and LZCNT take an operand size; elsewhere a 66
  // is an opcode prefix and 16-bit code's host bytes keep them as they are.
  unsigned size = 4;
  if (f.kind == GG && f.bytes != 1) size = b.pickOperandSize(false);
  else b.fixedOperandSize();
  if (f.prefix) b.mandatoryPrefix(f.prefix);
  if (f.map == M0F) b.opcode({0x0F, f.opcode});
  else b.opcode({0x0F, static_cast<uint8_t>(f.map == M38 ? 0x38 : 0x3A), f.opcode});
  const unsigned xreg = static_cast<unsigned>(rng() % 8), xrm = static_cast<unsigned>(rng() % 8);
  // Aligned half the time: packed operands must be (#GP otherwise).
  uint32_t target = 64 + static_cast<uint32_t>(rng() % 80);
  if (rng() % 2) target &= ~15u;
  const bool mem = f.kind == XMemOnly || (f.kind != GX && f.kind != Shift && rng() % 2);
  switch (f.kind) {
    case GX:
      b.modrmReg(b.pickReg(), xrm);
      break;
    case GM:
    case GG:
      if (mem) b.modrmMem(b.pickReg(), target);
      else if (f.kind == GM) b.modrmReg(b.pickReg(), xrm);
      else b.modrmReg(b.pickReg(), b.pickReg());
      break;
    case XG:
    case EX:
      if (mem) b.modrmMem(xreg, target);
      else b.modrmReg(xreg, b.pickReg());
      break;
    case Shift:
      b.modrmReg(f.reg_field, xrm);
      break;
    default:  // XX, XMemOnly, MX
      if (mem) b.modrmMem(xreg, target);
      else b.modrmReg(xreg, xrm);
      break;
  }
  if (f.imm) b.imm(rng(), 1);
  // (U)COMIS*, PTEST, PCMP*STR* set or clear every flag they touch.
  return comparedFlags(f.kind == GG && f.opcode == 0xBD ? FlagRule::CountZeros : FlagRule::AllDefined, size, 0);
}

}  // namespace sv::oracle
