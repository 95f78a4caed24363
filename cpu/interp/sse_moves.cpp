// SSE/SSE2 and MMX data movement (SDM Vol. 2): full-register moves
// (MOVAPS .. MOVDQU, the non-temporal stores), scalar and half moves
// (MOVSS, MOVSD, MOVLPS .. MOVLHPS), MOVD/MOVQ in all their forms,
// MOVQ2DQ/MOVDQ2Q, the mask extractions, MASKMOVQ/MASKMOVDQU, MOVNTI,
// EMMS, LDMXCSR/STMXCSR and the fences.
#include <Zydis/Zydis.h>

#include "cpu/interp/handler_table.h"
#include "cpu/interp/sse_common.h"

namespace sv::sse {

namespace {

// MOVAPS/MOVUPS/MOVDQA/MOVNTDQ ...: all 16 bytes (8 for MOVQ mm forms);
// alignment per the mnemonic (readVec/writeVec).
void handleMoveFull(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  writeVec(cpu, insn, 0, readVec(cpu, insn, 1));
}

// MOVD/MOVQ: the source's low op.size bytes; a vector register destination
// is zero-extended (MOVD xmm, r32 clears bits 32..127; MOVQ xmm, xmm/m64
// clears 64..127), a GPR destination takes 4 or 8 bytes (REX.W).
void handleMovdMovq(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec src = readVec(cpu, insn, 1);
  unsigned size = insn.ops[1].size < insn.ops[0].size ? insn.ops[1].size : insn.ops[0].size;
  if (size == 0 || size > 8) size = 8;
  uint64_t v = src.lo() & (size >= 8 ? ~0ull : (1ull << (size * 8)) - 1);
  writeVec(cpu, insn, 0, Vec::fromU64(v));
}

// MOVSS/MOVSD (SSE2, F2 0F 10/11): register to register moves the low
// element only; a load zeroes the rest; a store writes the element.
template <class T>
void handleMoveScalar(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec src = readVec(cpu, insn, 1);
  if (insn.ops[0].kind == OpKind::Mem) return writeVec(cpu, insn, 0, src);
  if (insn.ops[1].kind == OpKind::Mem) return writeVec(cpu, insn, 0, src);  // zero-extended
  Vec dst = readVec(cpu, insn, 0);
  dst.set<T>(0, src.get<T>(0));
  writeVec(cpu, insn, 0, dst);
}

// MOVLPS/MOVLPD (low quadword) and MOVHPS/MOVHPD (high) between an XMM
// register and m64; the other half of the register is kept.
template <unsigned kHalf>
void handleMoveHalf(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  if (insn.ops[0].kind == OpKind::Mem) {
    Vec src = readVec(cpu, insn, 1);
    return writeVec(cpu, insn, 0, Vec::fromU64(src.get<uint64_t>(kHalf)));
  }
  Vec dst = readVec(cpu, insn, 0);
  dst.set<uint64_t>(kHalf, readVec(cpu, insn, 1).lo());
  writeVec(cpu, insn, 0, dst);
}

// MOVHLPS: low = source's high; MOVLHPS: high = source's low.
template <unsigned kFrom, unsigned kTo>
void handleMoveHalfReg(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  Vec dst = readVec(cpu, insn, 0);
  dst.set<uint64_t>(kTo, readVec(cpu, insn, 1).get<uint64_t>(kFrom));
  writeVec(cpu, insn, 0, dst);
}

// MOVQ2DQ xmm, mm (zero-extended) and MOVDQ2Q mm, xmm (low quadword).
void handleMoveBetweenFiles(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  writeVec(cpu, insn, 0, Vec::fromU64(readVec(cpu, insn, 1).lo()));
}

// MOVMSKPS/MOVMSKPD/PMOVMSKB: the sign bits of the elements into a GPR.
template <class T>
void handleMoveMask(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec src = readVec(cpu, insn, 1);
  unsigned n = (isMmx(insn.ops[1]) ? 8 : 16) / sizeof(T);
  uint64_t mask = 0;
  for (unsigned i = 0; i < n; ++i)
    if (src.get<T>(i) >> (sizeof(T) * 8 - 1)) mask |= 1ull << i;
  cpu.writeReg(insn.ops[0].reg, insn.ops[0].size, mask);
}

// MASKMOVQ/MASKMOVDQU: bytes whose mask byte has its top bit set go to
// DS:rDI (segment override allowed). The range is checked first so a
// fault stores nothing.
void handleMaskMove(Cpu& cpu, const DecodedInsn& insn) {
  requireFor(cpu, insn);
  Vec data = readVec(cpu, insn, 0), mask = readVec(cpu, insn, 1);
  unsigned n = vectorBytes(insn);
  uint8_t seg = insn.seg_override == DecodedInsn::kNoSeg ? uint8_t{DS} : insn.seg_override;
  uint64_t amask = insn.addrsize >= 8 ? ~0ull : (1ull << (insn.addrsize * 8)) - 1;
  uint64_t off = cpu.state.gpr[RDI] & amask;
  bool any = false;
  for (unsigned i = 0; i < n; ++i) any |= (mask.b[i] & 0x80) != 0;
  if (!any) return;
  probeWritable(cpu, seg, off, n);
  for (unsigned i = 0; i < n; ++i)
    if (mask.b[i] & 0x80) cpu.writeMem(seg, (off + i) & amask, 1, data.b[i]);
}

// MOVNTI m32/m64, r: a plain store of a GPR (no SSE state involved).
void handleMovnti(Cpu& cpu, const DecodedInsn& insn) { cpu.writeOp(insn, 0, cpu.readOp(insn, 1)); }

// EMMS: every x87 tag empty (SDM Vol. 2, EMMS).
void handleEmms(Cpu& cpu, const DecodedInsn&) {
  requireMmx(cpu);
  cpu.state.x87.ftw = 0xFFFF;
}

// LDMXCSR: reserved bits (16..31) set -> #GP(0) (SDM Vol. 2, LDMXCSR).
void handleLdmxcsr(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  uint32_t v = static_cast<uint32_t>(cpu.readOp(insn, 0));
  if (v & ~simd::mxcsr::kWritable) cpu.raise(vec::GP, 0);
  cpu.state.mxcsr = v;
}

void handleStmxcsr(Cpu& cpu, const DecodedInsn& insn) {
  requireSse(cpu);
  cpu.writeOp(insn, 0, cpu.state.mxcsr);
}

// LFENCE/MFENCE/SFENCE: memory is sequentially consistent here.
void handleFence(Cpu&, const DecodedInsn&) {}

}  // namespace

void registerSseMoves(HandlerTable& t) {
  for (auto m : {ZYDIS_MNEMONIC_MOVAPS, ZYDIS_MNEMONIC_MOVAPD, ZYDIS_MNEMONIC_MOVUPS, ZYDIS_MNEMONIC_MOVUPD,
                 ZYDIS_MNEMONIC_MOVDQA, ZYDIS_MNEMONIC_MOVDQU, ZYDIS_MNEMONIC_MOVNTPS, ZYDIS_MNEMONIC_MOVNTPD,
                 ZYDIS_MNEMONIC_MOVNTDQ, ZYDIS_MNEMONIC_MOVNTQ, ZYDIS_MNEMONIC_LDDQU, ZYDIS_MNEMONIC_MOVNTDQA})
    t.set(m, &handleMoveFull);
  t.set(ZYDIS_MNEMONIC_MOVD, &handleMovdMovq);
  t.set(ZYDIS_MNEMONIC_MOVQ, &handleMovdMovq);
  t.set(ZYDIS_MNEMONIC_MOVSS, &handleMoveScalar<uint32_t>);
  t.movsd_sse = &handleMoveScalar<uint64_t>;
  t.set(ZYDIS_MNEMONIC_MOVLPS, &handleMoveHalf<0>);
  t.set(ZYDIS_MNEMONIC_MOVLPD, &handleMoveHalf<0>);
  t.set(ZYDIS_MNEMONIC_MOVHPS, &handleMoveHalf<1>);
  t.set(ZYDIS_MNEMONIC_MOVHPD, &handleMoveHalf<1>);
  t.set(ZYDIS_MNEMONIC_MOVHLPS, &handleMoveHalfReg<1, 0>);
  t.set(ZYDIS_MNEMONIC_MOVLHPS, &handleMoveHalfReg<0, 1>);
  t.set(ZYDIS_MNEMONIC_MOVQ2DQ, &handleMoveBetweenFiles);
  t.set(ZYDIS_MNEMONIC_MOVDQ2Q, &handleMoveBetweenFiles);
  t.set(ZYDIS_MNEMONIC_MOVMSKPS, &handleMoveMask<uint32_t>);
  t.set(ZYDIS_MNEMONIC_MOVMSKPD, &handleMoveMask<uint64_t>);
  t.set(ZYDIS_MNEMONIC_PMOVMSKB, &handleMoveMask<uint8_t>);
  t.set(ZYDIS_MNEMONIC_MASKMOVQ, &handleMaskMove);
  t.set(ZYDIS_MNEMONIC_MASKMOVDQU, &handleMaskMove);
  t.set(ZYDIS_MNEMONIC_MOVNTI, &handleMovnti);
  t.set(ZYDIS_MNEMONIC_EMMS, &handleEmms);
  t.set(ZYDIS_MNEMONIC_LDMXCSR, &handleLdmxcsr);
  t.set(ZYDIS_MNEMONIC_STMXCSR, &handleStmxcsr);
  t.set(ZYDIS_MNEMONIC_LFENCE, &handleFence);
  t.set(ZYDIS_MNEMONIC_MFENCE, &handleFence);
  t.set(ZYDIS_MNEMONIC_SFENCE, &handleFence);
}

}  // namespace sv::sse
