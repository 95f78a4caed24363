// SSSE3 (SDM Vol. 2), MMX and XMM forms: PABSx, PSIGNx, PSHUFB, PALIGNR,
// the horizontal integer adds/subtracts (PHADDx, PHSUBx, saturating
// PHADDSW/PHSUBSW), PMADDUBSW and PMULHRSW.
#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstdlib>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"
#include "cpu/interp/sse_lanes.h"

namespace sv::sse {

namespace {

int16_t saturateWord(int32_t v) { return static_cast<int16_t>(std::clamp(v, -32768, 32767)); }

// PABSB/W/D: |src| as an unsigned element (|-128| = 0x80).
template <class T>
void absolute(Vec& d, const Vec& s, unsigned bytes) {
  for (unsigned i = 0; i < bytes / sizeof(T); ++i) {
    int64_t v = s.get<T>(i);
    d.set<T>(i, static_cast<T>(v < 0 ? -v : v));
  }
}

// PSIGNB/W/D: negate, zero or keep dst by the sign of src.
template <class T>
T signOf(T d, T s) {
  return s < 0 ? static_cast<T>(-d) : s == 0 ? T{0} : d;
}

// PSHUFB: byte i = dst[src[i] mod width], or 0 when src[i] bit 7 is set.
void shuffleBytes(Vec& d, const Vec& s, unsigned bytes) {
  Vec r;
  for (unsigned i = 0; i < bytes; ++i) r.b[i] = (s.b[i] & 0x80) ? 0 : d.b[s.b[i] & (bytes - 1)];
  d = r;
}

// PHADD/PHSUB (T, saturating or wrapping): low half from dst's pairs,
// high half from src's.
template <class T, bool kSubtract, bool kSaturate>
void horizontal(Vec& d, const Vec& s, unsigned bytes) {
  unsigned half = bytes / sizeof(T) / 2;
  Vec r;
  for (unsigned i = 0; i < 2 * half; ++i) {
    const Vec& from = i < half ? d : s;
    unsigned j = 2 * (i % half);
    int64_t a = from.get<T>(j), b = from.get<T>(j + 1);
    int64_t v = kSubtract ? a - b : a + b;
    r.set<T>(i, kSaturate ? static_cast<T>(saturateWord(static_cast<int32_t>(v))) : static_cast<T>(v));
  }
  d = r;
}

// PMADDUBSW: unsigned dst bytes times signed src bytes, adjacent products
// summed with signed saturation.
void multiplyAddBytes(Vec& d, const Vec& s, unsigned bytes) {
  Vec r;
  for (unsigned i = 0; i < bytes / 2; ++i) {
    int32_t v = int32_t{d.b[2 * i]} * s.get<int8_t>(2 * i) + int32_t{d.b[2 * i + 1]} * s.get<int8_t>(2 * i + 1);
    r.set<int16_t>(i, saturateWord(v));
  }
  d = r;
}

// PMULHRSW: the product's bits 30..15, rounded.
int16_t mulHighRoundScale(int16_t a, int16_t b) {
  return static_cast<int16_t>((((int32_t{a} * b) >> 14) + 1) >> 1);
}

// PALIGNR: dst:src shifted right by imm8 bytes, the low half kept.
void handlePalignr(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  unsigned n = vectorBytes(insn);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), r;
  unsigned shift = imm8(insn);
  for (unsigned i = 0; i < n; ++i) {
    unsigned k = i + shift;
    r.b[i] = k < n ? s.b[k] : k < 2 * n ? d.b[k - n] : 0;
  }
  writeVec(cpu, insn, 0, r);
}

}  // namespace

void registerSsse3(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_PABSB, &handleWhole<absolute<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PABSW, &handleWhole<absolute<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PABSD, &handleWhole<absolute<int32_t>>);
  t.set(ZYDIS_MNEMONIC_PSIGNB, &handleLanes<int8_t, signOf<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PSIGNW, &handleLanes<int16_t, signOf<int16_t>>);
  t.set(ZYDIS_MNEMONIC_PSIGND, &handleLanes<int32_t, signOf<int32_t>>);
  t.set(ZYDIS_MNEMONIC_PSHUFB, &handleWhole<shuffleBytes>);
  t.set(ZYDIS_MNEMONIC_PHADDW, &handleWhole<horizontal<int16_t, false, false>>);
  t.set(ZYDIS_MNEMONIC_PHADDD, &handleWhole<horizontal<int32_t, false, false>>);
  t.set(ZYDIS_MNEMONIC_PHADDSW, &handleWhole<horizontal<int16_t, false, true>>);
  t.set(ZYDIS_MNEMONIC_PHSUBW, &handleWhole<horizontal<int16_t, true, false>>);
  t.set(ZYDIS_MNEMONIC_PHSUBD, &handleWhole<horizontal<int32_t, true, false>>);
  t.set(ZYDIS_MNEMONIC_PHSUBSW, &handleWhole<horizontal<int16_t, true, true>>);
  t.set(ZYDIS_MNEMONIC_PMADDUBSW, &handleWhole<multiplyAddBytes>);
  t.set(ZYDIS_MNEMONIC_PMULHRSW, &handleLanes<int16_t, mulHighRoundScale>);
  t.set(ZYDIS_MNEMONIC_PALIGNR, &handlePalignr);
}

}  // namespace sv::sse
