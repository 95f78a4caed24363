// x87 control instructions (SDM Vol. 1, 8.3.12-8.3.13 and Vol. 2): FNINIT,
// FNCLEX, FNSTSW, FNSTCW/FLDCW, FNSTENV/FLDENV, FNSAVE/FRSTOR, FFREE(P),
// FDECSTP/FINCSTP, FNOP and FXSAVE/FXRSTOR. The "FN" forms do not check for
// a pending unmasked exception; the others do.
#include <Zydis/Zydis.h>

#include "cpu/cpu.h"
#include "cpu/interp/handler_table.h"
#include "cpu/interp/handlers.h"
#include "cpu/simd/soft_float.h"
#include "cpu/x87/x87_common.h"

namespace sv {

void registerX87Control(HandlerTable& t);

namespace {

using namespace x87;

void initFpu(X87State& x) {
  x.fcw = 0x037F;
  x.fsw = 0;
  x.ftw = 0xFFFF;
  x.fop = 0;
  x.fip = x.fdp = 0;
  x.fcs = x.fds = 0;
}

// Non-empty tags are recomputed from the register contents: the tag word
// loaded by FLDENV/FRSTOR only says empty or not (as on hardware).
void normaliseTags(X87State& x) {
  Stack st{x};
  for (unsigned p = 0; p < 8; ++p) {
    if (st.tag(p) != kTagEmpty) st.setTag(p, tagOf(Float80{x.st[p].mantissa, x.st[p].sign_exponent}));
  }
}

void handleFninit(Cpu& cpu, const DecodedInsn&) {
  prologue(cpu, false);
  initFpu(cpu.state.x87);
}

void handleFnclex(Cpu& cpu, const DecodedInsn&) {
  prologue(cpu, false);
  cpu.state.x87.fsw &= 0x7F00;  // exceptions, SF, ES and B
}

void handleFnstsw(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, false);
  if ((insn.modrm >> 6) == 3) {
    cpu.setGpr(RAX, 2, cpu.state.x87.fsw);
    return;
  }
  MemRef m = memRef(cpu, insn);
  writeAt(cpu, m, 0, 2, cpu.state.x87.fsw);
}

void handleFnstcw(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, false);
  writeAt(cpu, memRef(cpu, insn), 0, 2, cpu.state.x87.fcw);
}

void handleFldcw(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  uint16_t v = static_cast<uint16_t>(readAt(cpu, memRef(cpu, insn), 0, 2));
  cpu.state.x87.fcw = static_cast<uint16_t>((v & 0x1F3F) | 0x0040);  // bit 6 reads as 1 (measured)
  stackOf(cpu).updateSummary();
}

bool realFormat(const Cpu& cpu) { return cpu.mode() == CpuMode::Real || cpu.mode() == CpuMode::Virtual86; }
unsigned envSize(const DecodedInsn& insn) { return insn.opsize == 2 ? 14 : 28; }

// FSTENV layouts (SDM Vol. 1, Figures 8-9..8-12).
void storeEnv(Cpu& cpu, const DecodedInsn& insn, const MemRef& m) {
  const X87State& x = cpu.state.x87;
  const bool real = realFormat(cpu);
  if (insn.opsize == 2) {
    writeAt(cpu, m, 0, 2, x.fcw);
    writeAt(cpu, m, 2, 2, x.fsw);
    writeAt(cpu, m, 4, 2, x.ftw);
    if (real) {
      uint32_t ip = static_cast<uint32_t>(x.fip + (static_cast<uint32_t>(x.fcs) << 4));
      uint32_t dp = static_cast<uint32_t>(x.fdp + (static_cast<uint32_t>(x.fds) << 4));
      writeAt(cpu, m, 6, 2, ip & 0xFFFF);
      writeAt(cpu, m, 8, 2, ((ip >> 4) & 0xF000) | (x.fop & 0x7FF));
      writeAt(cpu, m, 10, 2, dp & 0xFFFF);
      writeAt(cpu, m, 12, 2, (dp >> 4) & 0xF000);
    } else {
      writeAt(cpu, m, 6, 2, x.fip & 0xFFFF);
      writeAt(cpu, m, 8, 2, x.fcs);
      writeAt(cpu, m, 10, 2, x.fdp & 0xFFFF);
      writeAt(cpu, m, 12, 2, x.fds);
    }
    return;
  }
  // 32-bit formats: reserved upper halves are written as ones (measured).
  writeAt(cpu, m, 0, 4, 0xFFFF0000u | x.fcw);
  writeAt(cpu, m, 4, 4, 0xFFFF0000u | x.fsw);
  writeAt(cpu, m, 8, 4, 0xFFFF0000u | x.ftw);
  if (real) {
    uint32_t ip = static_cast<uint32_t>(x.fip + (static_cast<uint32_t>(x.fcs) << 4));
    uint32_t dp = static_cast<uint32_t>(x.fdp + (static_cast<uint32_t>(x.fds) << 4));
    writeAt(cpu, m, 12, 4, 0xFFFF0000u | (ip & 0xFFFF));
    writeAt(cpu, m, 16, 4, ((ip >> 4) & 0x0FFFF000u) | (x.fop & 0x7FF));
    writeAt(cpu, m, 20, 4, 0xFFFF0000u | (dp & 0xFFFF));
    writeAt(cpu, m, 24, 4, (dp >> 4) & 0x0FFFF000u);
  } else {
    writeAt(cpu, m, 12, 4, static_cast<uint32_t>(x.fip));
    writeAt(cpu, m, 16, 4, (static_cast<uint32_t>(x.fop & 0x7FF) << 16) | x.fcs);
    writeAt(cpu, m, 20, 4, static_cast<uint32_t>(x.fdp));
    writeAt(cpu, m, 24, 4, 0xFFFF0000u | x.fds);
  }
}

// Reads the environment into `x` (all reads fault before anything changes
// because the caller commits `x` only afterwards).
void loadEnv(Cpu& cpu, const DecodedInsn& insn, const MemRef& m, X87State& x) {
  const bool real = realFormat(cpu);
  if (insn.opsize == 2) {
    x.fcw = static_cast<uint16_t>(readAt(cpu, m, 0, 2));
    x.fsw = static_cast<uint16_t>(readAt(cpu, m, 2, 2));
    x.ftw = static_cast<uint16_t>(readAt(cpu, m, 4, 2));
    uint32_t w3 = static_cast<uint32_t>(readAt(cpu, m, 6, 2)), w4 = static_cast<uint32_t>(readAt(cpu, m, 8, 2));
    uint32_t w5 = static_cast<uint32_t>(readAt(cpu, m, 10, 2)), w6 = static_cast<uint32_t>(readAt(cpu, m, 12, 2));
    if (real) {
      x.fip = w3 | ((w4 & 0xF000) << 4);
      x.fop = static_cast<uint16_t>(w4 & 0x7FF);
      x.fdp = w5 | ((w6 & 0xF000) << 4);
      x.fcs = x.fds = 0;
    } else {
      x.fip = w3;
      x.fcs = static_cast<uint16_t>(w4);
      x.fdp = w5;
      x.fds = static_cast<uint16_t>(w6);
    }
  } else {
    x.fcw = static_cast<uint16_t>(readAt(cpu, m, 0, 4));
    x.fsw = static_cast<uint16_t>(readAt(cpu, m, 4, 4));
    x.ftw = static_cast<uint16_t>(readAt(cpu, m, 8, 4));
    uint32_t d3 = static_cast<uint32_t>(readAt(cpu, m, 12, 4)), d4 = static_cast<uint32_t>(readAt(cpu, m, 16, 4));
    uint32_t d5 = static_cast<uint32_t>(readAt(cpu, m, 20, 4)), d6 = static_cast<uint32_t>(readAt(cpu, m, 24, 4));
    if (real) {
      x.fip = (d3 & 0xFFFF) | ((d4 & 0x0FFFF000u) << 4);
      x.fop = static_cast<uint16_t>(d4 & 0x7FF);
      x.fdp = (d5 & 0xFFFF) | ((d6 & 0x0FFFF000u) << 4);
      x.fcs = x.fds = 0;
    } else {
      x.fip = d3;
      x.fcs = static_cast<uint16_t>(d4);
      x.fop = static_cast<uint16_t>((d4 >> 16) & 0x7FF);
      x.fdp = d5;
      x.fds = static_cast<uint16_t>(d6);
    }
  }
  x.fcw = static_cast<uint16_t>((x.fcw & 0x1F3F) | 0x0040);
}

void commitLoaded(Cpu& cpu, const X87State& x) {
  cpu.state.x87 = x;
  normaliseTags(cpu.state.x87);
  stackOf(cpu).updateSummary();
}

void handleFnstenv(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, false);
  MemRef m = memRef(cpu, insn);
  probeWrite(cpu, m, envSize(insn));
  storeEnv(cpu, insn, m);
  // FSTENV then masks all exceptions, which also clears ES and B (measured).
  cpu.state.x87.fcw |= fsw::kExceptions;
  stackOf(cpu).updateSummary();
}

void handleFldenv(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  MemRef m = memRef(cpu, insn);
  X87State x = cpu.state.x87;
  loadEnv(cpu, insn, m, x);
  commitLoaded(cpu, x);
}

void handleFnsave(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, false);
  MemRef m = memRef(cpu, insn);
  unsigned base = envSize(insn);
  probeWrite(cpu, m, base + 80);
  storeEnv(cpu, insn, m);
  Stack st = stackOf(cpu);
  for (unsigned i = 0; i < 8; ++i) writeF80(cpu, m, base + 10 * i, st.get(i));
  initFpu(cpu.state.x87);
}

void handleFrstor(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  MemRef m = memRef(cpu, insn);
  unsigned base = envSize(insn);
  X87State x = cpu.state.x87;
  loadEnv(cpu, insn, m, x);
  Stack st{x};
  for (unsigned i = 0; i < 8; ++i) {
    Float80 v = readF80(cpu, m, base + 10 * i);
    unsigned p = st.phys(i);
    x.st[p].mantissa = v.sig;
    x.st[p].sign_exponent = v.se;
  }
  commitLoaded(cpu, x);
}

void handleFfree(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  recordPointers(cpu, insn, MemRef{});
  Stack st = stackOf(cpu);
  st.setCC(cpu.state.x87.fsw & ~fsw::C1);  // C1 reads back clear (measured)
  st.setTag(st.phys(insn.modrm & 7), kTagEmpty);
  if (insn.opcode == 0xDF) st.setTop(st.top() + 1);  // FFREEP
}

void handleStackPointer(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  recordPointers(cpu, insn, MemRef{});
  Stack st = stackOf(cpu);
  st.setTop(insn.modrm == 0xF6 ? st.top() - 1 : st.top() + 1);  // FDECSTP / FINCSTP
  st.setCC(cpu.state.x87.fsw & ~fsw::C1);
}

void handleFnop(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  recordPointers(cpu, insn, MemRef{});
}

// FENI/FDISI/FSETPM: 8087/287 controls, no-ops since the 387.
void handleLegacyNop(Cpu& cpu, const DecodedInsn&) { prologue(cpu, false); }

// FXSAVE/FXRSTOR (SDM Vol. 1, 10.5.1, Table 10-2): 512-byte, 16-byte aligned.
void fxPrologue(Cpu& cpu, const MemRef& m) {
  if (cpu.state.cr0 & cr0::EM) cpu.raise(vec::UD);
  if (cpu.state.cr0 & cr0::TS) cpu.raise(vec::NM);
  if ((cpu.state.seg[m.seg].base + m.off) & 15) cpu.raise(vec::GP, 0);
}

constexpr uint32_t kMxcsrMask = simd::mxcsr::kWritable;  // DAZ supported

void handleFxsave(Cpu& cpu, const DecodedInsn& insn) {
  MemRef m = memRef(cpu, insn);
  fxPrologue(cpu, m);
  probeWrite(cpu, m, 512);
  const X87State& x = cpu.state.x87;
  Stack st = stackOf(cpu);
  uint8_t abridged = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (st.tag(p) != kTagEmpty) abridged |= static_cast<uint8_t>(1u << p);
  writeAt(cpu, m, 0, 2, x.fcw);
  writeAt(cpu, m, 2, 2, x.fsw);
  writeAt(cpu, m, 4, 2, abridged);
  writeAt(cpu, m, 6, 2, x.fop);
  if (insn.hasPrefix(prefix::REX_W)) {
    writeAt(cpu, m, 8, 8, x.fip);
    writeAt(cpu, m, 16, 8, x.fdp);
  } else {
    writeAt(cpu, m, 8, 4, static_cast<uint32_t>(x.fip));
    writeAt(cpu, m, 12, 4, x.fcs);
    writeAt(cpu, m, 16, 4, static_cast<uint32_t>(x.fdp));
    writeAt(cpu, m, 20, 4, x.fds);
  }
  writeAt(cpu, m, 24, 4, cpu.state.mxcsr);
  writeAt(cpu, m, 28, 4, kMxcsrMask);
  for (unsigned i = 0; i < 8; ++i) {
    writeF80(cpu, m, 32 + 16 * i, st.get(i));
    writeAt(cpu, m, 32 + 16 * i + 10, 2, 0);
    writeAt(cpu, m, 32 + 16 * i + 12, 4, 0);
  }
  unsigned nxmm = cpu.longMode() ? 16 : 8;
  for (unsigned i = 0; i < nxmm; ++i) {
    writeAt(cpu, m, 160 + 16 * i, 8, cpu.state.xmm[i].lo);
    writeAt(cpu, m, 168 + 16 * i, 8, cpu.state.xmm[i].hi);
  }
}

void handleFxrstor(Cpu& cpu, const DecodedInsn& insn) {
  MemRef m = memRef(cpu, insn);
  fxPrologue(cpu, m);
  probeRead(cpu, m, 512);
  uint32_t mxcsr = static_cast<uint32_t>(readAt(cpu, m, 24, 4));
  if (mxcsr & ~kMxcsrMask) cpu.raise(vec::GP, 0);
  X87State x = cpu.state.x87;
  x.fcw = static_cast<uint16_t>((readAt(cpu, m, 0, 2) & 0x1F3F) | 0x0040);
  x.fsw = static_cast<uint16_t>(readAt(cpu, m, 2, 2));
  uint8_t abridged = static_cast<uint8_t>(readAt(cpu, m, 4, 1));
  x.fop = static_cast<uint16_t>(readAt(cpu, m, 6, 2) & 0x7FF);
  if (insn.hasPrefix(prefix::REX_W)) {
    x.fip = readAt(cpu, m, 8, 8);
    x.fdp = readAt(cpu, m, 16, 8);
  } else {
    x.fip = readAt(cpu, m, 8, 4);
    x.fcs = static_cast<uint16_t>(readAt(cpu, m, 12, 2));
    x.fdp = readAt(cpu, m, 16, 4);
    x.fds = static_cast<uint16_t>(readAt(cpu, m, 20, 2));
  }
  x.ftw = 0;
  for (unsigned p = 0; p < 8; ++p)
    if (!(abridged & (1u << p))) x.ftw = static_cast<uint16_t>(x.ftw | (kTagEmpty << (2 * p)));
  Stack st{x};
  for (unsigned i = 0; i < 8; ++i) {
    Float80 v = readF80(cpu, m, 32 + 16 * i);
    unsigned p = st.phys(i);
    x.st[p].mantissa = v.sig;
    x.st[p].sign_exponent = v.se;
  }
  unsigned nxmm = cpu.longMode() ? 16 : 8;
  XmmRegister xmm[16];
  for (unsigned i = 0; i < nxmm; ++i) {
    xmm[i].lo = readAt(cpu, m, 160 + 16 * i, 8);
    xmm[i].hi = readAt(cpu, m, 168 + 16 * i, 8);
  }
  for (unsigned i = 0; i < nxmm; ++i) cpu.state.xmm[i] = xmm[i];
  cpu.state.mxcsr = mxcsr;
  commitLoaded(cpu, x);
}

}  // namespace

// Called from registerX87 (cpu/interp/x87.cpp).
void registerX87Control(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_FNINIT, &handleFninit);
  t.set(ZYDIS_MNEMONIC_FNCLEX, &handleFnclex);
  t.set(ZYDIS_MNEMONIC_FNSTSW, &handleFnstsw);
  t.set(ZYDIS_MNEMONIC_FNSTCW, &handleFnstcw);
  t.set(ZYDIS_MNEMONIC_FLDCW, &handleFldcw);
  t.set(ZYDIS_MNEMONIC_FNSTENV, &handleFnstenv);
  t.set(ZYDIS_MNEMONIC_FLDENV, &handleFldenv);
  t.set(ZYDIS_MNEMONIC_FNSAVE, &handleFnsave);
  t.set(ZYDIS_MNEMONIC_FRSTOR, &handleFrstor);
  t.set(ZYDIS_MNEMONIC_FFREE, &handleFfree);
  t.set(ZYDIS_MNEMONIC_FFREEP, &handleFfree);
  t.set(ZYDIS_MNEMONIC_FDECSTP, &handleStackPointer);
  t.set(ZYDIS_MNEMONIC_FINCSTP, &handleStackPointer);
  t.set(ZYDIS_MNEMONIC_FNOP, &handleFnop);
  t.set(ZYDIS_MNEMONIC_FENI8087_NOP, &handleLegacyNop);
  t.set(ZYDIS_MNEMONIC_FDISI8087_NOP, &handleLegacyNop);
  t.set(ZYDIS_MNEMONIC_FSETPM287_NOP, &handleLegacyNop);
  t.set(ZYDIS_MNEMONIC_FXSAVE, &handleFxsave);
  t.set(ZYDIS_MNEMONIC_FXSAVE64, &handleFxsave);
  t.set(ZYDIS_MNEMONIC_FXRSTOR, &handleFxrstor);
  t.set(ZYDIS_MNEMONIC_FXRSTOR64, &handleFxrstor);
}

}  // namespace sv
