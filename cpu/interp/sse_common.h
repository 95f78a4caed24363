// Shared by the MMX/SSE handlers (cpu/interp/sse_*.cpp, mmx*.cpp): the
// 128-bit value type, the availability checks of SDM Vol. 3A 2.5 / 13.1
// (CR0.EM, CR0.TS, CR4.OSFXSR), MMX's effect on the x87 (SDM Vol. 1, 9.5),
// operand access with the 16-byte alignment rule, and how SIMD floating-
// point exceptions end an instruction (SDM Vol. 1, 11.5).
#pragma once

#include <cstdint>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/simd/soft_float.h"

namespace sv {
struct HandlerTable;
}

namespace sv::sse {

// An XMM or MMX value as bytes, elements little-endian as in the guest.
// (Hosts are little-endian: x86-64 and AArch64 Linux.)
struct Vec {
  uint8_t b[16] = {};
  template <class T>
  T get(unsigned i) const {
    T v;
    std::memcpy(&v, b + i * sizeof(T), sizeof(T));
    return v;
  }
  template <class T>
  void set(unsigned i, T v) {
    std::memcpy(b + i * sizeof(T), &v, sizeof(T));
  }
  uint64_t lo() const { return get<uint64_t>(0); }
  uint64_t hi() const { return get<uint64_t>(1); }
  static Vec fromU64(uint64_t lo, uint64_t hi = 0) {
    Vec v;
    v.set<uint64_t>(0, lo);
    v.set<uint64_t>(1, hi);
    return v;
  }
};

// SSE/SSE2/.. instructions on XMM registers: CR0.EM or CR4.OSFXSR = 0 give
// #UD, then CR0.TS gives #NM (SDM Vol. 3A, 2.5 and Table 13-? "SSE
// exception conditions").
void requireSse(Cpu& cpu);
// MMX instructions: CR0.EM -> #UD, CR0.TS -> #NM, then a pending unmasked
// x87 exception -> #MF (SDM Vol. 1, 9.5.1 / Vol. 3A 2.5).
void requireMmx(Cpu& cpu);
// An MMX instruction (other than EMMS) sets TOP = 0 and every tag valid
// (SDM Vol. 1, 9.5.1).
void enterMmxState(Cpu& cpu);
// The availability check for the instruction's register kinds: MMX rules
// when an operand is an MMX register (plus the SSE rules when an XMM
// register is also involved), SSE rules otherwise; MMX state entered.
void requireFor(Cpu& cpu, const DecodedInsn& insn);

// Width in bytes of operand i's register (8 for MMX, 16 for XMM) or the
// bytes its memory form accesses.
inline bool isMmx(const Operand& op) { return op.kind == OpKind::Reg && op.reg.cls == RegClass::Mmx; }
inline bool isXmm(const Operand& op) { return op.kind == OpKind::Reg && op.reg.cls == RegClass::Xmm; }

// Legacy SSE memory operands of 16 bytes must be 16-byte aligned (#GP(0))
// except for the instructions that say otherwise (MOVUPS, MOVDQU, LDDQU,
// PCMPxSTRx ...): decided from the mnemonic.
bool alignmentExempt(const DecodedInsn& insn);

// Reads operand i: an XMM/MMX register, a GPR (low bytes) or memory
// (op.size bytes, zero-extended); an immediate is not a vector operand.
Vec readVec(Cpu& cpu, const DecodedInsn& insn, unsigned i);
// Writes operand i: XMM registers take 16 bytes, MMX registers 8 (and the
// x87 register's exponent becomes all ones), GPRs op.size bytes (32-bit
// writes zero-extend), memory op.size bytes.
void writeVec(Cpu& cpu, const DecodedInsn& insn, unsigned i, const Vec& v);
// Linear address of seg:off (64-bit mode: only FS/GS add their base).
uint64_t linearAddress(const Cpu& cpu, uint8_t seg, uint64_t off);
// Raises the segment or page fault a write of [off, off + size) would,
// before any byte is stored.
void probeWritable(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size);
// Memory of `size` bytes at operand i's address, all-or-nothing.
Vec readMemVec(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size, bool aligned);
void writeMemVec(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size, const Vec& v, bool aligned);

inline Vec xmm(const Cpu& cpu, unsigned i) { return Vec::fromU64(cpu.state.xmm[i].lo, cpu.state.xmm[i].hi); }
inline void setXmm(Cpu& cpu, unsigned i, const Vec& v) { cpu.state.xmm[i] = XmmRegister{v.lo(), v.hi()}; }
uint64_t mmx(const Cpu& cpu, unsigned i);
void setMmx(Cpu& cpu, unsigned i, uint64_t v);

// Bytes the instruction's vector register operands have: 8 (MMX) or 16.
inline unsigned vectorBytes(const DecodedInsn& insn) { return isMmx(insn.ops[0]) ? 8 : 16; }
inline uint8_t imm8(const DecodedInsn& insn) {
  for (unsigned i = 0; i < insn.operand_count; ++i)
    if (insn.ops[i].kind == OpKind::Imm) return static_cast<uint8_t>(insn.ops[i].imm);
  return 0;
}

inline simd::SimdEnv simdEnv(const Cpu& cpu) { return simd::SimdEnv{cpu.state.mxcsr, 0}; }
// Ends a floating-point instruction's computation: with an unmasked
// exception the flags are set (only the pre-computation ones IE/DE/ZE if
// any of those is unmasked, SDM 11.5.1), the destination is left alone and
// #XM (CR4.OSXMMEXCPT = 1) or #UD is raised; otherwise the flags are ORed
// into MXCSR and the caller writes its result.
void commitSimdFlags(Cpu& cpu, const simd::SimdEnv& env);

void registerSseMoves(HandlerTable& t);
void registerSseInteger(HandlerTable& t);
void registerSseShuffle(HandlerTable& t);
void registerSseFloat(HandlerTable& t);
void registerSseConvert(HandlerTable& t);
void registerSse3(HandlerTable& t);
void registerSsse3(HandlerTable& t);
void registerSse41(HandlerTable& t);
void registerSse42(HandlerTable& t);

}  // namespace sv::sse
