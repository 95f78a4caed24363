#include "cpu/interp/sse_common.h"

#include <Zydis/Zydis.h>

#include "cpu/interp/handler_table.h"
#include "cpu/x87/x87_state.h"

namespace sv::sse {

void requireSse(Cpu& cpu) {
  if ((cpu.state.cr0 & cr0::EM) || !(cpu.state.cr4 & cr4::OSFXSR)) cpu.raise(vec::UD);
  if (cpu.state.cr0 & cr0::TS) cpu.raise(vec::NM);
}

void requireMmx(Cpu& cpu) {
  if (cpu.state.cr0 & cr0::EM) cpu.raise(vec::UD);
  if (cpu.state.cr0 & cr0::TS) cpu.raise(vec::NM);
  if (cpu.state.x87.fsw & x87::fsw::ES) cpu.raise(vec::MF);
}

void enterMmxState(Cpu& cpu) {
  x87::Stack st{cpu.state.x87};
  st.setTop(0);
  cpu.state.x87.ftw = 0;  // all valid
}

void requireFor(Cpu& cpu, const DecodedInsn& insn) {
  bool mmx = false, xmm = false;
  for (unsigned i = 0; i < insn.operand_count; ++i) {
    mmx |= isMmx(insn.ops[i]);
    xmm |= isXmm(insn.ops[i]);
  }
  if (!mmx) return requireSse(cpu);
  if (xmm && ((cpu.state.cr0 & cr0::EM) || !(cpu.state.cr4 & cr4::OSFXSR))) cpu.raise(vec::UD);
  requireMmx(cpu);
  enterMmxState(cpu);
}

bool alignmentExempt(const DecodedInsn& insn) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_MOVUPS:
    case ZYDIS_MNEMONIC_MOVUPD:
    case ZYDIS_MNEMONIC_MOVDQU:
    case ZYDIS_MNEMONIC_LDDQU:
    case ZYDIS_MNEMONIC_PCMPESTRI:
    case ZYDIS_MNEMONIC_PCMPESTRM:
    case ZYDIS_MNEMONIC_PCMPISTRI:
    case ZYDIS_MNEMONIC_PCMPISTRM:
      return true;
    default:
      return false;
  }
}

uint64_t mmx(const Cpu& cpu, unsigned i) { return cpu.state.x87.st[i & 7].mantissa; }

void setMmx(Cpu& cpu, unsigned i, uint64_t v) {
  X87Register& r = cpu.state.x87.st[i & 7];
  r.mantissa = v;
  r.sign_exponent = 0xFFFF;  // SDM Vol. 1, 9.5.1: exponent and sign bits set
}

uint64_t linearAddress(const Cpu& cpu, uint8_t seg, uint64_t off) {
  // In 64-bit mode only FS and GS have a base (SDM Vol. 3A, 3.2.4).
  if (cpu.longMode() && seg != FS && seg != GS) return off;
  return cpu.state.seg[seg].base + off;
}

void probeWritable(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size) {
  cpu.checkSegmentAccess(seg, off, size, Access::Write);
  uint64_t lin = linearAddress(cpu, seg, off);
  cpu.translate(lin, Access::Write);
  cpu.translate(lin + size - 1, Access::Write);
}

Vec readMemVec(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size, bool aligned) {
  if (aligned && (linearAddress(cpu, seg, off) & 15)) cpu.raise(vec::GP, 0);
  Vec v;
  if (size <= 8) {
    v.set<uint64_t>(0, cpu.readMem(seg, off, size));
    return v;
  }
  cpu.checkSegmentAccess(seg, off, size, Access::Read);
  v.set<uint64_t>(0, cpu.readMem(seg, off, 8));
  v.set<uint64_t>(1, cpu.readMem(seg, off + 8, size - 8));
  return v;
}

void writeMemVec(Cpu& cpu, uint8_t seg, uint64_t off, unsigned size, const Vec& v, bool aligned) {
  if (aligned && (linearAddress(cpu, seg, off) & 15)) cpu.raise(vec::GP, 0);
  if (size <= 8) {
    cpu.writeMem(seg, off, size, v.lo());
    return;
  }
  // Both halves are checked before the first byte is stored.
  probeWritable(cpu, seg, off, size);
  cpu.writeMem(seg, off, 8, v.lo());
  cpu.writeMem(seg, off + 8, size - 8, v.hi());
}

Vec readVec(Cpu& cpu, const DecodedInsn& insn, unsigned i) {
  const Operand& op = insn.ops[i];
  switch (op.kind) {
    case OpKind::Reg:
      if (op.reg.cls == RegClass::Xmm) return xmm(cpu, op.reg.index);
      if (op.reg.cls == RegClass::Mmx) return Vec::fromU64(mmx(cpu, op.reg.index));
      return Vec::fromU64(cpu.readReg(op.reg, op.size));
    case OpKind::Mem:
      return readMemVec(cpu, op.seg, cpu.effectiveAddress(insn, op), op.size,
                        op.size == 16 && !alignmentExempt(insn));
    case OpKind::Imm:
      return Vec::fromU64(op.imm);
    default:
      return Vec{};
  }
}

void writeVec(Cpu& cpu, const DecodedInsn& insn, unsigned i, const Vec& v) {
  const Operand& op = insn.ops[i];
  switch (op.kind) {
    case OpKind::Reg:
      if (op.reg.cls == RegClass::Xmm) setXmm(cpu, op.reg.index, v);
      else if (op.reg.cls == RegClass::Mmx) setMmx(cpu, op.reg.index, v.lo());
      else cpu.writeReg(op.reg, op.size, v.lo());
      break;
    case OpKind::Mem:
      writeMemVec(cpu, op.seg, cpu.effectiveAddress(insn, op), op.size, v,
                  op.size == 16 && !alignmentExempt(insn));
      break;
    default:
      break;
  }
}

void commitSimdFlags(Cpu& cpu, const simd::SimdEnv& env) {
  using namespace simd::mxcsr;
  uint32_t unmasked = env.flags & ~(cpu.state.mxcsr >> kMaskShift) & kFlags;
  if (unmasked) {
    cpu.state.mxcsr |= (unmasked & kPreComputation) ? (env.flags & kPreComputation) : env.flags;
    cpu.raise((cpu.state.cr4 & cr4::OSXMMEXCPT) ? vec::XM : vec::UD);
  }
  cpu.state.mxcsr |= env.flags;
}

}  // namespace sv::sse

namespace sv {

void registerSimd(HandlerTable& t) {
  sse::registerSseMoves(t);
  sse::registerSseInteger(t);
  sse::registerSseShuffle(t);
  sse::registerSseFloat(t);
  sse::registerSseConvert(t);
  sse::registerSse3(t);
  sse::registerSsse3(t);
  sse::registerSse41(t);
  sse::registerSse42(t);
}

}  // namespace sv
