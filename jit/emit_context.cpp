#include "jit/emit_context.h"

#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

void EmitContext::storeRip(uint64_t value) {
  if (value <= 0x7FFFFFFF) {
    as.mov(ripMem(), Imm(value));
  } else {
    as.mov(rax, Imm(value));
    as.mov(ripMem(), rax);
  }
}

namespace {
Mem csLimitMem() {
  return dword_ptr(jitreg::kState,
                   static_cast<int32_t>(offsetof(CpuState, seg) + sizeof(SegmentCache) * CS + offsetof(SegmentCache, limit)));
}
}  // namespace

void EmitContext::checkCsLimit(uint64_t rip, const Label& fail) {
  if (!env.cs_limit_checks) return;
  as.cmp(csLimitMem(), Imm(static_cast<int32_t>(static_cast<uint32_t>(rip))));
  as.jb(fail);
}

void EmitContext::checkCsLimit(const Gp& rip32, const Label& fail) {
  if (!env.cs_limit_checks) return;
  as.cmp(csLimitMem(), rip32.r32());
  as.jb(fail);
}

void EmitContext::addRetired(unsigned n) {
  if (n) as.add(jitreg::kRetired, Imm(n));
}

void EmitContext::syncForCall() {
  if (rip_stale) storeRip(rip);
  addRetired(pending);
  rip_stale = false;
  pending = 0;
}

void EmitContext::callHelper(const void* fn, uint64_t arg, size_t* arg_end) {
  as.mov(retiredMem(), jitreg::kRetired);
  as.lea(rdi, ptr(jitreg::kState, -env.cpu_disp));
  as.mov(rsi, Imm(arg));
  if (arg_end) *arg_end = as.offset();
  as.mov(rax, Imm(reinterpret_cast<uint64_t>(fn)));
  as.call(rax);
  as.mov(jitreg::kRetired, retiredMem());
}

void EmitContext::chainExit(unsigned slot, uint64_t target, unsigned retired) {
  storeRip(target);
  addRetired(retired);
  // A slot links to one block, the one at its first target. Another exit
  // of this block towards another target (a second REP that repeats)
  // leaves through Cpu::run instead: through the slot it would enter the
  // first target's block with RIP pointing elsewhere.
  if (exit_used[slot] && exit_target[slot] != target) {
    as.jmp(plain_exit);
    return;
  }
  as.cmp(exitFlagMem(), 0);
  as.jne(plain_exit);
  as.mov(rax, Imm(reinterpret_cast<uint64_t>(&exits[slot].slot)));
  as.jmp(qword_ptr(rax));
  exit_used[slot] = true;
  exit_target[slot] = target;
}

void EmitContext::callHandler(const DecodedInsn& insn) {
  const auto index = static_cast<unsigned>(&insn - insn_base);
  size_t end = 0;
  callHelper(handlerThunk(), insnTag(index), &end);
  insn_refs->push_back(InsnRef{end, index});
}

SlowPath& EmitContext::newSlowPath(const DecodedInsn& /*insn: fetched again there*/) {
  slow_paths.push_back(SlowPath{as.newLabel(), as.newLabel(), rip, pending});
  return slow_paths.back();
}

void EmitContext::bindResume(SlowPath& slow) {
  as.bind(slow.resume);
  if (regs.active()) slow.reload = regs.snapshot();
}

bool guestRegMem(const RegId& reg, unsigned size, Mem& out) {
  if (reg.cls == RegClass::Gpr && reg.index < kGprCount) {
    out = stateMem(offsetof(CpuState, gpr) + 8 * reg.index, size);
    return true;
  }
  if (reg.cls == RegClass::GprHigh && reg.index < 4 && size == 1) {
    out = stateMem(offsetof(CpuState, gpr) + 8 * reg.index + 1, 1);  // AH..BH: bits 15:8
    return true;
  }
  return false;
}

void loadZx(Assembler& a, const Gp& r64, const Mem& m, unsigned size) {
  Mem src = m;
  src.setSize(size);
  if (size <= 2) a.movzx(r64.r32(), src);
  else if (size == 4) a.mov(r64.r32(), src);
  else a.mov(r64.r64(), src);
}

void storeGuestReg(Assembler& a, const Mem& reg, unsigned size, const Gp& r64) {
  Mem m = reg;
  if (size == 4) {
    m.setSize(8);
    a.mov(m, r64.r64());
  } else {
    m.setSize(size);
    a.mov(m, sized(r64, size));
  }
}

void captureHostFlags(Assembler& a, bool with_of) {
  // LAHF/SETO rather than PUSHFQ, which costs several cycles more here.
  a.mov(rdi, rax);
  a.lahf();  // AH = SF ZF 0 AF 0 PF 1 CF
  if (with_of) a.seto(al);
  a.movzx(esi, ah);
  if (with_of) {
    a.movzx(eax, al);
    a.shl(eax, 11);
    a.or_(esi, eax);
  }
  a.mov(rax, rdi);
}

void emitMergeFlags(EmitContext& ctx, uint64_t host, uint64_t merge) {
  Assembler& a = ctx.as;
  a.and_(esi, Imm(static_cast<uint32_t>(host)));
  if (const Gp* h = ctx.regs.host(RegCache::kFlags)) {
    a.and_(*h, Imm(static_cast<int64_t>(~merge)));
    a.or_(*h, rsi);
    a.mov(rflagsMem(), *h);
    return;
  }
  a.mov(rdi, rflagsMem());
  a.and_(rdi, Imm(static_cast<int64_t>(~merge)));
  a.or_(rdi, rsi);
  a.mov(rflagsMem(), rdi);
}

Gp sized(const Gp& r64, unsigned size) {
  switch (size) {
    case 1: return r64.r8();
    case 2: return r64.r16();
    case 4: return r64.r32();
    default: return r64.r64();
  }
}

}  // namespace sv
