// SSE4.2 (SDM Vol. 2 and Vol. 1, 12.10.3 "Packed Compare String"):
// PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM, PCMPGTQ and CRC32. POPCNT is in
// bit_ops.cpp.
#include <Zydis/Zydis.h>

#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"
#include "cpu/interp/sse_lanes.h"

namespace sv::sse {

namespace {

uint64_t cmpGtQword(uint64_t a, uint64_t b) {
  return static_cast<int64_t>(a) > static_cast<int64_t>(b) ? ~0ull : 0;
}

// The string-compare engine: imm8 bits 1:0 element format, 3:2
// aggregation, 5:4 polarity, 6 index/mask selection.
struct StringCompare {
  Vec a, b;          // a = first operand (the "needle" set), b = second
  unsigned n;        // elements: 16 bytes or 8 words
  unsigned la, lb;   // valid elements
  uint8_t imm;

  int64_t element(const Vec& v, unsigned i) const {
    switch (imm & 3) {
      case 0: return v.get<uint8_t>(i);
      case 1: return v.get<uint16_t>(i);
      case 2: return v.get<int8_t>(i);
      default: return v.get<int16_t>(i);
    }
  }

  // IntRes2 of the SDM: the aggregated, polarity-adjusted bit vector.
  uint32_t result() const {
    uint32_t r1 = 0;
    switch ((imm >> 2) & 3) {
      case 0:  // equal any: b[j] is one of the valid a elements
        for (unsigned j = 0; j < lb; ++j)
          for (unsigned i = 0; i < la; ++i)
            if (element(a, i) == element(b, j)) r1 |= 1u << j;
        break;
      case 1:  // ranges: a holds (low, high) pairs
        for (unsigned j = 0; j < lb; ++j)
          for (unsigned i = 0; i + 1 < la; i += 2)
            if (element(b, j) >= element(a, i) && element(b, j) <= element(a, i + 1)) r1 |= 1u << j;
        break;
      case 2:  // equal each: both invalid compares true, one invalid false
        for (unsigned i = 0; i < n; ++i) {
          bool va = i < la, vb = i < lb;
          bool eq = va && vb ? element(a, i) == element(b, i) : !va && !vb;
          if (eq) r1 |= 1u << i;
        }
        break;
      default:  // equal ordered: the substring a starts at b[j]
        for (unsigned j = 0; j < n; ++j) {
          bool match = true;
          for (unsigned i = 0; i + j < n && match; ++i) {
            bool va = i < la, vb = i + j < lb;
            if (!va) break;  // an invalid needle element matches anything
            match = vb && element(a, i) == element(b, i + j);
          }
          if (match) r1 |= 1u << j;
        }
        break;
    }
    uint32_t all = (1u << n) - 1;
    switch ((imm >> 4) & 3) {
      case 1: return ~r1 & all;
      case 3: return (r1 ^ ((1u << lb) - 1)) & all;  // only valid b elements negated
      default: return r1;
    }
  }
};

unsigned explicitLength(int64_t v, unsigned n) {
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return mag > n ? n : static_cast<unsigned>(mag);
}

unsigned implicitLength(const StringCompare& c, const Vec& v) {
  for (unsigned i = 0; i < c.n; ++i)
    if (c.element(v, i) == 0) return i;
  return c.n;
}

template <bool kExplicit, bool kIndex>
void handleStringCompare(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  StringCompare c;
  c.a = readVec(cpu, insn, 0);
  c.b = readVec(cpu, insn, 1);
  c.imm = imm8(insn);
  c.n = (c.imm & 1) ? 8 : 16;
  if constexpr (kExplicit) {
    bool wide = insn.hasPrefix(prefix::REX_W);
    auto len = [&](Gpr g) {
      return wide ? static_cast<int64_t>(cpu.state.gpr[g]) : static_cast<int64_t>(static_cast<int32_t>(cpu.state.gpr[g]));
    };
    c.la = explicitLength(len(RAX), c.n);
    c.lb = explicitLength(len(RDX), c.n);
  } else {
    c.la = implicitLength(c, c.a);
    c.lb = implicitLength(c, c.b);
  }
  uint32_t r = c.result();
  if constexpr (kIndex) {
    unsigned index = r == 0 ? c.n : (c.imm & 0x40) ? 31 - __builtin_clz(r) : __builtin_ctz(r);
    cpu.setGpr(RCX, 4, index);
  } else {
    Vec m;
    if (c.imm & 0x40) {
      for (unsigned i = 0; i < c.n; ++i)
        if (r & (1u << i)) {
          if (c.n == 16) m.set<uint8_t>(i, 0xFF);
          else m.set<uint16_t>(i, 0xFFFF);
        }
    } else {
      m.set<uint32_t>(0, r);
    }
    setXmm(cpu, 0, m);
  }
  uint64_t f = (r ? flag::CF : 0) | (c.lb < c.n ? flag::ZF : 0) | (c.la < c.n ? flag::SF : 0) | ((r & 1) ? flag::OF : 0);
  flags::merge(cpu.state.rflags, f);
}

// CRC32 r32/r64, r/m8/16/32/64: CRC-32C (polynomial 0x11EDC6F41) in its
// bit-reflected form, source bytes in memory order. No SSE state involved.
void handleCrc32(Cpu& cpu, const DecodedInsn& insn) {
  uint32_t crc = static_cast<uint32_t>(cpu.readOp(insn, 0));
  uint64_t data = cpu.readOp(insn, 1);
  for (unsigned i = 0; i < insn.ops[1].size; ++i) {
    crc ^= static_cast<uint8_t>(data >> (8 * i));
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
  }
  cpu.writeOp(insn, 0, crc);
}

}  // namespace

void registerSse42(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_PCMPESTRI, &handleStringCompare<true, true>);
  t.set(ZYDIS_MNEMONIC_PCMPESTRM, &handleStringCompare<true, false>);
  t.set(ZYDIS_MNEMONIC_PCMPISTRI, &handleStringCompare<false, true>);
  t.set(ZYDIS_MNEMONIC_PCMPISTRM, &handleStringCompare<false, false>);
  t.set(ZYDIS_MNEMONIC_PCMPGTQ, &handleLanes<uint64_t, cmpGtQword>);
  t.set(ZYDIS_MNEMONIC_CRC32, &handleCrc32);
}

}  // namespace sv::sse
