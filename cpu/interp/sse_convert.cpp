// SSE/SSE2 conversions (SDM Vol. 2, CVTxx2yy): between single and double,
// from integers (GPR, MMX pairs, packed doublewords) and to integers
// (rounded per MXCSR or truncated "CVTT"; NaN and out-of-range values give
// the integer indefinite with IE). GPR forms are 32- or 64-bit by REX.W.
#include <Zydis/Zydis.h>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"

namespace sv::sse {

using simd::F32;
using simd::F64;

namespace {

// Element kinds of a conversion's source and destination.
enum class Kind { Int32, Single, Double };

template <Kind K> struct KindBits;
template <> struct KindBits<Kind::Int32> { using T = uint32_t; };
template <> struct KindBits<Kind::Single> { using T = uint32_t; };
template <> struct KindBits<Kind::Double> { using T = uint64_t; };

template <Kind kFrom, Kind kTo, bool kTruncate>
typename KindBits<kTo>::T convert(typename KindBits<kFrom>::T v, simd::SimdEnv& env) {
  if constexpr (kFrom == Kind::Int32 && kTo == Kind::Single) return simd::fromInt<F32>(static_cast<int32_t>(v), env);
  if constexpr (kFrom == Kind::Int32 && kTo == Kind::Double) return simd::fromInt<F64>(static_cast<int32_t>(v), env);
  if constexpr (kFrom == Kind::Single && kTo == Kind::Double) return simd::f32ToF64(v, env);
  if constexpr (kFrom == Kind::Double && kTo == Kind::Single) return simd::f64ToF32(v, env);
  if constexpr (kFrom == Kind::Single && kTo == Kind::Int32)
    return static_cast<uint32_t>(simd::toInt<F32>(v, 32, kTruncate, env));
  if constexpr (kFrom == Kind::Double && kTo == Kind::Int32)
    return static_cast<uint32_t>(simd::toInt<F64>(v, 32, kTruncate, env));
}

// Element-wise conversion of `kCount` elements from operand 1 into the
// low elements of operand 0. kKeepRest: the rest of the destination stays
// (scalar forms, CVTPI2PS); otherwise it is zeroed (CVTPD2PS, CVTPD2DQ ...).
template <Kind kFrom, Kind kTo, unsigned kCount, bool kKeepRest, bool kTruncate = false>
void handleConvert(Cpu& cpu, const DecodedInsn& insn) {
  using From = typename KindBits<kFrom>::T;
  using To = typename KindBits<kTo>::T;
  requireFor(cpu, insn);
  Vec s = readVec(cpu, insn, 1);
  Vec d = kKeepRest ? readVec(cpu, insn, 0) : Vec{};
  simd::SimdEnv env = simdEnv(cpu);
  for (unsigned i = 0; i < kCount; ++i) d.set<To>(i, convert<kFrom, kTo, kTruncate>(s.get<From>(i), env));
  commitSimdFlags(cpu, env);
  if (isMmx(insn.ops[0])) d = Vec::fromU64(d.lo());
  writeVec(cpu, insn, 0, d);
}

// CVTSI2SS/CVTSI2SD xmm, r/m32|r/m64: one element, the rest kept.
template <class F>
void handleFromGpr(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  unsigned size = insn.ops[1].size;
  uint64_t raw = cpu.readOp(insn, 1);
  int64_t v = size == 8 ? static_cast<int64_t>(raw) : static_cast<int64_t>(static_cast<int32_t>(raw));
  Vec d = readVec(cpu, insn, 0);
  simd::SimdEnv env = simdEnv(cpu);
  d.set<typename F::Bits>(0, simd::fromInt<F>(v, env));
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, d);
}

// CVTSS2SI/CVTTSS2SI/CVTSD2SI/CVTTSD2SI r32|r64, xmm/m: the indefinite is
// 0x80000000 or 0x8000000000000000 by the destination's width.
template <class F, bool kTruncate>
void handleToGpr(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1);
  unsigned bits = insn.ops[0].size * 8;
  simd::SimdEnv env = simdEnv(cpu);
  int64_t v = simd::toInt<F>(s.get<typename F::Bits>(0), bits, kTruncate, env);
  commitSimdFlags(cpu, env);
  cpu.writeReg(insn.ops[0].reg, insn.ops[0].size, static_cast<uint64_t>(v));
}

}  // namespace

void registerSseConvert(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_CVTSI2SS, &handleFromGpr<F32>);
  t.set(ZYDIS_MNEMONIC_CVTSI2SD, &handleFromGpr<F64>);
  t.set(ZYDIS_MNEMONIC_CVTSS2SI, &handleToGpr<F32, false>);
  t.set(ZYDIS_MNEMONIC_CVTTSS2SI, &handleToGpr<F32, true>);
  t.set(ZYDIS_MNEMONIC_CVTSD2SI, &handleToGpr<F64, false>);
  t.set(ZYDIS_MNEMONIC_CVTTSD2SI, &handleToGpr<F64, true>);
  t.set(ZYDIS_MNEMONIC_CVTSS2SD, &handleConvert<Kind::Single, Kind::Double, 1, true>);
  t.set(ZYDIS_MNEMONIC_CVTSD2SS, &handleConvert<Kind::Double, Kind::Single, 1, true>);
  t.set(ZYDIS_MNEMONIC_CVTPS2PD, &handleConvert<Kind::Single, Kind::Double, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTPD2PS, &handleConvert<Kind::Double, Kind::Single, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTDQ2PS, &handleConvert<Kind::Int32, Kind::Single, 4, false>);
  t.set(ZYDIS_MNEMONIC_CVTDQ2PD, &handleConvert<Kind::Int32, Kind::Double, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTPS2DQ, &handleConvert<Kind::Single, Kind::Int32, 4, false>);
  t.set(ZYDIS_MNEMONIC_CVTTPS2DQ, &handleConvert<Kind::Single, Kind::Int32, 4, false, true>);
  t.set(ZYDIS_MNEMONIC_CVTPD2DQ, &handleConvert<Kind::Double, Kind::Int32, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTTPD2DQ, &handleConvert<Kind::Double, Kind::Int32, 2, false, true>);
  t.set(ZYDIS_MNEMONIC_CVTPI2PS, &handleConvert<Kind::Int32, Kind::Single, 2, true>);
  t.set(ZYDIS_MNEMONIC_CVTPI2PD, &handleConvert<Kind::Int32, Kind::Double, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTPS2PI, &handleConvert<Kind::Single, Kind::Int32, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTTPS2PI, &handleConvert<Kind::Single, Kind::Int32, 2, false, true>);
  t.set(ZYDIS_MNEMONIC_CVTPD2PI, &handleConvert<Kind::Double, Kind::Int32, 2, false>);
  t.set(ZYDIS_MNEMONIC_CVTTPD2PI, &handleConvert<Kind::Double, Kind::Int32, 2, false, true>);
}

}  // namespace sv::sse
