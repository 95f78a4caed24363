// Differential tests of the flags the native emitters produce (ALU, Jcc,
// SETcc/CMOVcc, shifts and rotates, MUL/IMUL, bit tests ...) at edge values,
// against the interpreter (tests/unit/jit_diff_rig.h).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/jit_diff_rig.h"

using namespace sv;
using namespace sv::testing::jitdiff;

namespace {

// ---------------------------------------------------------------- flags

// `op` on (a, b) with carry in, as `op eAX/AX/AL, eBX/BX/BL` - the
// interpreter and the JIT must produce the same result and flags.
void flagCase(RigPair& rigs, Mode mode, std::vector<uint8_t> insn, uint64_t a, uint64_t b, bool carry, const char* name) {
  std::vector<uint8_t> code = {static_cast<uint8_t>(carry ? 0xF9 : 0xF8)};
  code.insert(code.end(), insn.begin(), insn.end());
  code.push_back(0xF4);
  uint64_t regs[8] = {a, 0, 0, b, 0x8000, 0, 0, 0};
  runAndCompare(rigs, mode, code, regs, carry ? flag::CF : 0, 100,
                std::string(name) + " a=" + std::to_string(a) + " b=" + std::to_string(b) + " cf=" +
                    std::to_string(carry));
}

}  // namespace

TEST_CASE("jit flags: every ALU emitter at the edge values, carry in and out, all sizes") {
  const uint64_t kValues[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                              0x0F, 0x10, 0x8F};
  struct Op {
    const char* name;
    uint8_t base;  // 00-38: op r/m, r
  } ops[] = {{"add", 0x00}, {"or", 0x08}, {"adc", 0x10}, {"sbb", 0x18},
             {"and", 0x20}, {"sub", 0x28}, {"xor", 0x30}, {"cmp", 0x38}};
  RigPair rigs;
  for (Mode mode : {Mode::Real16, Mode::Prot32, Mode::Long64}) {
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true}) {
          for (const Op& op : ops) {
            flagCase(rigs, mode, {op.base, 0xD8}, a, b, carry, op.name);                            // op al, bl
            flagCase(rigs, mode, {static_cast<uint8_t>(op.base + 1), 0xD8}, a, b, carry, op.name);  // op (e)ax, (e)bx
            flagCase(rigs, mode, {0x66, static_cast<uint8_t>(op.base + 1), 0xD8}, a, b, carry, op.name);
          }
          flagCase(rigs, mode, {0x84, 0xD8}, a, b, carry, "test8");
          flagCase(rigs, mode, {0x85, 0xD8}, a, b, carry, "test");
        }
    for (uint64_t a : kValues)
      for (bool carry : {false, true}) {
        flagCase(rigs, mode, {0xFE, 0xC0}, a, 0, carry, "inc al");
        flagCase(rigs, mode, {0xFE, 0xC8}, a, 0, carry, "dec al");
        flagCase(rigs, mode, {0x40}, a, 0, carry, "inc eax");
        flagCase(rigs, mode, {0x48}, a, 0, carry, "dec eax");
        flagCase(rigs, mode, {0x66, 0x40}, a, 0, carry, "inc ax (66)");
        flagCase(rigs, mode, {0xF7, 0xD8}, a, 0, carry, "neg");
        flagCase(rigs, mode, {0xF6, 0xD8}, a, 0, carry, "neg al");
        flagCase(rigs, mode, {0xF7, 0xD0}, a, 0, carry, "not");
        flagCase(rigs, mode, {0xFE, 0xC4}, a, 0, carry, "inc ah");
        flagCase(rigs, mode, {0x80, 0xFC, 0x80}, a, 0, carry, "cmp ah, 0x80");
        flagCase(rigs, mode, {0x83, 0xC0, 0xFF}, a, 0, carry, "add eax, -1");
        flagCase(rigs, mode, {0x83, 0xD0, 0x7F}, a, 0, carry, "adc eax, 0x7f");
        flagCase(rigs, mode, {0x83, 0xD8, 0x80}, a, 0, carry, "sbb eax, -0x80");
      }
  }
}

TEST_CASE("jit flags: every Jcc condition over every combination of its flags") {
  // SAHF: AH -> SF ZF AF PF CF; OF comes from an ADD that overflows or not.
  RigPair rigs;
  for (unsigned cc = 0; cc < 16; ++cc)
    for (unsigned f = 0; f < 64; ++f) {
      uint8_t ah = static_cast<uint8_t>(((f & 1) ? 0x01 : 0) | ((f & 2) ? 0x04 : 0) | ((f & 4) ? 0x40 : 0) |
                                        ((f & 8) ? 0x80 : 0) | 0x02);
      bool of = f & 16;
      std::vector<uint8_t> code = {
          0xB2, static_cast<uint8_t>(of ? 0x7F : 0x00),  // mov dl, 0x7f/0
          0x80, 0xC2, 0x01,                             // add dl, 1 (OF per case)
          0xB4, ah, 0x9E,                               // mov ah, flags ; sahf
          static_cast<uint8_t>(0x70 + cc), 0x02,        // jcc +2
          0xB1, 0x01,                                   // mov cl, 1 (not taken)
          0xF4};
      uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
      runAndCompare(rigs, Mode::Real16, code, regs, 0, 100, "jcc " + std::to_string(cc) + " flags " + std::to_string(f));
    }
}

TEST_CASE("jit flags: flags skipped across register moves are exact wherever they are observed") {
  // The translator skips an instruction's flags when the next one that is
  // not a register-only move (MOV r, r/imm; MOVZX/MOVSX r, r; LEA)
  // overwrites them all natively. A memory access that faults (the page
  // at 0x2F000, offset 0xF010, is not present: the #PF frame holds EFLAGS),
  // a flag reader (ADC, Jcc) or the block end must see them exact.
  const std::vector<std::vector<uint8_t>> kCode = {
      // add eax, ebx ; mov ecx, edx ; lea esi, [eax+ebx*2+4] ; movzx edi, cl ; sub eax, 1
      {0x01, 0xD8, 0x89, 0xD1, 0x8D, 0x74, 0x58, 0x04, 0x0F, 0xB6, 0xF9, 0x83, 0xE8, 0x01},
      // add eax, ebx ; mov ecx, edx ; mov edx, [0xF010] (#PF) ; sub eax, 1
      {0x01, 0xD8, 0x89, 0xD1, 0x8B, 0x15, 0x10, 0xF0, 0x00, 0x00, 0x83, 0xE8, 0x01},
      // add eax, ebx ; mov ecx, 5 ; adc eax, 0
      {0x01, 0xD8, 0xB9, 0x05, 0x00, 0x00, 0x00, 0x83, 0xD0, 0x00},
      // sub eax, ebx ; lea esi, [eax+1] ; jz +1 ; inc ecx ; xor edx, edx
      {0x29, 0xD8, 0x8D, 0x70, 0x01, 0x74, 0x01, 0x41, 0x31, 0xD2},
      // and eax, ebx ; mov esi, eax ; shl eax, 3
      {0x21, 0xD8, 0x89, 0xC6, 0xC1, 0xE0, 0x03},
      // xor eax, ebx ; mov esi, eax (the block's end: flags live)
      {0x31, 0xD8, 0x89, 0xC6}};
  const uint64_t kValues[] = {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xF010};
  RigPair rigs;
  for (size_t c = 0; c < kCode.size(); ++c)
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true})
          flagCase(rigs, Mode::Prot32Paging, kCode[c], a, b, carry, ("sequence " + std::to_string(c)).c_str());
}

TEST_CASE("jit SETcc/CMOVcc: every condition, 32-bit CMOV clears the upper half whether it moves or not") {
  RigPair rigs;
  for (unsigned cc = 0; cc < 16; ++cc)
    for (unsigned f = 0; f < 32; ++f) {
      uint8_t ah = static_cast<uint8_t>(((f & 1) ? 0x01 : 0) | ((f & 2) ? 0x04 : 0) | ((f & 4) ? 0x40 : 0) |
                                        ((f & 8) ? 0x80 : 0) | 0x02);
      bool of = f & 16;
      // mov rdx, -1 ; mov rsi, -1 ; mov dl, 0x7f/0 ; add dl, 1 (OF) ; mov ah, flags ; sahf ;
      // cmovcc edx, ebx ; cmovcc si, bx (66) ; setcc cl ; setcc [0x100] ; hlt
      std::vector<uint8_t> code = {0x48, 0xC7, 0xC2, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x48, 0xC7, 0xC6, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xB2, static_cast<uint8_t>(of ? 0x7F : 0x00), 0x80, 0xC2, 0x01,
                                   0xB4, ah, 0x9E,
                                   0x0F, static_cast<uint8_t>(0x40 + cc), 0xD3,
                                   0x66, 0x0F, static_cast<uint8_t>(0x40 + cc), 0xF3,
                                   0x0F, static_cast<uint8_t>(0x90 + cc), 0xC1,
                                   0x0F, static_cast<uint8_t>(0x90 + cc), 0x04, 0x25, 0x00, 0x01, 0x00, 0x00,
                                   0xF4};
      uint64_t regs[8] = {0, 0, 0, 0x12345678, 0x8000, 0, 0, 0};
      runAndCompare(rigs, Mode::Long64, code, regs, 0, 100, "cc " + std::to_string(cc) + " flags " + std::to_string(f));
      CHECK(rigs.ref.cpu.state.halted == 1);
      CHECK((rigs.jit.cpu.state.gpr[RDX] >> 32) == 0);
    }
}

TEST_CASE("jit flags: shifts, rotates, SHLD/SHRD at edge values and counts (0, the width, beyond), all sizes") {
  const uint64_t kValues[] = {0, 1, 0x7F, 0x80, 0xC1, 0x7FFF, 0x8000, 0x8001, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                              0x4000C001};
  const uint8_t kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 0xFF};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Real16, Mode::Long64}) {
    const uint8_t rexw = mode == Mode::Long64 ? 0x48 : 0x66;  // the other width: 64-bit or 16-bit
    for (uint64_t a : kValues)
      for (uint8_t c : kCounts)
        for (unsigned ext = 0; ext < 8; ++ext) {
          if (ext == 2 || ext == 3) continue;  // RCL/RCR: the interpreter
          const uint8_t rm = static_cast<uint8_t>(0xC0 | (ext << 3));  // eAX
          const bool carry = (a + c) & 1;
          const std::string name = "shift /" + std::to_string(ext) + " count " + std::to_string(c);
          flagCase(rigs, mode, {0xB1, c, 0xD2, rm}, a, 0, carry, (name + " al, cl").c_str());
          flagCase(rigs, mode, {0xB1, c, 0xD3, rm}, a, 0, carry, (name + " eax, cl").c_str());
          flagCase(rigs, mode, {0xB1, c, rexw, 0xD3, rm}, a, 0, carry, (name + " (e/r)ax, cl (66/REX.W)").c_str());
          flagCase(rigs, mode, {0xC1, rm, c}, a, 0, carry, (name + " eax, imm8").c_str());
          flagCase(rigs, mode, {0xC0, static_cast<uint8_t>(rm | 4), c}, a, 0, carry, (name + " ah, imm8").c_str());
          flagCase(rigs, mode, {rexw, 0xC1, rm, c}, a, 0, carry, (name + " (e/r)ax, imm8 (66/REX.W)").c_str());
          flagCase(rigs, mode, {0xD1, rm}, a, 0, carry, (name + " eax, 1").c_str());
          flagCase(rigs, mode, {0xD0, rm}, a, 0, carry, (name + " al, 1").c_str());
        }
    for (uint64_t a : kValues)
      for (uint64_t b : {0ull, 0x80000001ull, 0xFFFFFFFFull, 0x12345678ull})
        for (uint8_t c : kCounts) {
          const bool carry = c & 1;
          flagCase(rigs, mode, {0x0F, 0xA4, 0xD8, c}, a, b, carry, ("shld eax, ebx, " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0x0F, 0xAC, 0xD8, c}, a, b, carry, ("shrd eax, ebx, " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0xB1, c, 0x0F, 0xA5, 0xD8}, a, b, carry, ("shld eax, ebx, cl " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0xB1, c, rexw, 0x0F, 0xAD, 0xD8}, a, b, carry,
                   ("shrd (r/e)ax, (r/e)bx, cl (66/REX.W) " + std::to_string(c)).c_str());
        }
  }
}

TEST_CASE("jit flags: MUL/IMUL in every form, BT/BTS/BTR/BTC, XCHG, BSWAP, CBW/CWD at edge values, all sizes") {
  const uint64_t kValues[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
                              0xFFFFFFFF, 0x12345678};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Real16, Mode::Long64}) {
    const uint8_t rexw = mode == Mode::Long64 ? 0x48 : 0x66;
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true}) {
          flagCase(rigs, mode, {0xF6, 0xE3}, a, b, carry, "mul bl");
          flagCase(rigs, mode, {0xF7, 0xE3}, a, b, carry, "mul ebx");
          flagCase(rigs, mode, {rexw, 0xF7, 0xE3}, a, b, carry, "mul (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0xF6, 0xEB}, a, b, carry, "imul bl");
          flagCase(rigs, mode, {0xF6, 0xEF}, a, b, carry, "imul bh");
          flagCase(rigs, mode, {0xF7, 0xEB}, a, b, carry, "imul ebx");
          flagCase(rigs, mode, {rexw, 0xF7, 0xEB}, a, b, carry, "imul (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x0F, 0xAF, 0xC3}, a, b, carry, "imul eax, ebx");
          flagCase(rigs, mode, {rexw, 0x0F, 0xAF, 0xC3}, a, b, carry, "imul (r/e)ax, (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x6B, 0xC3, static_cast<uint8_t>(a)}, a, b, carry, "imul eax, ebx, imm8");
          flagCase(rigs, mode, {0x69, 0xC3, 0x01, 0x80, 0x00, 0x80}, a, b, carry, "imul eax, ebx, imm");
          flagCase(rigs, mode, {0x0F, 0xA3, 0xD8}, a, b, carry, "bt eax, ebx");
          flagCase(rigs, mode, {0x0F, 0xAB, 0xD8}, a, b, carry, "bts eax, ebx");
          flagCase(rigs, mode, {rexw, 0x0F, 0xB3, 0xD8}, a, b, carry, "btr (r/e)ax, (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x0F, 0xBB, 0xD8}, a, b, carry, "btc eax, ebx");
          flagCase(rigs, mode, {0x0F, 0xBA, 0xF8, static_cast<uint8_t>(b)}, a, b, carry, "btc eax, imm8");
          flagCase(rigs, mode, {0x0F, 0xBA, 0x2E, 0x10, 0x00, static_cast<uint8_t>(b)}, a, b, carry,
                   "bts word/dword [0x10], imm8");
          flagCase(rigs, mode, {0x87, 0xD8}, a, b, carry, "xchg eax, ebx");
          flagCase(rigs, mode, {0x86, 0xDC}, a, b, carry, "xchg ah, bl");
          flagCase(rigs, mode, {0x87, 0x1E, 0x20, 0x00}, a, b, carry, "xchg [0x20], ebx");
        }
    for (uint64_t a : kValues) {
      flagCase(rigs, mode, {0x0F, 0xC8}, a, 0, false, "bswap eax");
      flagCase(rigs, mode, {0x98}, a, 0, false, "cbw/cwde");
      flagCase(rigs, mode, {rexw, 0x98}, a, 0, false, "cwde/cbw/cdqe");
      flagCase(rigs, mode, {0x99}, a, 0, false, "cwd/cdq");
      flagCase(rigs, mode, {rexw, 0x99}, a, 0, false, "cdq/cwd/cqo");
      if (mode == Mode::Long64) flagCase(rigs, mode, {0x48, 0x0F, 0xC8}, a | (a << 40), 0, false, "bswap rax");
    }
  }
}
