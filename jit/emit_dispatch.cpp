#include "jit/emit_dispatch.h"

#include <Zydis/Zydis.h>

#include "jit/block_cache.h"
#include "jit/emit_memory.h"
#include "jit/return_stack.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

void emitDispatchExit(EmitContext& ctx) {
  Assembler& a = ctx.as;
  a.cmp(ctx.exitFlagMem(), 0);
  a.jne(ctx.plain_exit);
  a.jmp(ctx.dispatch);
}

void emitReturnPush(EmitContext& ctx, uint64_t ret) {
  if (!ctx.ras) return;
  Assembler& a = ctx.as;
  // top = (top + 1) % depth; entries[top] = {ret, mode key, &return slot}.
  a.mov(rax, Imm(reinterpret_cast<uint64_t>(ctx.ras)));
  a.mov(ecx, dword_ptr(rax, offsetof(ReturnStack, top)));
  a.add(ecx, 1);
  a.and_(ecx, Imm(ReturnStack::kDepth - 1));
  a.mov(dword_ptr(rax, offsetof(ReturnStack, top)), ecx);
  a.shl(ecx, 5);
  a.lea(rcx, ptr(rax, rcx, 0, static_cast<int32_t>(offsetof(ReturnStack, entries))));
  a.mov(rdx, Imm(ret));
  a.mov(qword_ptr(rcx, offsetof(ReturnStack::Entry, rip)), rdx);
  a.mov(rdx, Imm(ctx.env.mode_key));
  a.mov(qword_ptr(rcx, offsetof(ReturnStack::Entry, mode_key)), rdx);
  a.mov(rdx, Imm(reinterpret_cast<uint64_t>(&ctx.exits[kExitReturn].slot)));
  a.mov(qword_ptr(rcx, offsetof(ReturnStack::Entry, slot)), rdx);
  // The exit's link-request stub (the slot's value until Jit::link links it).
  ctx.exit_used[kExitReturn] = true;
  ctx.exit_target[kExitReturn] = ret;
}

void emitReturnExit(EmitContext& ctx) {
  Assembler& a = ctx.as;
  a.cmp(ctx.exitFlagMem(), 0);
  a.jne(ctx.plain_exit);
  if (ctx.ras) {
    // Pop: rcx = the top entry, top moves down whatever it holds.
    a.mov(rax, Imm(reinterpret_cast<uint64_t>(ctx.ras)));
    a.mov(ecx, dword_ptr(rax, offsetof(ReturnStack, top)));
    a.lea(edx, ptr(rcx, -1));
    a.and_(edx, Imm(ReturnStack::kDepth - 1));
    a.mov(dword_ptr(rax, offsetof(ReturnStack, top)), edx);
    a.shl(ecx, 5);
    a.lea(rcx, ptr(rax, rcx, 0, static_cast<int32_t>(offsetof(ReturnStack, entries))));
    a.mov(rdx, ripMem());
    a.cmp(rdx, qword_ptr(rcx, offsetof(ReturnStack::Entry, rip)));
    a.jne(ctx.dispatch);
    a.mov(rdx, Imm(ctx.env.mode_key));
    a.cmp(rdx, qword_ptr(rcx, offsetof(ReturnStack::Entry, mode_key)));
    a.jne(ctx.dispatch);
    a.mov(rcx, qword_ptr(rcx, offsetof(ReturnStack::Entry, slot)));
    a.jmp(qword_ptr(rcx));
  }
  a.jmp(ctx.dispatch);
}

namespace {

// The front-cache lookup of emit_dispatch.h; jumps to `miss` or enters the
// found block. Uses rax, rcx, rdx, r8, r9.
void emitInlineLookup(EmitContext& ctx, const FrontEntry* front, const Label& miss) {
  Assembler& a = ctx.as;
  const BlockEnv& env = ctx.env;
  // rax = linear address of CS:RIP (Jit::blockAt), rcx = CS base.
  a.mov(rcx, qword_ptr(jitreg::kState, static_cast<int32_t>(offsetof(CpuState, seg) + sizeof(SegmentCache) * CS +
                                                            offsetof(SegmentCache, base))));
  a.mov(rax, ripMem());
  if (linearWraps32(ctx)) a.add(eax, ecx);
  else a.add(rax, rcx);
  // r9 = host pointer of the first byte (Cpu::codeHostFast: the execute
  // tag of the entry set of this block's privilege).
  emitTlbEntryAddress(ctx, rdx, rax, r8);
  a.mov(r8, rax);
  a.and_(r8, Imm(~int64_t{static_cast<int64_t>(kTlbFlagMask)}));
  a.cmp(r8, qword_ptr(rdx, static_cast<int32_t>(8 * static_cast<unsigned>(AccessKind::Execute))));
  a.jne(miss);
  a.mov(r9, qword_ptr(rdx, static_cast<int32_t>(offsetof(TlbEntry, addend))));
  a.add(r9, rax);
  // rdx = the front-cache slot (frontIndex).
  a.mov(rdx, Imm(env.mode_key * kFrontKeyMul));
  a.xor_(rdx, rax);
  a.mov(r8, Imm(kFrontMix));
  a.imul(rdx, r8);
  a.shr(rdx, Imm(64 - kFrontLog2));
  a.shl(rdx, Imm(6));
  static_assert(sizeof(FrontEntry) == 64);
  a.mov(r8, Imm(reinterpret_cast<uint64_t>(front)));
  a.add(rdx, r8);
  auto field = [&](size_t offset) { return qword_ptr(rdx, static_cast<int32_t>(offset)); };
  a.cmp(rax, field(offsetof(FrontEntry, linear)));
  a.jne(miss);
  a.mov(r8, Imm(env.mode_key));
  a.cmp(r8, field(offsetof(FrontEntry, mode_key)));
  a.jne(miss);
  a.cmp(r9, field(offsetof(FrontEntry, host)));
  a.jne(miss);
  a.cmp(rcx, field(offsetof(FrontEntry, cs_base)));
  a.jne(miss);
  a.mov(rax, ripMem());
  a.cmp(rax, field(offsetof(FrontEntry, rip)));
  a.jne(miss);
  a.mov(rax, field(offsetof(FrontEntry, chain_entry)));
  a.ret();
}

}  // namespace

void emitDispatchLookup(EmitContext& ctx, const DispatchTarget& target) {
  Assembler& a = ctx.as;
  // The inline lookup searches with the blocks' mode key (and so their TLB
  // entry set): exits whose target has another key never come here
  // (Jit::link leaves them unlinked).
  if (target.front) {
    Label call = a.newLabel();
    emitInlineLookup(ctx, target.front, call);
    a.bind(call);
  }
  // Called from the block's trampoline: rsp is 8 off the 16-byte alignment.
  a.sub(rsp, 8);
  a.mov(ctx.retiredMem(), jitreg::kRetired);
  a.mov(rdi, Imm(reinterpret_cast<uint64_t>(target.arg)));
  a.mov(rax, Imm(reinterpret_cast<uint64_t>(target.fn)));
  a.call(rax);
  a.mov(jitreg::kRetired, ctx.retiredMem());
  a.add(rsp, 8);
  a.ret();
}

void emitDispatchTrampoline(EmitContext& ctx, uint64_t lookup) {
  Assembler& a = ctx.as;
  a.bind(ctx.dispatch);
  a.mov(rax, Imm(lookup));
  a.call(rax);
  a.test(rax, rax);
  a.jz(ctx.plain_exit);
  a.jmp(rax);  // each block jumps from a place of its own: the host predicts per site
}

bool isIndirectNearBranch(const DecodedInsn& insn) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_RET:
      return insn.opcode == 0xC3 || insn.opcode == 0xC2;  // not RETF (CB/CA)
    case ZYDIS_MNEMONIC_JMP:
    case ZYDIS_MNEMONIC_CALL: {
      // FF /4 (JMP r/m) and FF /2 (CALL r/m); /5 and /3 are far.
      const unsigned reg = (insn.modrm >> 3) & 7;
      return insn.opcode == 0xFF && insn.has_modrm && (reg == 4 || reg == 2);
    }
    default:
      return false;
  }
}

}  // namespace sv
