// Native LODS/STOS/MOVS (cpu/interp/string.cpp is the reference). Without
// REP: one element through the memory fast path, then SI/DI move by the
// element size, down when DF is set. REP STOS/MOVS: see emitRepString.
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
    loadZx(a, rdx, Mem(rax, 0, n), n);
  } else {
    loadZx(a, rdx, stateMem(offsetof(CpuState, gpr) + 8 * RAX, n), n);
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

// REP STOS / REP MOVS (either prefix is a plain REP for them), either
// direction: one execution is one chunk of min(rCX,
// kRepIterationsPerDispatch) elements, as in the interpreter. When the
// chunk's range on each side passes the segment checks and every page it
// touches hits the TLB (checked before anything is stored, so the chunk
// either runs whole here or whole in the interpreter, which raises any
// fault at the exact element), the host's own REP STOS/MOVS does it one
// page piece at a time: a piece ends where either side's page ends, and
// the next piece's host pointers come from the TLB again. Host REP has
// sequential element semantics, so overlapping MOVS copies as the guest's
// would. Elements that straddle a page (an unaligned start with a chunk
// that leaves its page), index registers that would wrap inside the chunk
// and any miss leave the chunk to the interpreter. Then, with elements
// left, the instruction retires with RIP unchanged and the block leaves
// through its repeat exit (chained to the block at the REP itself), so
// budgets, interrupts and the exit flag are honoured between chunks
// exactly as Cpu::run honours them.
template <Str K>
bool emitRepString(EmitContext& ctx, const DecodedInsn& insn) {
  const unsigned n = insn.opsize, asz = insn.addrsize;
  if (n != 1 && n != 2 && n != 4 && n != 8) return false;
  const Operand src = stringOperand(insn.stringSourceSeg(), RSI, n);
  if (!memFastPathUsable(ctx, src)) return false;
  Assembler& a = ctx.as;
  SlowPath& slow = ctx.newSlowPath(insn);
  const unsigned shift = static_cast<unsigned>(__builtin_ctz(n));
  const bool wrap = linearWraps32(ctx);
  auto gprMem = [](unsigned r, unsigned size) { return stateMem(offsetof(CpuState, gpr) + 8 * r, size); };
  // rbp = elements this chunk, r10 = bytes this chunk.
  loadZx(a, rdx, gprMem(RCX, asz), asz);
  a.test(rdx, rdx);
  a.jz(slow.resume);  // nothing to do: the instruction just retires
  a.mov(rbp, rdx);
  a.mov(ecx, Imm(kRepIterationsPerDispatch));
  a.cmp(rbp, rcx);
  a.cmova(rbp, rcx);
  a.mov(r10, rbp);
  if (shift) a.shl(r10, Imm(shift));
  Label commit = a.newLabel();

  // One direction. Leaves r10 = the signed byte delta of rSI/rDI.
  auto chunk = [&](bool down) {
    // rax = lowest offset of the range of index register `reg`, which
    // must not wrap inside the chunk (the interpreter would continue at
    // the other end of the address space): forward offset + bytes <=
    // 2^(8 * asz), down offset + n >= bytes. 64-bit offsets wrap with the
    // linear address, as the interpreter's do.
    auto lowest = [&](unsigned reg) {
      loadZx(a, rax, gprMem(reg, asz), asz);
      if (down) {
        a.add(rax, Imm(n));
        a.sub(rax, r10);
        if (asz != 8) a.jb(slow.entry);
      } else if (asz != 8) {
        a.lea(r8, ptr(rax, r10));
        a.mov(r9, Imm(uint64_t{1} << (8 * asz)));
        a.cmp(r8, r9);
        a.ja(slow.entry);
      }
    };
    // rax: lowest linear address -> the first element's (the highest when down).
    auto firstElement = [&]() {
      if (!down) return;
      if (wrap) a.lea(eax, ptr(rax, r10, 0, -static_cast<int32_t>(n)));
      else a.lea(rax, ptr(rax, r10, 0, -static_cast<int32_t>(n)));
    };
    // r11 = source linear address, rdx = destination's (current element).
    if (K == Str::Movs) {
      lowest(RSI);
      emitLinearRangeChecked(ctx, src.seg, AccessKind::Read, n, slow.entry);
      firstElement();
      a.mov(r11, rax);
    }
    lowest(RDI);
    emitLinearRangeChecked(ctx, ES, AccessKind::Write, n, slow.entry);
    firstElement();
    a.mov(rdx, rax);
    a.mov(r10, rbp);
    if (shift) a.shl(r10, Imm(shift));
    // One page piece per pass: rcx = bytes up to the nearer page end (page
    // start when down) of either side, at most r10 (bytes left).
    Label piece = a.newLabel();
    a.bind(piece);
    auto room = [&](const Gp& out, const Gp& lin) {
      a.mov(out.r32(), lin.r32());
      a.and_(out.r32(), Imm(0xFFF));
      if (down) {
        a.add(out.r32(), Imm(n));
      } else {
        a.neg(out);
        a.add(out, Imm(0x1000));
      }
    };
    room(rcx, rdx);
    if (K == Str::Movs) {
      room(rax, r11);
      a.cmp(rcx, rax);
      a.cmova(rcx, rax);
    }
    a.cmp(rcx, r10);
    a.cmova(rcx, r10);
    a.sub(r10, rcx);
    a.mov(r8, rcx);
    if (shift) a.shr(rcx, Imm(shift));
    emitHostOfCheckedLinear(ctx, rdi, rdx);
    if (K == Str::Movs) emitHostOfCheckedLinear(ctx, rsi, r11);
    else loadZx(a, rax, gprMem(RAX, n), n);
    if (down) a.std();
    if (K == Str::Movs) {
      switch (n) {
        case 1: a.rep().movsb(); break;
        case 2: a.rep().movsw(); break;
        case 4: a.rep().movsd(); break;
        default: a.rep().movsq(); break;
      }
    } else {
      switch (n) {
        case 1: a.rep().stosb(); break;
        case 2: a.rep().stosw(); break;
        case 4: a.rep().stosd(); break;
        default: a.rep().stosq(); break;
      }
    }
    if (down) a.cld();  // the System V ABI wants DF clear everywhere else
    auto step = [&](const Gp& lin) {
      if (wrap) {
        if (down) a.sub(lin.r32(), r8d);
        else a.add(lin.r32(), r8d);
      } else {
        if (down) a.sub(lin, r8);
        else a.add(lin, r8);
      }
    };
    step(rdx);
    if (K == Str::Movs) step(r11);
    a.test(r10, r10);
    a.jnz(piece);
    a.mov(r10, rbp);
    if (shift) a.shl(r10, Imm(shift));
    if (down) a.neg(r10);
  };

  Label down = a.newLabel();
  a.test(rflagsMem().cloneResized(4), Imm(flag::DF));
  a.jnz(down);
  chunk(false);
  a.jmp(commit);
  a.bind(down);
  chunk(true);

  // rCX -= elements, rDI (rSI) += delta, with the address size (Cpu::setGpr).
  a.bind(commit);
  auto store = [&](unsigned reg, const Gp& v) {
    if (asz == 4) a.mov(gprMem(reg, 8), v.r64());
    else a.mov(gprMem(reg, asz), sized(v, asz));
  };
  loadZx(a, rdx, gprMem(RCX, asz), asz);
  a.sub(rdx, rbp);
  store(RCX, rdx);
  auto advance = [&](unsigned reg) {
    loadZx(a, rax, gprMem(reg, asz), asz);
    if (asz == 4) a.add(eax, r10d);
    else a.add(rax, r10);
    store(reg, rax);
  };
  advance(RDI);
  if (K == Str::Movs) advance(RSI);
  // Both paths meet here with the guest's count: elements left means the
  // instruction runs again.
  a.bind(slow.resume);
  Label done = a.newLabel();
  a.cmp(gprMem(RCX, asz), Imm(0));
  a.je(done);
  ctx.chainExit(kExitRepeat, ctx.rip, ctx.pending + 1);
  a.bind(done);
  ctx.retireNative();
  return true;
}

template <Str K>
bool emitStringAny(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.opcode_map != 0) return false;
  if (insn.hasPrefix(prefix::REP) || insn.hasPrefix(prefix::REPNE))
    return K == Str::Lods ? false : emitRepString<K>(ctx, insn);
  return emitString<K>(ctx, insn);
}

}  // namespace

bool emitMovsString(EmitContext& ctx, const DecodedInsn& insn) { return emitStringAny<Str::Movs>(ctx, insn); }

void registerStringEmitters(InsnEmitter* t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD, ZYDIS_MNEMONIC_LODSQ})
    t[m] = &emitStringAny<Str::Lods>;
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD, ZYDIS_MNEMONIC_STOSQ})
    t[m] = &emitStringAny<Str::Stos>;
  // MOVSD/CMPSD share their mnemonic with SSE2 (opcode_map != 0: declined).
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD, ZYDIS_MNEMONIC_MOVSQ})
    t[m] = &emitStringAny<Str::Movs>;
}

}  // namespace sv
