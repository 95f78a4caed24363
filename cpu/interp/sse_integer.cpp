// MMX and SSE2 integer arithmetic, comparison, logic and shifts on MMX
// (8-byte) and XMM (16-byte) registers (SDM Vol. 2, PADDB .. PXOR), plus
// the SSE bitwise float logic (ANDPS .. XORPD), which is the same thing.
// One element rule per instruction, applied lane by lane.
#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"
#include "cpu/interp/sse_lanes.h"

namespace sv::sse {

namespace {

template <class T>
T saturate(int64_t v) {
  return static_cast<T>(std::clamp<int64_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

// Element rules.
template <class T> T addWrap(T a, T b) { return static_cast<T>(a + b); }
template <class T> T subWrap(T a, T b) { return static_cast<T>(a - b); }
template <class T> T addSat(T a, T b) { return saturate<T>(int64_t{a} + int64_t{b}); }
template <class T> T subSat(T a, T b) { return saturate<T>(int64_t{a} - int64_t{b}); }
template <class T> T cmpEq(T a, T b) { return a == b ? static_cast<T>(~T{0}) : T{0}; }
template <class T> T cmpGt(T a, T b) { return a > b ? static_cast<T>(~T{0}) : T{0}; }
template <class T> T minOf(T a, T b) { return std::min(a, b); }
template <class T> T maxOf(T a, T b) { return std::max(a, b); }
template <class T> T average(T a, T b) { return static_cast<T>((uint32_t{a} + uint32_t{b} + 1) >> 1); }
int16_t mulLow(int16_t a, int16_t b) { return static_cast<int16_t>(int32_t{a} * b); }
int16_t mulHigh(int16_t a, int16_t b) { return static_cast<int16_t>((int32_t{a} * b) >> 16); }
uint16_t mulHighUnsigned(uint16_t a, uint16_t b) { return static_cast<uint16_t>((uint32_t{a} * b) >> 16); }
uint64_t andBits(uint64_t a, uint64_t b) { return a & b; }
uint64_t andNotBits(uint64_t a, uint64_t b) { return ~a & b; }
uint64_t orBits(uint64_t a, uint64_t b) { return a | b; }
uint64_t xorBits(uint64_t a, uint64_t b) { return a ^ b; }

// PMULUDQ: low unsigned doublewords of each quadword, 64-bit products.
void pmuludq(Vec& d, const Vec& s, unsigned bytes) {
  for (unsigned i = 0; i < bytes / 8; ++i)
    d.set<uint64_t>(i, uint64_t{d.get<uint32_t>(2 * i)} * s.get<uint32_t>(2 * i));
}

// PMADDWD: pairs of signed word products summed into doublewords (the
// 0x8000 * 0x8000 * 2 case wraps to 0x80000000, as the SDM says).
void pmaddwd(Vec& d, const Vec& s, unsigned bytes) {
  Vec r;
  for (unsigned i = 0; i < bytes / 4; ++i) {
    int64_t sum = int64_t{d.get<int16_t>(2 * i)} * s.get<int16_t>(2 * i) +
                  int64_t{d.get<int16_t>(2 * i + 1)} * s.get<int16_t>(2 * i + 1);
    r.set<uint32_t>(i, static_cast<uint32_t>(sum));
  }
  d = r;
}

// PSADBW: sum of absolute byte differences per quadword, in its low word.
void psadbw(Vec& d, const Vec& s, unsigned bytes) {
  Vec r;
  for (unsigned q = 0; q < bytes / 8; ++q) {
    unsigned sum = 0;
    for (unsigned i = 0; i < 8; ++i) {
      int diff = int{d.b[8 * q + i]} - int{s.b[8 * q + i]};
      sum += static_cast<unsigned>(diff < 0 ? -diff : diff);
    }
    r.set<uint64_t>(q, sum);
  }
  d = r;
}

enum class Shift { Left, RightLogical, RightArithmetic };

// PSLL/PSRL/PSRA by a register/memory count (its whole low quadword) or
// an immediate: counts beyond the element width give 0 (or the sign).
template <class T, Shift kKind>
void handleShift(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec d = readVec(cpu, insn, 0);
  uint64_t count = insn.ops[1].kind == OpKind::Imm ? insn.ops[1].imm & 0xFF : readVec(cpu, insn, 1).lo();
  constexpr unsigned kBits = sizeof(T) * 8;
  unsigned n = vectorBytes(insn) / sizeof(T);
  for (unsigned i = 0; i < n; ++i) {
    T v = d.get<T>(i);
    if constexpr (kKind == Shift::RightArithmetic) {
      using S = std::make_signed_t<T>;
      unsigned c = count >= kBits ? kBits - 1 : static_cast<unsigned>(count);
      v = static_cast<T>(static_cast<S>(v) >> c);
    } else if (count >= kBits) {
      v = 0;
    } else if constexpr (kKind == Shift::Left) {
      v = static_cast<T>(v << count);
    } else {
      v = static_cast<T>(v >> count);
    }
    d.set<T>(i, v);
  }
  writeVec(cpu, insn, 0, d);
}

// PSLLDQ/PSRLDQ: whole-register byte shifts by imm8 (> 15 clears).
template <bool kLeft>
void handleByteShift(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), r;
  unsigned c = imm8(insn);
  for (unsigned i = 0; i < 16; ++i) {
    unsigned from = kLeft ? i - c : i + c;  // wraps above 15 when out of range
    r.b[i] = (c < 16 && from < 16) ? d.b[from] : 0;
  }
  writeVec(cpu, insn, 0, r);
}

}  // namespace

void registerSseInteger(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_PADDB, &handleLanes<uint8_t, addWrap<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PADDW, &handleLanes<uint16_t, addWrap<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PADDD, &handleLanes<uint32_t, addWrap<uint32_t>>);
  t.set(ZYDIS_MNEMONIC_PADDQ, &handleLanes<uint64_t, addWrap<uint64_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBB, &handleLanes<uint8_t, subWrap<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBW, &handleLanes<uint16_t, subWrap<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBD, &handleLanes<uint32_t, subWrap<uint32_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBQ, &handleLanes<uint64_t, subWrap<uint64_t>>);
  t.set(ZYDIS_MNEMONIC_PADDSB, &handleLanes<int8_t, addSat<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PADDSW, &handleLanes<int16_t, addSat<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PADDUSB, &handleLanes<uint8_t, addSat<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PADDUSW, &handleLanes<uint16_t, addSat<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBSB, &handleLanes<int8_t, subSat<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBSW, &handleLanes<int16_t, subSat<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBUSB, &handleLanes<uint8_t, subSat<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PSUBUSW, &handleLanes<uint16_t, subSat<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPEQB, &handleLanes<uint8_t, cmpEq<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPEQW, &handleLanes<uint16_t, cmpEq<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPEQD, &handleLanes<uint32_t, cmpEq<uint32_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPGTB, &handleLanes<int8_t, cmpGt<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPGTW, &handleLanes<int16_t, cmpGt<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PCMPGTD, &handleLanes<int32_t, cmpGt<int32_t>>);
  t.set(ZYDIS_MNEMONIC_PMINUB, &handleLanes<uint8_t, minOf<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXUB, &handleLanes<uint8_t, maxOf<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PMINSW, &handleLanes<int16_t, minOf<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXSW, &handleLanes<int16_t, maxOf<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PAVGB, &handleLanes<uint8_t, average<uint8_t>>);
  t.set(ZYDIS_MNEMONIC_PAVGW, &handleLanes<uint16_t, average<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PMULLW, &handleLanes<int16_t, mulLow>);
  t.set(ZYDIS_MNEMONIC_PMULHW, &handleLanes<int16_t, mulHigh>);
  t.set(ZYDIS_MNEMONIC_PMULHUW, &handleLanes<uint16_t, mulHighUnsigned>);
  t.set(ZYDIS_MNEMONIC_PMULUDQ, &handleWhole<pmuludq>);
  t.set(ZYDIS_MNEMONIC_PMADDWD, &handleWhole<pmaddwd>);
  t.set(ZYDIS_MNEMONIC_PSADBW, &handleWhole<psadbw>);
  for (auto m : {ZYDIS_MNEMONIC_PAND, ZYDIS_MNEMONIC_ANDPS, ZYDIS_MNEMONIC_ANDPD})
    t.set(m, &handleLanes<uint64_t, andBits>);
  for (auto m : {ZYDIS_MNEMONIC_PANDN, ZYDIS_MNEMONIC_ANDNPS, ZYDIS_MNEMONIC_ANDNPD})
    t.set(m, &handleLanes<uint64_t, andNotBits>);
  for (auto m : {ZYDIS_MNEMONIC_POR, ZYDIS_MNEMONIC_ORPS, ZYDIS_MNEMONIC_ORPD})
    t.set(m, &handleLanes<uint64_t, orBits>);
  for (auto m : {ZYDIS_MNEMONIC_PXOR, ZYDIS_MNEMONIC_XORPS, ZYDIS_MNEMONIC_XORPD})
    t.set(m, &handleLanes<uint64_t, xorBits>);
  t.set(ZYDIS_MNEMONIC_PSLLW, &handleShift<uint16_t, Shift::Left>);
  t.set(ZYDIS_MNEMONIC_PSLLD, &handleShift<uint32_t, Shift::Left>);
  t.set(ZYDIS_MNEMONIC_PSLLQ, &handleShift<uint64_t, Shift::Left>);
  t.set(ZYDIS_MNEMONIC_PSRLW, &handleShift<uint16_t, Shift::RightLogical>);
  t.set(ZYDIS_MNEMONIC_PSRLD, &handleShift<uint32_t, Shift::RightLogical>);
  t.set(ZYDIS_MNEMONIC_PSRLQ, &handleShift<uint64_t, Shift::RightLogical>);
  t.set(ZYDIS_MNEMONIC_PSRAW, &handleShift<uint16_t, Shift::RightArithmetic>);
  t.set(ZYDIS_MNEMONIC_PSRAD, &handleShift<uint32_t, Shift::RightArithmetic>);
  t.set(ZYDIS_MNEMONIC_PSLLDQ, &handleByteShift<true>);
  t.set(ZYDIS_MNEMONIC_PSRLDQ, &handleByteShift<false>);
}

}  // namespace sv::sse
