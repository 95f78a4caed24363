// MMX/SSE/SSE2 element rearrangement (SDM Vol. 2): interleaves (UNPCKxPS/PD,
// PUNPCKxxx), saturating packs (PACKSSWB, PACKSSDW, PACKUSWB), shuffles
// (SHUFPS/PD, PSHUFD/HW/LW/W) and word insert/extract (PINSRW, PEXTRW).
#include <Zydis/Zydis.h>

#include <algorithm>
#include <limits>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"
#include "cpu/interp/sse_lanes.h"

namespace sv::sse {

namespace {

// Interleave the low (kHigh = false) or high halves of dst and src,
// dst element first.
template <class T, bool kHigh>
void interleave(Vec& d, const Vec& s, unsigned bytes) {
  unsigned half = bytes / sizeof(T) / 2;
  unsigned base = kHigh ? half : 0;
  Vec r;
  for (unsigned i = 0; i < half; ++i) {
    r.set<T>(2 * i, d.get<T>(base + i));
    r.set<T>(2 * i + 1, s.get<T>(base + i));
  }
  d = r;
}

// dst = saturate(dst elements) then saturate(src elements), narrowed.
template <class From, class To>
void pack(Vec& d, const Vec& s, unsigned bytes) {
  unsigned n = bytes / sizeof(From);
  Vec r;
  auto sat = [](From v) {
    return static_cast<To>(std::clamp<int64_t>(v, std::numeric_limits<To>::min(), std::numeric_limits<To>::max()));
  };
  for (unsigned i = 0; i < n; ++i) {
    r.set<To>(i, sat(d.get<From>(i)));
    r.set<To>(n + i, sat(s.get<From>(i)));
  }
  d = r;
}

// PSHUFD/PSHUFW (all elements), PSHUFLW (low four words, high kept),
// PSHUFHW (high four words): element i = src[(imm >> 2i) & 3] of its group.
template <class T, unsigned kFirst, unsigned kCount>
void handlePshuf(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec s = readVec(cpu, insn, 1), r = s;
  uint8_t imm = imm8(insn);
  for (unsigned i = 0; i < kCount; ++i) r.set<T>(kFirst + i, s.get<T>(kFirst + ((imm >> (2 * i)) & 3)));
  writeVec(cpu, insn, 0, r);
}

// SHUFPS/SHUFPD: the lower half of the result picks elements of dst, the
// upper half elements of src, each by its field of imm8 (2 bits per
// single, 1 per double).
template <class T>
void handleShuffleFloat(Cpu& cpu, const DecodedInsn& insn) {
  constexpr unsigned kLanes = 16 / sizeof(T), kFieldBits = kLanes == 4 ? 2 : 1;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), r;
  uint8_t imm = imm8(insn);
  for (unsigned i = 0; i < kLanes; ++i)
    r.set<T>(i, (i < kLanes / 2 ? d : s).get<T>((imm >> (i * kFieldBits)) & (kLanes - 1)));
  writeVec(cpu, insn, 0, r);
}

// PINSRW mm/xmm, r32/m16, imm8: word imm mod element count.
void handlePinsrw(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec d = readVec(cpu, insn, 0);
  unsigned n = vectorBytes(insn) / 2;
  d.set<uint16_t>(imm8(insn) & (n - 1), static_cast<uint16_t>(readVec(cpu, insn, 1).lo()));
  writeVec(cpu, insn, 0, d);
}

// PEXTRW r32/r64, mm/xmm, imm8 (and SSE4.1's m16 form): zero-extended.
void handlePextrw(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec s = readVec(cpu, insn, 1);
  unsigned n = (isMmx(insn.ops[1]) ? 8 : 16) / 2;
  writeVec(cpu, insn, 0, Vec::fromU64(s.get<uint16_t>(imm8(insn) & (n - 1))));
}

}  // namespace

void registerSseShuffle(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_UNPCKLPS, &handleWhole<interleave<uint32_t, false>>);
  t.set(ZYDIS_MNEMONIC_UNPCKHPS, &handleWhole<interleave<uint32_t, true>>);
  t.set(ZYDIS_MNEMONIC_UNPCKLPD, &handleWhole<interleave<uint64_t, false>>);
  t.set(ZYDIS_MNEMONIC_UNPCKHPD, &handleWhole<interleave<uint64_t, true>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKLBW, &handleWhole<interleave<uint8_t, false>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKLWD, &handleWhole<interleave<uint16_t, false>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKLDQ, &handleWhole<interleave<uint32_t, false>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKLQDQ, &handleWhole<interleave<uint64_t, false>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKHBW, &handleWhole<interleave<uint8_t, true>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKHWD, &handleWhole<interleave<uint16_t, true>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKHDQ, &handleWhole<interleave<uint32_t, true>>);
  t.set(ZYDIS_MNEMONIC_PUNPCKHQDQ, &handleWhole<interleave<uint64_t, true>>);
  t.set(ZYDIS_MNEMONIC_PACKSSWB, &handleWhole<pack<int16_t, int8_t>>);
  t.set(ZYDIS_MNEMONIC_PACKSSDW, &handleWhole<pack<int32_t, int16_t>>);
  t.set(ZYDIS_MNEMONIC_PACKUSWB, &handleWhole<pack<int16_t, uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PACKUSDW, &handleWhole<pack<int32_t, uint16_t>>);  // SSE4.1
  t.set(ZYDIS_MNEMONIC_PSHUFD, &handlePshuf<uint32_t, 0, 4>);
  t.set(ZYDIS_MNEMONIC_PSHUFW, &handlePshuf<uint16_t, 0, 4>);
  t.set(ZYDIS_MNEMONIC_PSHUFLW, &handlePshuf<uint16_t, 0, 4>);
  t.set(ZYDIS_MNEMONIC_PSHUFHW, &handlePshuf<uint16_t, 4, 4>);
  t.set(ZYDIS_MNEMONIC_SHUFPS, &handleShuffleFloat<uint32_t>);
  t.set(ZYDIS_MNEMONIC_SHUFPD, &handleShuffleFloat<uint64_t>);
  t.set(ZYDIS_MNEMONIC_PINSRW, &handlePinsrw);
  t.set(ZYDIS_MNEMONIC_PEXTRW, &handlePextrw);
}

}  // namespace sv::sse
