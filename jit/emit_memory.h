// Native guest memory operands: the effective address, the segment checks
// the interpreter makes (Cpu::segmentAllows) and the inline shadow-TLB
// lookup (memory/shadow_tlb.h), giving a host pointer on the fast path.
// Anything the fast path does not prove allowed (limit, expand-down or
// unusual descriptor rights, TLB miss, MMIO, code page, page-crossing
// access) jumps to a slow path that runs the whole instruction in the
// interpreter, which raises any fault precisely.
#pragma once

#include "cpu/decoded_insn.h"
#include "jit/emit_context.h"
#include "memory/page_walker.h"

namespace sv {

// Whether emitHostAddress can serve `op` in this block (a memory operand
// of 1/2/4/8 bytes, a privilege fixed at translation).
bool memFastPathUsable(const EmitContext& ctx, const Operand& op);

// rax = the effective address of `op` (masked to the address size). Uses r8.
void emitEffectiveAddress(EmitContext& ctx, const DecodedInsn& insn, const Operand& op);

// rax = host pointer for the access, or a jump to `slow`. Uses r8, r9.
void emitHostAddress(EmitContext& ctx, const DecodedInsn& insn, const Operand& op, AccessKind kind,
                     const asmjit::Label& slow);

// The same from an offset already in rax (stack accesses).
void emitHostAt(EmitContext& ctx, uint8_t seg, unsigned size, AccessKind kind, const asmjit::Label& slow);

// A range that may span pages (a REP string chunk): rax = offset in
// segment `seg`, r10 = length in bytes (>= 1, at most a few pages). Jumps to `slow` unless the whole range passes the segment checks
// and every page it touches hits the TLB for `kind`, and no element of
// `elem` bytes straddles two pages (the start is elem-aligned when the
// range leaves its first page). Then rax = the linear address of the first
// byte. Uses r8, r9, rcx, rsi.
void emitLinearRangeChecked(EmitContext& ctx, uint8_t seg, AccessKind kind, unsigned elem,
                            const asmjit::Label& slow);

// entry = the shadow-TLB entry of linear address `va` in this block's
// entry set (memory/shadow_tlb.h, TlbFastPath):
//   table + ((va >> (12 - kTlbEntryShift)) & index_mask)
// `tmp` is clobbered; entry, va and tmp must be three different registers.
void emitTlbEntryAddress(EmitContext& ctx, const asmjit::x86::Gp& entry, const asmjit::x86::Gp& va,
                         const asmjit::x86::Gp& tmp);

// dst = host pointer of linear address `lin`, whose page the caller has
// found in the TLB (emitLinearRangeChecked): the entry's addend + lin.
// Uses r9; dst, lin and r9 must be three different registers.
void emitHostOfCheckedLinear(EmitContext& ctx, const asmjit::x86::Gp& dst, const asmjit::x86::Gp& lin);

// Whether linear addresses wrap at 4 GiB in this block (outside long and
// compatibility mode, Cpu::wrapLinear).
bool linearWraps32(const EmitContext& ctx);

}  // namespace sv
