// Native LODS/STOS/MOVS without a REP prefix (cpu/interp/string.cpp is the
// reference): one element through the memory fast path, then SI/DI move by
// the element size, down when DF is set. REP forms stay with the
// interpreter, whose chunked iterations define how they retire.
#include "jit/emit_memory.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

enum class Str { Lods, Stos, Movs };

// seg:[reg] as a memory operand of the element size.
Operand stringOperand(uint8_t seg, uint8_t reg, unsigned size) {
  Operand m;
  m.kind = OpKind::Mem;
  m.size = static_cast<uint8_t>(size);
  m.seg = seg;
  m.base = reg;
  return m;
}

// reg = (reg +/- size) & mask(address size) (Cpu::setGpr with the address
// size: a 32-bit index register zero-extends). Uses rcx.
void emitAdvance(Assembler& a, uint8_t reg, unsigned size, unsigned asz) {
  const Mem slot = stateMem(offsetof(CpuState, gpr) + 8 * reg, asz);
  const Gp r = sized(rcx, asz);
  Label down = a.newLabel(), done = a.newLabel();
  a.mov(r, slot);
  a.test(rflagsMem().cloneResized(4), Imm(flag::DF));
  a.jnz(down);
  a.add(r, Imm(size));
  a.jmp(done);
  a.bind(down);
  a.sub(r, Imm(size));
  a.bind(done);
  if (asz == 4) a.mov(stateMem(offsetof(CpuState, gpr) + 8 * reg, 8), rcx);
  else a.mov(slot, r);
}

template <Str K>
bool emitString(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.hasPrefix(prefix::REP) || insn.hasPrefix(prefix::REPNE) || insn.opcode_map != 0) return false;
  const unsigned n = insn.opsize, asz = insn.addrsize;
  if (n != 1 && n != 2 && n != 4 && n != 8) return false;
  const Operand src = stringOperand(insn.stringSourceSeg(), RSI, n);
  const Operand dst = stringOperand(ES, RDI, n);
  if (!memFastPathUsable(ctx, src)) return false;
  Assembler& a = ctx.as;
  SlowPath& slow = ctx.newSlowPath(insn);
  if (K == Str::Lods || K == Str::Movs) {
    emitHostAddress(ctx, insn, src, AccessKind::Read, slow.entry);
    if (n == 4) a.mov(edx, dword_ptr(rax));
    else a.mov(sized(rdx, n), Mem(rax, 0, n));
  } else {
    a.mov(sized(rdx, n), stateMem(offsetof(CpuState, gpr) + 8 * RAX, n));
  }
  if (K == Str::Stos || K == Str::Movs) {
    emitHostAddress(ctx, insn, dst, AccessKind::Write, slow.entry);
    a.mov(Mem(rax, 0, n), sized(rdx, n));
  } else {
    // LODS: rAX gets the element (a 32-bit load zero-extends, Cpu::setGpr).
    if (n == 4) a.mov(stateMem(offsetof(CpuState, gpr) + 8 * RAX, 8), rdx);
    else a.mov(stateMem(offsetof(CpuState, gpr) + 8 * RAX, n), sized(rdx, n));
  }
  if (K != Str::Stos) emitAdvance(a, RSI, n, asz);
  if (K != Str::Lods) emitAdvance(a, RDI, n, asz);
  a.bind(slow.resume);
  ctx.retireNative();
  return true;
}

}  // namespace

void registerStringEmitters(InsnEmitter* t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ})
    t[m] = &emitString<Str::Lods>;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ})
    t[m] = &emitString<Str::Stos>;
  // MOVSD/CMPSD share their mnemonic with SSE2 (opcode_map != 0: declined).
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ})
    t[m] = &emitString<Str::Movs>;
}

}  // namespace sv
