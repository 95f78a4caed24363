// SSE3 (SDM Vol. 2): horizontal and alternating float arithmetic (HADDPS/
// PD, HSUBPS/PD, ADDSUBPS/PD) and the duplicating moves (MOVDDUP,
// MOVSHDUP, MOVSLDUP). LDDQU is in sse_moves.cpp, FISTTP in x87.cpp.
#include <Zydis/Zydis.h>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"

namespace sv::sse {

using simd::F32;
using simd::F64;

namespace {

// HADD/HSUB: the destination's lower half takes its own adjacent pairs,
// the upper half the source's (pair = element 2i op element 2i + 1).
template <class F, bool kSubtract>
void handleHorizontal(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1), r;
  constexpr unsigned kHalf = 8 / sizeof(Bits);
  simd::SimdEnv env = simdEnv(cpu);
  for (unsigned i = 0; i < 2 * kHalf; ++i) {
    const Vec& from = i < kHalf ? d : s;
    unsigned j = 2 * (i % kHalf);
    Bits a = from.get<Bits>(j), b = from.get<Bits>(j + 1);
    r.set<Bits>(i, kSubtract ? simd::sub<F>(a, b, env) : simd::add<F>(a, b, env));
  }
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, r);
}

// ADDSUBPS/PD: even elements subtract, odd elements add.
template <class F>
void handleAddSub(Cpu& cpu, const DecodedInsn& insn) {
  using Bits = typename F::Bits;
  requireSse(cpu);
  Vec d = readVec(cpu, insn, 0), s = readVec(cpu, insn, 1);
  simd::SimdEnv env = simdEnv(cpu);
  for (unsigned i = 0; i < 16 / sizeof(Bits); ++i) {
    Bits a = d.get<Bits>(i), b = s.get<Bits>(i);
    d.set<Bits>(i, (i & 1) ? simd::add<F>(a, b, env) : simd::sub<F>(a, b, env));
  }
  commitSimdFlags(cpu, env);
  writeVec(cpu, insn, 0, d);
}

// MOVDDUP (quadword 0 twice), MOVSLDUP (even dwords), MOVSHDUP (odd).
template <class T, unsigned kOffset>
void handleDuplicate(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec s = readVec(cpu, insn, 1), r;
  for (unsigned i = 0; i < 16 / sizeof(T); i += 2) {
    T v = s.get<T>(i + kOffset);
    r.set<T>(i, v);
    r.set<T>(i + 1, v);
  }
  writeVec(cpu, insn, 0, r);
}

}  // namespace

void registerSse3(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_HADDPS, &handleHorizontal<F32, false>);
  t.set(ZYDIS_MNEMONIC_HADDPD, &handleHorizontal<F64, false>);
  t.set(ZYDIS_MNEMONIC_HSUBPS, &handleHorizontal<F32, true>);
  t.set(ZYDIS_MNEMONIC_HSUBPD, &handleHorizontal<F64, true>);
  t.set(ZYDIS_MNEMONIC_ADDSUBPS, &handleAddSub<F32>);
  t.set(ZYDIS_MNEMONIC_ADDSUBPD, &handleAddSub<F64>);
  t.set(ZYDIS_MNEMONIC_MOVDDUP, &handleDuplicate<uint64_t, 0>);
  t.set(ZYDIS_MNEMONIC_MOVSLDUP, &handleDuplicate<uint32_t, 0>);
  t.set(ZYDIS_MNEMONIC_MOVSHDUP, &handleDuplicate<uint32_t, 1>);
}

}  // namespace sv::sse
