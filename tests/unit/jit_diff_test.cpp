// Differential tests: the interpreter is the reference, and the JIT must end
// in exactly the same state from the same start (tests/unit/jit_diff_rig.h).
// Random instruction streams (seeded) in real mode, 32-bit protected mode
// with and without paging, and 64-bit mode.
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

// ---------------------------------------------------------------- random streams

// Values where flags change: sign boundaries, carries, zero.
uint64_t edgeValue(std::mt19937_64& rng) {
  static const uint64_t kEdges[] = {0,          1,          2,          0x7F,       0x80,       0xFF,
                                    0x7FFF,     0x8000,     0xFFFF,     0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                                    0x0F,       0x10,       0xFFFFFFFE, 0x8001,     0x7FFE};
  if (rng() % 3 == 0) return rng() & 0xFFFFFFFF;
  return kEdges[rng() % (sizeof kEdges / sizeof kEdges[0])];
}

struct StreamGen {
  std::mt19937_64& rng;
  bool pm;  // 32-bit code (protected mode) or 64-bit code
  bool long64 = false;  // 64-bit code: random REX prefixes
  std::vector<std::vector<uint8_t>> insns;
  // Jcc/LOOP placeholders: instruction index -> target index.
  std::vector<std::pair<size_t, size_t>> branches;

  unsigned r(unsigned n) { return static_cast<unsigned>(rng() % n); }

  // A ModRM (plus SIB/displacement) for `reg`: a register or a memory
  // operand inside the data segment most of the time.
  void modrm(std::vector<uint8_t>& out, unsigned reg, bool allow_mem = true) {
    if (!allow_mem || r(5) < 2) {
      out.push_back(static_cast<uint8_t>(0xC0 | (reg << 3) | r(8)));
      return;
    }
    if (!pm) {
      switch (r(3)) {
        case 0: {  // [disp16]
          out.push_back(static_cast<uint8_t>((reg << 3) | 6));
          uint16_t d = static_cast<uint16_t>(r(4) == 0 ? 0xFFFF - r(4) : rng());  // sometimes at the limit
          out.push_back(d & 0xFF);
          out.push_back(d >> 8);
          break;
        }
        case 1:  // [rm + disp8]
          out.push_back(static_cast<uint8_t>(0x40 | (reg << 3) | r(8)));
          out.push_back(static_cast<uint8_t>(rng()));
          break;
        default:  // [rm]
          out.push_back(static_cast<uint8_t>((reg << 3) | (r(8) == 6 ? 7 : r(8))));
          break;
      }
      return;
    }
    switch (r(3)) {
      case 0: {  // [disp32] inside (or just past) the segment limit
        out.push_back(static_cast<uint8_t>((reg << 3) | 5));
        uint32_t d = r(8) == 0 ? 0xFFFF - r(4) : r(0x10000);
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(d >> (8 * i)));
        break;
      }
      case 1: {  // [base + index*scale + disp8] (SIB)
        out.push_back(static_cast<uint8_t>(0x44 | (reg << 3)));
        unsigned base = r(8);
        if (base == 5) base = 3;
        out.push_back(static_cast<uint8_t>((r(4) << 6) | (r(8) << 3) | base));
        out.push_back(static_cast<uint8_t>(rng()));
        break;
      }
      default: {  // [base + disp8]
        unsigned base = r(8);
        if (base == 4 || base == 5) base = 6;
        out.push_back(static_cast<uint8_t>(0x40 | (reg << 3) | base));
        out.push_back(static_cast<uint8_t>(rng()));
        break;
      }
    }
  }

  void imm(std::vector<uint8_t>& out, unsigned bytes) {
    uint64_t v = r(2) ? edgeValue(rng) : rng();
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }

  void one() {
    std::vector<uint8_t> b;
    bool branch = false;
    const bool opsize = r(3) == 0;  // 66h: the other operand size
    if (opsize) b.push_back(0x66);
    const bool wide32 = pm != opsize;
    const unsigned immw = wide32 ? 4 : 2;
    switch (r(28)) {
      case 0: case 1: case 2: case 3:  // ALU r/m, r and r, r/m
        b.push_back(static_cast<uint8_t>((r(8) << 3) | r(4)));
        modrm(b, r(8));
        break;
      case 4: case 5: {  // ALU r/m, imm (80, 81, 83)
        unsigned form = r(3);
        b.push_back(static_cast<uint8_t>(0x80 + (form == 0 ? 0 : form == 1 ? 1 : 3)));
        modrm(b, r(8));
        imm(b, form == 1 ? immw : 1);
        break;
      }
      case 6:  // ALU AL/eAX, imm
        if (r(2)) {
          b.push_back(static_cast<uint8_t>((r(8) << 3) | 4));
          imm(b, 1);
        } else {
          b.push_back(static_cast<uint8_t>((r(8) << 3) | 5));
          imm(b, immw);
        }
        break;
      case 7:  // TEST r/m, r ; TEST r/m, imm
        if (r(2)) {
          b.push_back(static_cast<uint8_t>(0x84 | r(2)));
          modrm(b, r(8));
        } else {
          bool w = r(2);
          b.push_back(w ? 0xF7 : 0xF6);
          modrm(b, 0);
          imm(b, w ? immw : 1);
        }
        break;
      case 8:  // INC/DEC/NEG/NOT r/m
        if (r(2)) {
          b.push_back(static_cast<uint8_t>(0xFE | r(2)));
          modrm(b, r(2));
        } else {
          b.push_back(static_cast<uint8_t>(0xF6 | r(2)));
          modrm(b, 2 + r(2));
        }
        break;
      case 9:  // INC/DEC r (40-4F)
        b.push_back(static_cast<uint8_t>(0x40 + r(16)));
        break;
      case 10: case 11:  // MOV r/m, r ; MOV r, r/m
        b.push_back(static_cast<uint8_t>(0x88 + r(4)));
        modrm(b, r(8));
        break;
      case 12:  // MOV r, imm ; MOV r/m, imm
        if (r(2)) {
          bool w = r(2);
          b.push_back(static_cast<uint8_t>((w ? 0xB8 : 0xB0) + r(8)));
          imm(b, w ? immw : 1);
        } else {
          bool w = r(2);
          b.push_back(w ? 0xC7 : 0xC6);
          modrm(b, 0);
          imm(b, w ? immw : 1);
        }
        break;
      case 13:  // LEA r, m
        b.push_back(0x8D);
        {
          size_t at = b.size();
          modrm(b, r(8));
          if ((b[at] & 0xC0) == 0xC0) b[at] &= 0x3F;  // must be memory: [rm]
          if (!pm && (b[at] & 0xC7) == 6) b[at] |= 1;  // not [disp16]: no displacement follows
          if (pm && (b[at] & 0xC7) == 5) b[at] = static_cast<uint8_t>((b[at] & 0x38) | 3);
          if (pm && (b[at] & 0xC7) == 4) b[at] = static_cast<uint8_t>((b[at] & 0x38) | 3);
        }
        break;
      case 14:  // MOVZX/MOVSX
        b.push_back(0x0F);
        b.push_back(static_cast<uint8_t>(0xB6 | (r(2) << 3) | r(2)));
        modrm(b, r(8));
        break;
      case 15:  // LODS/STOS/MOVS, forward or backward per DF; REP STOS/MOVS
        if (r(3) == 0) {
          b.insert(b.begin(), static_cast<uint8_t>(r(2) ? 0xF3 : 0xF2));
          b.push_back(static_cast<uint8_t>((r(2) ? 0xA4 : 0xAA) | r(2)));
        } else {
          b.push_back(static_cast<uint8_t>(0xA4 | (r(3) == 0 ? 0 : r(2) ? 0x08 : 0x0A) | r(2)));
        }
        break;
      case 16:  // flags: CLC/STC/CMC/CLD/STD, SAHF with a random AH
        switch (r(4)) {
          case 0: b.push_back(static_cast<uint8_t>(0xF8 + r(2))); break;
          case 1: b.push_back(0xF5); break;
          case 2: b.push_back(static_cast<uint8_t>(0xFC + r(2))); break;
          default:
            b.push_back(0xB4);
            b.push_back(static_cast<uint8_t>(rng()));
            insns.push_back(b);
            b = {0x9E};
            break;
        }
        break;
      case 17:  // shifts, XCHG, MUL (handler calls between native code), SETcc, CMOVcc, PUSH/POP
        switch (r(6)) {
          case 5: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0x40 + r(16))); modrm(b, r(8)); break;  // CMOVcc
          case 0: b.push_back(0xD1); modrm(b, 4 + r(2)); break;
          case 1: b.push_back(0x87); modrm(b, r(8)); break;
          case 2: b.push_back(0xF7); b.push_back(static_cast<uint8_t>(0xE0 | r(8))); break;  // MUL r
          case 3: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0x90 + r(16))); modrm(b, 0); break;
          default: b.push_back(static_cast<uint8_t>(0x50 + r(8) + (r(2) ? 8 : 0))); break;
        }
        break;
      case 18: case 19: case 20:  // Jcc forward (placeholder, fixed later)
        if (opsize) b.pop_back();
        b.push_back(static_cast<uint8_t>(0x70 + r(16)));
        b.push_back(0);
        branches.emplace_back(insns.size(), insns.size() + 1 + r(4));
        branch = true;
        break;
      case 21:  // JMP forward, CALL forward (rel16/rel32; the return address is pushed)
        if (opsize) b.pop_back();
        if (r(2)) {
          b.push_back(0xE8);
          for (unsigned i = 0; i < (pm ? 4u : 2u); ++i) b.push_back(0);
          branches.emplace_back(insns.size(), insns.size() + 1 + r(3));
          branch = true;
          break;
        }
        b.push_back(0xEB);
        b.push_back(0);
        branches.emplace_back(insns.size(), insns.size() + 1 + r(3));
        branch = true;
        break;
      case 22: {  // LOOP/LOOPE/LOOPNE backward (bounded by the budget)
        if (opsize) b.pop_back();
        b.push_back(static_cast<uint8_t>(0xE0 + r(3)));
        b.push_back(0);
        size_t back = std::min<size_t>(insns.size(), 1 + r(6));
        branches.emplace_back(insns.size(), insns.size() - back);
        branch = true;
        break;
      }
      case 23: case 24:  // shifts and rotates: imm8 (C0/C1), 1 (D0/D1), CL (D2/D3); /0-/7 (RCL/RCR: handler)
        switch (r(3)) {
          case 0: b.push_back(static_cast<uint8_t>(0xC0 | r(2))); modrm(b, r(8)); b.push_back(static_cast<uint8_t>(r(4) ? r(40) : rng())); break;
          case 1: b.push_back(static_cast<uint8_t>(0xD0 | r(2))); modrm(b, r(8)); break;
          default:
            if (r(2)) {  // a small or random CL first
              b.push_back(0xB1);
              b.push_back(static_cast<uint8_t>(r(2) ? r(40) : rng()));
              insns.push_back(b);
              b = {};
              if (opsize) b.push_back(0x66);
            }
            b.push_back(static_cast<uint8_t>(0xD2 | r(2)));
            modrm(b, r(8));
            break;
        }
        break;
      case 25:  // SHLD/SHRD imm8/CL; IMUL r, r/m (0F AF), r, r/m, imm (69/6B); MUL/IMUL r/m (F6/F7 /4 /5)
        switch (r(4)) {
          case 0: {
            const uint8_t op = static_cast<uint8_t>(0xA4 | (r(2) << 3) | r(2));  // A4/AC imm8, A5/AD CL
            b.push_back(0x0F);
            b.push_back(op);
            modrm(b, r(8));
            if ((op & 1) == 0) b.push_back(static_cast<uint8_t>(r(40)));
            break;
          }
          case 1: b.push_back(0x0F); b.push_back(0xAF); modrm(b, r(8)); break;
          case 2: {
            bool imm8 = r(2);
            b.push_back(imm8 ? 0x6B : 0x69);
            modrm(b, r(8));
            imm(b, imm8 ? 1 : immw);
            break;
          }
          default: b.push_back(static_cast<uint8_t>(0xF6 | r(2))); modrm(b, 4 + r(2)); break;
        }
        break;
      case 26:  // BT/BTS/BTR/BTC r/m, r and r/m, imm8; BSWAP; XCHG; CBW/CWD
        switch (r(5)) {
          case 0:  // register destination and offset (memory bit strings: the interpreter)
            b.push_back(0x0F);
            b.push_back(static_cast<uint8_t>(0xA3 | (r(4) << 3)));
            modrm(b, r(8), r(4) == 0);
            break;
          case 1: b.push_back(0x0F); b.push_back(0xBA); modrm(b, 4 + r(4)); b.push_back(static_cast<uint8_t>(rng())); break;
          case 2: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0xC8 + r(8))); break;
          case 3:
            if (r(2)) b.push_back(static_cast<uint8_t>(0x91 + r(7)));
            else { b.push_back(static_cast<uint8_t>(0x86 | r(2))); modrm(b, r(8)); }
            break;
          default: b.push_back(static_cast<uint8_t>(0x98 | r(2))); break;
        }
        break;
      default:  // ADC/SBB r, r with a random carry in
        b.push_back(r(2) ? 0xF9 : 0xF8);
        insns.push_back(b);
        b = {};
        if (opsize) b.push_back(0x66);
        b.push_back(static_cast<uint8_t>(r(2) ? 0x11 : 0x19));
        modrm(b, r(8));
        break;
    }
    if (long64 && !branch && r(3) == 0) {
      // REX (W, R, X, B at random) right before the opcode.
      size_t at = 0;
      while (at < b.size() && (b[at] == 0x66 || b[at] == 0xF2 || b[at] == 0xF3)) ++at;
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(0x40 | r(16)));
    }
    insns.push_back(b);
  }

  std::vector<uint8_t> build(unsigned n) {
    while (insns.size() < n) one();
    insns.push_back({0xF4});  // HLT
    std::vector<size_t> at(insns.size() + 8, 0);
    size_t pos = 0;
    for (size_t i = 0; i < insns.size(); ++i) {
      at[i] = pos;
      pos += insns[i].size();
    }
    for (size_t i = insns.size(); i < at.size(); ++i) at[i] = pos - 1;  // past the end: the HLT
    std::vector<uint8_t> code;
    for (size_t i = 0; i < insns.size(); ++i) code.insert(code.end(), insns[i].begin(), insns[i].end());
    for (auto [i, t] : branches) {
      size_t end = at[i] + insns[i].size();
      int64_t rel = static_cast<int64_t>(at[std::min(t, insns.size() - 1)]) - static_cast<int64_t>(end);
      const unsigned width = insns[i][0] == 0xE8 ? (pm ? 4 : 2) : 1;  // CALL rel16/rel32, else rel8
      if (width == 1 && (rel < -128 || rel > 127)) rel = 0;
      for (unsigned k = 0; k < width; ++k)
        code[end - width + k] = static_cast<uint8_t>(static_cast<uint64_t>(rel) >> (8 * k));
    }
    return code;
  }
};

// Returns how many streams did not end in a shutdown (they ran to their
// HLT, a fault handler's HLT or the budget), so a test can tell it
// compared real work.
unsigned randomStreams(Mode mode, uint64_t seed0, unsigned streams) {
  RigPair rigs;
  unsigned lived = 0;
  for (uint64_t seed = seed0; seed < seed0 + streams; ++seed) {
    std::mt19937_64 rng(seed);
    StreamGen gen{rng, mode != Mode::Real16, mode == Mode::Long64, {}, {}};
    std::vector<uint8_t> code = gen.build(40 + static_cast<unsigned>(rng() % 80));
    uint64_t regs[8];
    for (auto& v : regs) v = edgeValue(rng);
    if (mode != Mode::Real16) {
      // Index registers mostly inside the 64 KiB data segment.
      for (unsigned i : {RBX, RBP, RSI, RDI}) if (rng() % 4) regs[i] &= 0xFFFF;
    }
    regs[RSP] = 0x8000 + (rng() % 0x100) * 2;
    if (mode == Mode::Long64) {
      // 64-bit mode ignores the DS/ES/SS bases: point into the data area.
      for (unsigned i : {RBX, RBP, RSI, RDI, RSP}) if (regs[i] <= 0xFFFF) regs[i] += DiffRig::kData;
    }
    regs[RCX] &= rng() % 4 ? 0xFF : 0x3FFF;  // LOOP counts stay small; REP counts sometimes span pages
    if (runAndCompare(rigs, mode, code, regs, rng(), 3000, "seed " + std::to_string(seed)) != Cpu::Exit::Shutdown)
      ++lived;
  }
  return lived;
}

}  // namespace

TEST_CASE("jit differential: random ALU/MOV/string/branch streams in real mode") {
  CHECK(randomStreams(Mode::Real16, 1000, 150) > 140);
}

TEST_CASE("jit differential: random streams in 32-bit protected mode") {
  CHECK(randomStreams(Mode::Prot32, 5000, 150) > 120);
}

TEST_CASE("jit differential: random streams in 32-bit protected mode with paging") {
  CHECK(randomStreams(Mode::Prot32Paging, 9000, 60) > 50);
}

TEST_CASE("jit differential: random streams in 64-bit mode (REX, RIP-relative operands)") {
  // The rig really is in 64-bit mode and runs natively: mov rax, imm64 ;
  // add rax, rbx ; mov [rip+0x100], rax ; hlt
  std::vector<uint8_t> code = {0x48, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80, 0x48, 0x01, 0xD8,
                               0x48, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00, 0xF4};
  DiffRig jit(true, Mode::Long64, code);
  jit.cpu.state.gpr[RBX] = 0xFFFFFFFF00000001ull;
  CHECK(jit.cpu.mode() == CpuMode::Long64);
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.gpr[RAX] == 0x8000000000000001ull);
  // 64-bit mode ignores the DS base (SDM Vol. 3A, 3.2.4): RIP + 0x100.
  uint64_t stored = 0;
  std::memcpy(&stored, jit.mem.ramHost() + DiffRig::kCode + 20 + 0x100, 8);
  CHECK(stored == 0x8000000000000001ull);
  CHECK(jit.cpu.stats().retired == 4);
  // Faults are delivered through the rig's 64-bit IDT to a HLT.
  CHECK(randomStreams(Mode::Long64, 13000, 120) > 40);
}
