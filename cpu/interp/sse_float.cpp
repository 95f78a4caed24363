// SSE/SSE2 floating-point arithmetic (SDM Vol. 2): ADD/SUB/MUL/DIV/MIN/MAX/
// SQRT in packed and scalar single/double forms, RCPPS/RSQRTPS (and SS),
// CMPPS/CMPSS/CMPPD/CMPSD and COMISS/UCOMISS/COMISD/UCOMISD. The arithmetic
// is cpu/simd/soft_float; a scalar form keeps the destination's upper
// elements; an unmasked exception leaves the destination unchanged.
#include <Zydis/Zydis.h>

#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"

namespace sv::sse {

using simd::F32;
using simd::F64;

namespace {

template <class F>
using Binary = typename F::Bits (*)(typename F::Bits, typename F::Bits, simd::SimdEnv&);

template <class F>
constexpr unsigned kLanes = 16 / sizeof(typename F::Bits);

// dst[i] = op(dst[i], src[i]) for every element (packed) or element 0.
template <class F, Binary<F> kOp, bool kPacked>
void handleArith(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  simd::SimdEnv env = simdEnv(cpu);
  for (unsigned i = 0; i < (kPacked ? kLanes<F> : 1); ++i) d.set<Bits>(i, kOp(d.get<Bits>(i), s.get<Bits>(i), env));
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, d);
}

template <class F>
typename F::Bits sqrtOf(typename F::Bits, typename F::Bits s, simd::SimdEnv& env) {
  return simd::sqrt<F>(s, env);
}
uint32_t rcpOf(uint32_t, uint32_t s, simd::SimdEnv&) { return simd::reciprocalEstimate(s); }
uint32_t rsqrtOf(uint32_t, uint32_t s, simd::SimdEnv&) { return simd::reciprocalSqrtEstimate(s); }

// CMPPS .. CMPSD: all ones where the predicate (imm8 bits 2..0) holds.
template <class F, bool kPacked>
void handleCompare(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  simd::SimdEnv env = simdEnv(cpu);
  unsigned predicate = imm8(insn) & 7;
  for (unsigned i = 0; i < (kPacked ? kLanes<F> : 1); ++i) {
    bool hit = simd::comparePredicate<F>(d.get<Bits>(i), s.get<Bits>(i), predicate, env);
    d.set<Bits>(i, hit ? static_cast<Bits>(~Bits{0}) : Bits{0});
  }
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, d);
}

// COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF = unordered 111, greater 000,
// less 001, equal 100; OF, SF, AF cleared. COMIS signals on QNaN too.
template <class F, bool kSignaling>
void handleCompareFlags(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  simd::SimdEnv env = simdEnv(cpu);
  simd::Relation r = simd::compare<F>(d.get<Bits>(0), s.get<Bits>(0), kSignaling, env);
  commitSimdFlags(cpu, env);
  uint64_t f = 0;
  switch (r) {
    case simd::Relation::Unordered: f = flag::ZF | flag::PF | flag::CF; break;
    case simd::Relation::Less: f = flag::CF; break;
    case simd::Relation::Equal: f = flag::ZF; break;
    case simd::Relation::Greater: break;
  }
  flags::merge(cpu.state.rflags, f);
}

}  // namespace

void registerSseFloat(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_ADDPS, &handleArith<F32, simd::add<F32>, true>);
  t.set(ZYDIS_MNEMONIC_ADDSS, &handleArith<F32, simd::add<F32>, false>);
  t.set(ZYDIS_MNEMONIC_ADDPD, &handleArith<F64, simd::add<F64>, true>);
  t.set(ZYDIS_MNEMONIC_ADDSD, &handleArith<F64, simd::add<F64>, false>);
  t.set(ZYDIS_MNEMONIC_SUBPS, &handleArith<F32, simd::sub<F32>, true>);
  t.set(ZYDIS_MNEMONIC_SUBSS, &handleArith<F32, simd::sub<F32>, false>);
  t.set(ZYDIS_MNEMONIC_SUBPD, &handleArith<F64, simd::sub<F64>, true>);
  t.set(ZYDIS_MNEMONIC_SUBSD, &handleArith<F64, simd::sub<F64>, false>);
  t.set(ZYDIS_MNEMONIC_MULPS, &handleArith<F32, simd::mul<F32>, true>);
  t.set(ZYDIS_MNEMONIC_MULSS, &handleArith<F32, simd::mul<F32>, false>);
  t.set(ZYDIS_MNEMONIC_MULPD, &handleArith<F64, simd::mul<F64>, true>);
  t.set(ZYDIS_MNEMONIC_MULSD, &handleArith<F64, simd::mul<F64>, false>);
  t.set(ZYDIS_MNEMONIC_DIVPS, &handleArith<F32, simd::div<F32>, true>);
  t.set(ZYDIS_MNEMONIC_DIVSS, &handleArith<F32, simd::div<F32>, false>);
  t.set(ZYDIS_MNEMONIC_DIVPD, &handleArith<F64, simd::div<F64>, true>);
  t.set(ZYDIS_MNEMONIC_DIVSD, &handleArith<F64, simd::div<F64>, false>);
  t.set(ZYDIS_MNEMONIC_MINPS, &handleArith<F32, simd::min<F32>, true>);
  t.set(ZYDIS_MNEMONIC_MINSS, &handleArith<F32, simd::min<F32>, false>);
  t.set(ZYDIS_MNEMONIC_MINPD, &handleArith<F64, simd::min<F64>, true>);
  t.set(ZYDIS_MNEMONIC_MINSD, &handleArith<F64, simd::min<F64>, false>);
  t.set(ZYDIS_MNEMONIC_MAXPS, &handleArith<F32, simd::max<F32>, true>);
  t.set(ZYDIS_MNEMONIC_MAXSS, &handleArith<F32, simd::max<F32>, false>);
  t.set(ZYDIS_MNEMONIC_MAXPD, &handleArith<F64, simd::max<F64>, true>);
  t.set(ZYDIS_MNEMONIC_MAXSD, &handleArith<F64, simd::max<F64>, false>);
  t.set(ZYDIS_MNEMONIC_SQRTPS, &handleArith<F32, sqrtOf<F32>, true>);
  t.set(ZYDIS_MNEMONIC_SQRTSS, &handleArith<F32, sqrtOf<F32>, false>);
  t.set(ZYDIS_MNEMONIC_SQRTPD, &handleArith<F64, sqrtOf<F64>, true>);
  t.set(ZYDIS_MNEMONIC_SQRTSD, &handleArith<F64, sqrtOf<F64>, false>);
  t.set(ZYDIS_MNEMONIC_RCPPS, &handleArith<F32, rcpOf, true>);
  t.set(ZYDIS_MNEMONIC_RCPSS, &handleArith<F32, rcpOf, false>);
  t.set(ZYDIS_MNEMONIC_RSQRTPS, &handleArith<F32, rsqrtOf, true>);
  t.set(ZYDIS_MNEMONIC_RSQRTSS, &handleArith<F32, rsqrtOf, false>);
  t.set(ZYDIS_MNEMONIC_CMPPS, &handleCompare<F32, true>);
  t.set(ZYDIS_MNEMONIC_CMPSS, &handleCompare<F32, false>);
  t.set(ZYDIS_MNEMONIC_CMPPD, &handleCompare<F64, true>);
  t.cmpsd_sse = &handleCompare<F64, false>;
  t.set(ZYDIS_MNEMONIC_COMISS, &handleCompareFlags<F32, true>);
  t.set(ZYDIS_MNEMONIC_UCOMISS, &handleCompareFlags<F32, false>);
  t.set(ZYDIS_MNEMONIC_COMISD, &handleCompareFlags<F64, true>);
  t.set(ZYDIS_MNEMONIC_UCOMISD, &handleCompareFlags<F64, false>);
}

}  // namespace sv::sse
