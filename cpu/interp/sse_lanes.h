// Handler templates for MMX/SSE integer instructions of the form
// "dst = f(dst, src)": element by element, or on the whole value.
#pragma once

#include "cpu/interp/sse_common.h"

namespace sv::sse {

// dst[i] = kOp(dst[i], src[i]) for every element of type T.
template <class T, T (*kOp)(T, T)>
void handleLanes(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec d = readVec(cpu, insn, 0);
  Vec s = readVec(cpu, insn, 1);
  unsigned n = vectorBytes(insn) / sizeof(T);
  for (unsigned i = 0; i < n; ++i) d.set<T>(i, kOp(d.get<T>(i), s.get<T>(i)));
  writeVec(cpu, insn, 0, d);
}

// kOp(dst, src, bytes) rewrites dst; bytes is 8 (MMX) or 16 (XMM).
template <void (*kOp)(Vec&, const Vec&, unsigned)>
void handleWhole(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec d = readVec(cpu, insn, 0);
  Vec s = readVec(cpu, insn, 1);
  kOp(d, s, vectorBytes(insn));
  writeVec(cpu, insn, 0, d);
}

}  // namespace sv::sse
