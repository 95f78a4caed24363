// SSE4.1 (SDM Vol. 2): blends (BLENDPS/PD, BLENDVPS/PD, PBLENDVB, PBLENDW),
// dot products (DPPS/DPPD), ROUNDxx, element insert/extract (INSERTPS,
// EXTRACTPS, PINSRB/D/Q, PEXTRB/D/Q), MPSADBW, PHMINPOSUW, PTEST, the
// sign/zero extensions PMOVSX/PMOVZX and the new integer element rules
// (PMINxx/PMAXxx, PMULLD, PMULDQ, PCMPEQQ). MOVNTDQA is in sse_moves.cpp,
// PACKUSDW in sse_shuffle.cpp.
#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstdlib>

#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"
#include "cpu/interp/sse_lanes.h"

namespace sv::sse {

using simd::F32;
using simd::F64;

namespace {

template <class T> T minOf(T a, T b) { return std::min(a, b); }
template <class T> T maxOf(T a, T b) { return std::max(a, b); }
int32_t mulLowDword(int32_t a, int32_t b) { return static_cast<int32_t>(int64_t{a} * b); }
uint64_t cmpEqQword(uint64_t a, uint64_t b) { return a == b ? ~0ull : 0; }

// PMULDQ: signed low doublewords of each quadword, 64-bit products.
void multiplySignedDwords(Vec& d, const Vec& s, unsigned) {
  for (unsigned i = 0; i < 2; ++i) d.set<int64_t>(i, int64_t{d.get<int32_t>(2 * i)} * s.get<int32_t>(2 * i));
}

// BLENDPS/BLENDPD/PBLENDW: element i from src when imm8 bit i is set.
template <class T>
void handleBlendImmediate(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  uint8_t imm = imm8(insn);
  for (unsigned i = 0; i < 16 / sizeof(T); ++i)
    if (imm & (1u << i)) d.set<T>(i, s.get<T>(i));
  writeVec(cpu, insn, 0, d);
}

// BLENDVPS/BLENDVPD/PBLENDVB: element from src when the top bit of the
// same element of XMM0 (the implicit mask) is set.
template <class T>
void handleBlendVariable(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), mask = xmm(cpu, 0);
  for (unsigned i = 0; i < 16 / sizeof(T); ++i)
    if (mask.get<T>(i) >> (sizeof(T) * 8 - 1)) d.set<T>(i, s.get<T>(i));
  writeVec(cpu, insn, 0, d);
}

// DPPS/DPPD: products selected by imm8[7:4] (else +0), summed pairwise
// with each step rounded ((p0 + p1) + (p2 + p3) for DPPS), the sum
// broadcast to the elements imm8[3:0] selects (else +0). SDM Vol. 2, DPPS
// and DPPD "Operation". Each stage (the products, then each level of
// sums) ends like an instruction of its own: an unmasked exception there
// is #XM before the next stage runs (measured on the host).
template <class F>
void handleDotProduct(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  constexpr unsigned kLanes = 16 / sizeof(Bits);
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), r;
  uint8_t imm = imm8(insn);
  simd::SimdEnv env = simdEnv(cpu);
  Bits p[kLanes];
  for (unsigned i = 0; i < kLanes; ++i)
    p[i] = (imm & (0x10u << i)) ? simd::mul<F>(d.get<Bits>(i), s.get<Bits>(i), env) : Bits{0};
  commitSimdFlags(cpu, env);
  for (unsigned width = kLanes; width > 1; width /= 2) {
    env = simdEnv(cpu);
    for (unsigned i = 0; i < width / 2; ++i) p[i] = simd::add<F>(p[2 * i], p[2 * i + 1], env);
    commitSimdFlags(cpu, env);
  }
  for (unsigned i = 0; i < kLanes; ++i) r.set<Bits>(i, (imm & (1u << i)) ? p[0] : Bits{0});
  writeVec(cpu, insn, 0, r);
}

// ROUNDPS/PD/SS/SD: imm8[2] = use MXCSR.RC, else imm8[1:0]; imm8[3]
// suppresses PE. Scalar forms keep the destination's other elements.
template <class F, bool kPacked>
void handleRound(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1);
  Vec d = kPacked ? s : readVec(cpu, insn, 0);
  uint8_t imm = imm8(insn);
  simd::SimdEnv env = simdEnv(cpu);
  simd::Rounding mode = (imm & 4) ? env.rounding() : static_cast<simd::Rounding>(imm & 3);
  for (unsigned i = 0; i < (kPacked ? 16 / sizeof(Bits) : 1); ++i)
    d.set<Bits>(i, simd::roundToIntegral<F>(s.get<Bits>(i), mode, imm & 8, env));
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, d);
}

// PEXTRB/PEXTRD/PEXTRQ/EXTRACTPS r/m, xmm, imm8 (a GPR is zero-extended).
template <class T>
void handleExtract(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1);
  writeVec(cpu, insn, 0, Vec::fromU64(s.get<T>(imm8(insn) & (16 / sizeof(T) - 1))));
}

// PINSRB/PINSRD/PINSRQ xmm, r/m, imm8.
template <class T>
void handleInsert(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0);
  d.set<T>(imm8(insn) & (16 / sizeof(T) - 1), static_cast<T>(readVec(cpu, insn, 1).lo()));
  writeVec(cpu, insn, 0, d);
}

// INSERTPS: source element imm8[7:6] (a memory source is the m32 itself)
// into element imm8[5:4], then the elements in imm8[3:0] zeroed.
void handleInsertps(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  uint8_t imm = imm8(insn);
  uint32_t v = s.get<uint32_t>(insn.ops[1].kind == OpKind::Mem ? 0 : imm >> 6);
  d.set<uint32_t>((imm >> 4) & 3, v);
  for (unsigned i = 0; i < 4; ++i)
    if (imm & (1u << i)) d.set<uint32_t>(i, 0);
  writeVec(cpu, insn, 0, d);
}

// MPSADBW: eight sums of absolute differences between the 4-byte source
// block imm8[1:0] and the sliding destination bytes from imm8[2] * 4.
void handleMpsadbw(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), r;
  uint8_t imm = imm8(insn);
  unsigned soff = (imm & 3) * 4, doff = ((imm >> 2) & 1) * 4;
  for (unsigned i = 0; i < 8; ++i) {
    unsigned sum = 0;
    for (unsigned j = 0; j < 4; ++j) sum += static_cast<unsigned>(std::abs(int{d.b[doff + i + j]} - int{s.b[soff + j]}));
    r.set<uint16_t>(i, static_cast<uint16_t>(sum));
  }
  writeVec(cpu, insn, 0, r);
}

// PHMINPOSUW: the smallest unsigned word and its (lowest) index.
void handlePhminposuw(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1), r;
  unsigned best = 0;
  for (unsigned i = 1; i < 8; ++i)
    if (s.get<uint16_t>(i) < s.get<uint16_t>(best)) best = i;
  r.set<uint16_t>(0, s.get<uint16_t>(best));
  r.set<uint16_t>(1, static_cast<uint16_t>(best));
  writeVec(cpu, insn, 0, r);
}

// PTEST: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0; AF, OF,
// PF, SF cleared.
void handlePtest(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  bool zf = ((d.lo() & s.lo()) | (d.hi() & s.hi())) == 0;
  bool cf = ((~d.lo() & s.lo()) | (~d.hi() & s.hi())) == 0;
  flags::merge(cpu.state.rflags, (zf ? flag::ZF : 0) | (cf ? flag::CF : 0));
}

// PMOVSX/PMOVZX: the source's low elements From widened to To.
template <class From, class To>
void handleExtend(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1), r;
  for (unsigned i = 0; i < 16 / sizeof(To); ++i) r.set<To>(i, static_cast<To>(s.get<From>(i)));
  writeVec(cpu, insn, 0, r);
}

}  // namespace

void registerSse41(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_BLENDPS, &handleBlendImmediate<uint32_t>);
  t.set(ZYDIS_MNEMONIC_BLENDPD, &handleBlendImmediate<uint64_t>);
  t.set(ZYDIS_MNEMONIC_PBLENDW, &handleBlendImmediate<uint16_t>);
  t.set(ZYDIS_MNEMONIC_BLENDVPS, &handleBlendVariable<uint32_t>);
  t.set(ZYDIS_MNEMONIC_BLENDVPD, &handleBlendVariable<uint64_t>);
  t.set(ZYDIS_MNEMONIC_PBLENDVB, &handleBlendVariable<uint8_t>);
  t.set(ZYDIS_MNEMONIC_DPPS, &handleDotProduct<F32>);
  t.set(ZYDIS_MNEMONIC_DPPD, &handleDotProduct<F64>);
  t.set(ZYDIS_MNEMONIC_ROUNDPS, &handleRound<F32, true>);
  t.set(ZYDIS_MNEMONIC_ROUNDPD, &handleRound<F64, true>);
  t.set(ZYDIS_MNEMONIC_ROUNDSS, &handleRound<F32, false>);
  t.set(ZYDIS_MNEMONIC_ROUNDSD, &handleRound<F64, false>);
  t.set(ZYDIS_MNEMONIC_PEXTRB, &handleExtract<uint8_t>);
  t.set(ZYDIS_MNEMONIC_PEXTRD, &handleExtract<uint32_t>);
  t.set(ZYDIS_MNEMONIC_PEXTRQ, &handleExtract<uint64_t>);
  t.set(ZYDIS_MNEMONIC_EXTRACTPS, &handleExtract<uint32_t>);
  t.set(ZYDIS_MNEMONIC_PINSRB, &handleInsert<uint8_t>);
  t.set(ZYDIS_MNEMONIC_PINSRD, &handleInsert<uint32_t>);
  t.set(ZYDIS_MNEMONIC_PINSRQ, &handleInsert<uint64_t>);
  t.set(ZYDIS_MNEMONIC_INSERTPS, &handleInsertps);
  t.set(ZYDIS_MNEMONIC_MPSADBW, &handleMpsadbw);
  t.set(ZYDIS_MNEMONIC_PHMINPOSUW, &handlePhminposuw);
  t.set(ZYDIS_MNEMONIC_PTEST, &handlePtest);
  t.set(ZYDIS_MNEMONIC_PMINSB, &handleLanes<int8_t, minOf<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PMINSD, &handleLanes<int32_t, minOf<int32_t>>);
  t.set(ZYDIS_MNEMONIC_PMINUW, &handleLanes<uint16_t, minOf<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PMINUD, &handleLanes<uint32_t, minOf<uint32_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXSB, &handleLanes<int8_t, maxOf<int8_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXSD, &handleLanes<int32_t, maxOf<int32_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXUW, &handleLanes<uint16_t, maxOf<uint16_t>>);
  t.set(ZYDIS_MNEMONIC_PMAXUD, &handleLanes<uint32_t, maxOf<uint32_t>>);
  t.set(ZYDIS_MNEMONIC_PMULLD, &handleLanes<int32_t, mulLowDword>);
  t.set(ZYDIS_MNEMONIC_PMULDQ, &handleWhole<multiplySignedDwords>);
  t.set(ZYDIS_MNEMONIC_PCMPEQQ, &handleLanes<uint64_t, cmpEqQword>);
  t.set(ZYDIS_MNEMONIC_PMOVSXBW, &handleExtend<int8_t, int16_t>);
  t.set(ZYDIS_MNEMONIC_PMOVSXBD, &handleExtend<int8_t, int32_t>);
  t.set(ZYDIS_MNEMONIC_PMOVSXBQ, &handleExtend<int8_t, int64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVSXWD, &handleExtend<int16_t, int32_t>);
  t.set(ZYDIS_MNEMONIC_PMOVSXWQ, &handleExtend<int16_t, int64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVSXDQ, &handleExtend<int32_t, int64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXBW, &handleExtend<uint8_t, uint16_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXBD, &handleExtend<uint8_t, uint32_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXBQ, &handleExtend<uint8_t, uint64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXWD, &handleExtend<uint16_t, uint32_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXWQ, &handleExtend<uint16_t, uint64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVZXDQ, &handleExtend<uint32_t, uint64_t>);
}

}  // namespace sv::sse
