#include "jit/emit_memory.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

bool memFastPathUsable(const EmitContext& ctx, const Operand& op) {
  if (op.kind != OpKind::Mem) return false;
  return op.size == 1 || op.size == 2 || op.size == 4 || op.size == 8;
}

void emitEffectiveAddress(EmitContext& ctx, const DecodedInsn& insn, const Operand& op) {
  Assembler& a = ctx.as;
  const int32_t disp = static_cast<int32_t>(op.disp);
  const bool has_base = op.base != kNoGpr && op.base != 16;
  const bool has_index = op.index != kNoGpr;
  // The base in its cached host register, or loaded into rax; the index
  // likewise, or in r8.
  const bool wide = insn.addrsize == 8;
  auto operand = [&](unsigned reg, const Gp& scratch) -> Gp {
    if (const Gp* h = ctx.regs.host(reg)) return *h;
    if (wide) a.mov(scratch, gprMem(reg, 8));
    else a.mov(scratch.r32(), gprMem(reg, 4));
    return scratch;
  };
  const Gp base = has_base ? operand(op.base, rax) : Gp(rax);
  const Gp index = has_index ? operand(op.index, r8) : Gp(r8);
  const unsigned shift = has_index ? static_cast<unsigned>(__builtin_ctz(op.scale)) : 0;
  if (wide) {
    // Cpu::effectiveAddress: disp + base (+ next RIP for RIP-relative) + index * scale.
    uint64_t constant = static_cast<uint64_t>(op.disp) + (op.base == 16 ? ctx.next_rip : 0);
    const bool small = static_cast<int64_t>(constant) == static_cast<int32_t>(constant);
    if (!has_base && !has_index) {
      a.mov(rax, Imm(constant));
      return;
    }
    if (!small) {
      a.mov(r9, Imm(constant));
      if (has_base) a.lea(rax, ptr(base, r9));
      else a.mov(rax, r9);
      if (has_index) a.lea(rax, ptr(rax, index, shift));
      return;
    }
    int32_t c = static_cast<int32_t>(constant);
    if (has_base && has_index) a.lea(rax, ptr(base, index, shift, c));
    else if (has_base) a.lea(rax, ptr(base, c));
    else {
      a.xor_(eax, eax);
      a.lea(rax, ptr(rax, index, shift, c));
    }
    return;
  }
  // 16- and 32-bit addressing: 32-bit arithmetic wraps like the
  // interpreter's mask (a cached register's upper half drops out with the
  // 32-bit result); 16-bit then keeps the low word.
  if (has_base && has_index) a.lea(eax, ptr(base, index, shift, disp));
  else if (has_base) a.lea(eax, ptr(base, disp));
  else if (has_index) {
    a.xor_(eax, eax);
    a.lea(eax, ptr(rax, index, shift, disp));
  }
  else a.mov(eax, Imm(static_cast<uint32_t>(disp)));
  if (insn.addrsize == 2) a.movzx(eax, ax);
}

namespace {

size_t segOffset(uint8_t seg) { return offsetof(CpuState, seg) + sizeof(SegmentCache) * seg; }

// Cpu::segmentAllows after the limit test (r8 = offset of the last byte):
// fast only for the plain cases - expand-up, and (protected modes) a
// present data segment, writable for writes. Everything else (expand-
// down, code segments, null selectors) takes the slow path, whose
// interpreter run decides and raises #GP/#SS. Uses r9.
void emitSegmentCheck(EmitContext& ctx, uint8_t seg, AccessKind kind, const Label& slow) {
  Assembler& a = ctx.as;
  const size_t so = segOffset(seg);
  a.mov(r9d, dword_ptr(jitreg::kState, static_cast<int32_t>(so + offsetof(SegmentCache, limit))));
  a.cmp(r8, r9);
  a.ja(slow);
  a.movzx(r9d, word_ptr(jitreg::kState, static_cast<int32_t>(so + offsetof(SegmentCache, attr))));
  if (ctx.env.seg_rights) {
    uint32_t mask = segattr::P | segattr::CODE | segattr::EXPAND_DOWN;
    uint32_t want = segattr::P;
    if (kind == AccessKind::Write) {
      mask |= segattr::WRITABLE;
      want |= segattr::WRITABLE;
    }
    a.and_(r9d, Imm(mask));
    a.cmp(r9d, Imm(want));
    a.jne(slow);
  } else {
    // Real and virtual-8086 mode check only the limit, expand-down data
    // segments the other way round.
    a.and_(r9d, Imm(segattr::CODE | segattr::EXPAND_DOWN));
    a.cmp(r9d, Imm(segattr::EXPAND_DOWN));
    a.je(slow);
  }
}

// rax: offset -> linear address (Cpu::wrapLinear: 32 bits outside
// long/compat mode; Cpu::segmentBase: 64-bit mode adds only FS and GS
// bases). A non-canonical result never matches a TLB tag, so the slow
// path's interpreter run raises its #GP/#SS.
void emitLinear(EmitContext& ctx, uint8_t seg) {
  if (ctx.env.flatSeg(seg)) return;  // base 0; the offset is already below 4 GiB
  const Mem base = qword_ptr(jitreg::kState, static_cast<int32_t>(segOffset(seg) + offsetof(SegmentCache, base)));
  if (ctx.env.long64 && seg != FS && seg != GS) return;
  if (ctx.env.long64 || ctx.env.compat) ctx.as.add(rax, base);
  else ctx.as.add(eax, base.cloneResized(4));
}

// rax: linear address -> host pointer. Hit iff the entry's tags[kind] ==
// page of the last byte (va + last); host = addend + va. Uses r8, r9.
void emitTlbLookup(EmitContext& ctx, AccessKind kind, unsigned last, const Label& slow) {
  Assembler& a = ctx.as;
  emitTlbEntryAddress(ctx, r8, rax, r9);
  a.lea(r9, ptr(rax, static_cast<int32_t>(last)));
  a.and_(r9, Imm(~int64_t{static_cast<int64_t>(kTlbFlagMask)}));
  a.cmp(r9, qword_ptr(r8, static_cast<int32_t>(8 * static_cast<unsigned>(kind))));
  a.jne(slow);
  a.add(rax, qword_ptr(r8, static_cast<int32_t>(offsetof(TlbEntry, addend))));
}

}  // namespace

void emitHostAddress(EmitContext& ctx, const DecodedInsn& insn, const Operand& op, AccessKind kind,
                     const Label& slow) {
  emitEffectiveAddress(ctx, insn, op);
  emitHostAt(ctx, op.seg, op.size, kind, slow);
}

void emitHostAt(EmitContext& ctx, uint8_t seg, unsigned size, AccessKind kind, const Label& slow) {
  // A flat segment allows every offset whose last byte is below 4 GiB; one
  // beyond gives a tag above 4 GiB, which the TLB never holds in protected
  // mode, so the slow path's interpreter run raises the #GP/#SS.
  if (!ctx.env.long64 && !ctx.env.flatSeg(seg)) {
    ctx.as.lea(r8, ptr(rax, static_cast<int32_t>(size - 1)));
    emitSegmentCheck(ctx, seg, kind, slow);
  }
  emitLinear(ctx, seg);
  emitTlbLookup(ctx, kind, size - 1, slow);
}

bool linearWraps32(const EmitContext& ctx) { return !ctx.env.long64 && !ctx.env.compat; }

void emitLinearRangeChecked(EmitContext& ctx, uint8_t seg, AccessKind kind, unsigned elem, const Label& slow) {
  Assembler& a = ctx.as;
  // (A flat segment: the caller's no-wrap check keeps the range below 4 GiB.)
  if (!ctx.env.long64 && !ctx.env.flatSeg(seg)) {
    a.lea(r8, ptr(rax, r10, 0, -1));
    emitSegmentCheck(ctx, seg, kind, slow);
  }
  emitLinear(ctx, seg);
  // An element across a page boundary would need two host pointers: only
  // when the range stays in its first page may the start be unaligned.
  if (elem > 1) {
    Label aligned = a.newLabel();
    a.test(eax, Imm(elem - 1));
    a.jz(aligned);
    a.mov(r8d, eax);
    a.and_(r8d, Imm(0xFFF));
    a.add(r8, r10);
    a.cmp(r8, Imm(0x1000));
    a.ja(slow);
    a.bind(aligned);
  }
  // r8 = each page of the range in turn, r9 = its last page. The linear
  // address of the last byte wraps like every other (32 bits outside
  // long/compat mode); a non-canonical page matches no tag.
  const bool wrap = linearWraps32(ctx);
  a.mov(r8, rax);
  a.and_(r8, Imm(~int64_t{0xFFF}));
  if (wrap) a.lea(r9d, ptr(rax, r10, 0, -1));
  else a.lea(r9, ptr(rax, r10, 0, -1));
  a.and_(r9, Imm(~int64_t{0xFFF}));
  a.mov(rsi, Imm(reinterpret_cast<uint64_t>(ctx.env.tlb_table)));
  Label next = a.newLabel(), done = a.newLabel();
  a.bind(next);
  a.mov(rcx, r8);
  a.shr(rcx, Imm(12 - kTlbEntryShift));
  a.and_(ecx, Imm(static_cast<uint32_t>(ctx.env.tlb_index_mask)));
  a.cmp(r8, qword_ptr(rsi, rcx, 0, static_cast<int32_t>(8 * static_cast<unsigned>(kind))));
  a.jne(slow);
  a.cmp(r8, r9);
  a.je(done);
  if (wrap) a.add(r8d, Imm(0x1000));
  else a.add(r8, Imm(0x1000));
  a.jmp(next);
  a.bind(done);
}

void emitTlbEntryAddress(EmitContext& ctx, const Gp& entry, const Gp& va, const Gp& tmp) {
  Assembler& a = ctx.as;
  a.mov(entry, va);
  a.shr(entry, Imm(12 - kTlbEntryShift));
  a.and_(entry.r32(), Imm(static_cast<uint32_t>(ctx.env.tlb_index_mask)));
  a.mov(tmp, Imm(reinterpret_cast<uint64_t>(ctx.env.tlb_table)));
  a.add(entry, tmp);
}

void emitHostOfCheckedLinear(EmitContext& ctx, const Gp& dst, const Gp& lin) {
  Assembler& a = ctx.as;
  emitTlbEntryAddress(ctx, r9, lin, dst);
  a.mov(dst, lin);
  a.add(dst, qword_ptr(r9, static_cast<int32_t>(offsetof(TlbEntry, addend))));
}

}  // namespace sv
