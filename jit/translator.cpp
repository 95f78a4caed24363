#include "jit/translator.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "cpu/cpu.h"
#include "memory/physical_memory.h"

namespace sv {

namespace {

// Records the first asmjit error; translate() then gives up on the block.
class RecordingErrorHandler final : public asmjit::ErrorHandler {
 public:
  asmjit::Error error = asmjit::kErrorOk;
  void handleError(asmjit::Error err, const char* /*message*/, asmjit::BaseEmitter* /*origin*/) override {
    if (error == asmjit::kErrorOk) error = err;
  }
};

// A code buffer for `rt` and its assembler, errors recorded.
struct CodeSession {
  RecordingErrorHandler eh;
  asmjit::CodeHolder code;
  asmjit::x86::Assembler a;
  explicit CodeSession(asmjit::JitRuntime& rt) : a(init(code, rt, eh)) {}
  static asmjit::CodeHolder* init(asmjit::CodeHolder& code, asmjit::JitRuntime& rt, RecordingErrorHandler& eh) {
    code.init(rt.environment());
    code.setErrorHandler(&eh);
    return &code;
  }
};

bool writesSpecialRegister(const DecodedInsn& insn) {
  // MOV to CRn/DRn, MOV SS / POP SS (interrupt shadow): operand 0 decides.
  if (insn.operand_count == 0 || insn.ops[0].kind != OpKind::Reg) return false;
  RegClass c = insn.ops[0].reg.cls;
  return c == RegClass::Cr || c == RegClass::Dr || (c == RegClass::Seg && insn.ops[0].reg.index == SS);
}

// After an instruction run by its handler: leave the block unless RIP is
// the next instruction's (a taken branch, an unfinished REP or an event
// put it elsewhere).
void emitLeaveUnlessRipIs(asmjit::x86::Assembler& a, uint64_t next, const asmjit::Label& exit) {
  using namespace asmjit::x86;
  if (next <= 0x7FFFFFFF) {
    a.cmp(ripMem(), asmjit::Imm(next));
  } else {
    a.mov(rax, asmjit::Imm(next));
    a.cmp(ripMem(), rax);
  }
  a.jne(exit);
}

}  // namespace

bool Translator::endsBlock(const DecodedInsn& insn) {
  switch (insn.mnemonic) {
    // Control transfers (near and far): the next instruction is elsewhere.
    case ZYDIS_MNEMONIC_JMP: case ZYDIS_MNEMONIC_CALL: case ZYDIS_MNEMONIC_RET:
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JLE:
    case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JNBE: case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNLE:
    case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JNP: case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JNZ:
    case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JZ:
    case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ: case ZYDIS_MNEMONIC_JRCXZ:
    case ZYDIS_MNEMONIC_LOOP: case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
    // Events and returns from them: new CS, CPL, flags, maybe a task switch.
    case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT1: case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_INTO:
    case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
    case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSRET: case ZYDIS_MNEMONIC_SYSENTER:
    case ZYDIS_MNEMONIC_SYSEXIT: case ZYDIS_MNEMONIC_RSM:
    // Run-loop business: HLT, and IF/TF changes (an interrupt may be due).
    case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_STI: case ZYDIS_MNEMONIC_CLI:
    case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ:
    // EFLAGS.AC decides which shadow-TLB privilege SMAP gives supervisor data accesses.
    case ZYDIS_MNEMONIC_STAC: case ZYDIS_MNEMONIC_CLAC:
    // Mode, paging and descriptor-table changes.
    case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_CLTS: case ZYDIS_MNEMONIC_WRMSR:
    case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT: case ZYDIS_MNEMONIC_LLDT: case ZYDIS_MNEMONIC_LTR:
    case ZYDIS_MNEMONIC_INVLPG: case ZYDIS_MNEMONIC_INVPCID: case ZYDIS_MNEMONIC_XSETBV:
    case ZYDIS_MNEMONIC_SWAPGS: case ZYDIS_MNEMONIC_LSS:
      return true;
    case ZYDIS_MNEMONIC_MOV:
    case ZYDIS_MNEMONIC_POP:
      return writesSpecialRegister(insn);
    default:
      return false;
  }
}

bool Translator::loadsFlatSegment(const DecodedInsn& insn) {
  // MOV/POP to DS, ES or SS; LDS, LES (LSS ends every block). Far
  // transfers, IRET, INT and the like end every block anyway.
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_LDS: case ZYDIS_MNEMONIC_LES:
      return true;
    case ZYDIS_MNEMONIC_MOV: case ZYDIS_MNEMONIC_POP: {
      if (insn.operand_count == 0 || insn.ops[0].kind != OpKind::Reg || insn.ops[0].reg.cls != RegClass::Seg)
        return false;
      const unsigned r = insn.ops[0].reg.index;
      return r == DS || r == ES || r == SS;
    }
    default:
      return false;
  }
}

unsigned Translator::decodeRun(Cpu& cpu, uint64_t linear, const uint8_t* first) {
  const CodeMode cm = cpu.codeMode();
  const bool long64 = cpu.mode() == CpuMode::Long64;
  const uint64_t limit = cpu.state.seg[CS].limit;
  const unsigned size = cpu.codeSize();
  const uint64_t ip_mask = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
  const unsigned start_off = static_cast<unsigned>(linear & kPageMask);
  const bool flat = (blockModeKey(cpu) & kModeFlatData) != 0;

  unsigned n = 0;
  unsigned off = start_off;  // page offset of the next instruction
  uint64_t ip = cpu.state.rip;
  while (n < max_insns_ && off < kPageSize) {
    // The same window fetchDecode uses, cut at the page end: an
    // instruction that needs the next page is left to the interpreter.
    unsigned avail = std::min<unsigned>(15, static_cast<unsigned>(kPageSize) - off);
    if (!long64) {
      if (ip > limit) break;
      avail = static_cast<unsigned>(std::min<uint64_t>(avail, limit - ip + 1));
    }
    DecodedInsn& insn = scratch_[n];
    if (decoder_.decode(cm, first + (off - start_off), avail, insn) != DecodeStatus::Ok) break;
    scratch_rip_[n] = ip;
    ++n;
    uint64_t next = ip + insn.length;
    scratch_rip_[n] = next & ip_mask;
    off += insn.length;
    // IP wrapping (16-bit code at FFFF) continues at a different linear
    // address: end here.
    if ((next & ip_mask) != next || endsBlock(insn) || (flat && loadsFlatSegment(insn))) break;
    ip = next;
  }
  return n;
}

std::unique_ptr<Block> Translator::translate(Cpu& cpu, uint64_t linear, uint64_t paddr, const uint8_t* first,
                                             asmjit::JitRuntime& rt) {
  unsigned n = decodeRun(cpu, linear, first);
  if (n == 0) return nullptr;
  auto b = std::make_unique<Block>();
  b->paddr = paddr;
  b->mode_key = blockModeKey(cpu);
  b->cs_base = cpu.state.seg[CS].base;
  b->rip = cpu.state.rip;
  b->linear = linear;
  b->host = first;
  b->last_rip = scratch_rip_[n - 1] + scratch_[n - 1].length - 1;
  b->count = n;
  if (!emit(cpu, *b, rt)) return nullptr;
  return b;
}

bool Translator::flagsDeadAfter(const Block& b, unsigned i) const {
  const DecodedInsn* insns = scratch_;
  // The next instruction that is not a register-only move must overwrite
  // all six flags natively; the moves in between neither read the flags
  // nor can fault or call out, so nothing observes the skipped ones.
  for (unsigned j = i + 1; j < b.count; ++j) {
    const DecodedInsn& next = insns[j];
    if (writesAllFlagsNatively(next)) return emitters_.hasNative(next.mnemonic);
    if (!flagsTransparent(next) || !emitters_.hasNative(next.mnemonic)) return false;
  }
  return false;
}

BlockEnv Translator::envFor(Cpu& cpu) {
  BlockEnv env;
  const CpuMode m = cpu.mode();
  env.long64 = m == CpuMode::Long64;
  env.compat = m == CpuMode::Compat;
  env.seg_rights = m == CpuMode::Protected || m == CpuMode::Compat;
  const unsigned cs = cpu.codeSize();
  env.ip_mask = cs >= 8 ? ~0ull : (1ull << (cs * 8)) - 1;
  // The memory fast path needs the privilege of explicit accesses fixed for
  // the block: CPL, SMAP and (under SMAP at CPL < 3) EFLAGS.AC are in the
  // mode key, and every instruction that changes AC ends its block.
  const bool user = cpu.cpl() == 3;
  const bool smap = (cpu.state.cr4 & cr4::SMAP) != 0;
  const Privilege priv = privilegeFor(user, false, (cpu.state.rflags & flag::AC) != 0, smap);
  env.sse = (cpu.state.cr4 & cr4::OSFXSR) && !(cpu.state.cr0 & (cr0::EM | cr0::TS));
  const TlbFastPath& fp = cpu.tlb().fastPath();
  env.tlb_table = fp.table[static_cast<unsigned>(priv)];
  env.tlb_index_mask = fp.index_mask;
  env.stack_size = cpu.stackAddrSize();
  env.stack_guard = m != CpuMode::Long64 && m != CpuMode::Virtual86;
  env.mode_key = blockModeKey(cpu);
  env.flat_data = (env.mode_key & kModeFlatData) != 0;
  env.cs_limit_checks = !env.long64 && !(env.mode_key & kModeFlatCode);
  const auto* state = reinterpret_cast<const uint8_t*>(&cpu.state);
  env.exit_flag_disp = static_cast<int32_t>(cpu.blockExitFlag() - state);
  env.cpu_disp = static_cast<int32_t>(state - reinterpret_cast<const uint8_t*>(&cpu));
  env.retired_disp = static_cast<int32_t>(reinterpret_cast<const uint8_t*>(cpu.retiredCounter()) - state);
  if (env.flat_data) env.stack_guard = false;  // SS.B is part of the key
  return env;
}

namespace {

// The callee-saved registers the convention uses, pushed by every block's
// prologue (6 pushes + 8 keep rsp 16-aligned for calls).
const asmjit::x86::Gp kSavedRegs[] = {asmjit::x86::rbx, asmjit::x86::rbp, asmjit::x86::r12,
                                      asmjit::x86::r13, asmjit::x86::r14, asmjit::x86::r15};

// The shared frame's epilogue: the retired counter home, then return rax.
void emitEpilogue(EmitContext& ctx) {
  using namespace asmjit::x86;
  Assembler& a = ctx.as;
  a.mov(ctx.retiredMem(), jitreg::kRetired);
  a.add(rsp, 8);
  for (int i = 5; i >= 0; --i) a.pop(kSavedRegs[i]);
  a.ret();
}

}  // namespace

bool Translator::keepCalledInsns(Block& b, asmjit::CodeHolder& code) {
  // Each instruction the code hands to the interpreter gets one kept copy;
  // its placeholders in the code become that copy's address.
  int slot[kMaxBlockInsns];
  std::fill(slot, slot + b.count, -1);
  unsigned kept = 0;
  for (const EmitContext::InsnRef& r : insn_refs_)
    if (slot[r.index] < 0) slot[r.index] = static_cast<int>(kept++);
  b.insns = std::make_unique<DecodedInsn[]>(kept);
  for (unsigned i = 0; i < b.count; ++i)
    if (slot[i] >= 0) b.insns[slot[i]] = scratch_[i];
  asmjit::CodeBuffer& buf = code.textSection()->buffer();
  for (const EmitContext::InsnRef& r : insn_refs_) {
    if (r.end < 8 || r.end > buf.size()) return false;
    uint8_t* at = buf.data() + r.end - 8;
    uint64_t v;
    std::memcpy(&v, at, 8);
    if (v != EmitContext::insnTag(r.index)) return false;  // (not the 64-bit immediate form: give up)
    const auto addr = reinterpret_cast<uint64_t>(&b.insns[slot[r.index]]);
    std::memcpy(at, &addr, 8);
  }
  return true;
}

uint64_t Translator::sharedDispatchLookup(const BlockEnv& env, asmjit::JitRuntime& rt) {
  for (const SharedStub& s : stubs_)
    if (s.mode_key == env.mode_key && s.tlb_table == env.tlb_table && s.tlb_index_mask == env.tlb_index_mask)
      return s.addr;
  CodeSession cs(rt);
  std::vector<SlowPath> none;
  asmjit::x86::Assembler& a = cs.a;
  EmitContext ctx{a, env, a.newLabel(), none, nullptr, {a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()}};
  emitDispatchLookup(ctx, dispatch_);
  void* fn = nullptr;
  if (cs.eh.error != asmjit::kErrorOk || rt.add(&fn, &cs.code) != asmjit::kErrorOk || !fn) return 0;
  const uint64_t addr = reinterpret_cast<uint64_t>(fn);
  stubs_.push_back(SharedStub{env.mode_key, env.tlb_table, env.tlb_index_mask, addr});
  return addr;
}

bool Translator::emit(Cpu& cpu, Block& b, asmjit::JitRuntime& rt) {
  using namespace asmjit;
  using namespace asmjit::x86;
  CodeSession cs(rt);
  Assembler& a = cs.a;
  CodeHolder& code = cs.code;
  const RecordingErrorHandler& eh = cs.eh;
  const BlockEnv env = envFor(cpu);
  const uint64_t lookup = dispatch_.fn ? sharedDispatchLookup(env, rt) : 0;
  if (dispatch_.fn && !lookup) return false;
  slow_paths_.clear();
  EmitContext ctx{a, env, a.newLabel(), slow_paths_, b.exits, {a.newLabel(), a.newLabel(), a.newLabel(), a.newLabel()}};
  ctx.dispatch = a.newLabel();
  ctx.has_dispatch = dispatch_.fn != nullptr;
  ctx.ras = ctx.has_dispatch ? dispatch_.ras : nullptr;
  insn_refs_.clear();
  ctx.insn_base = scratch_;
  ctx.insn_refs = &insn_refs_;
  Label epilogue = a.newLabel();
  Label entry = a.newLabel();

  // Prologue (BlockFn, System V): keep the callee-saved registers the
  // convention uses.
  for (const Gp& r : kSavedRegs) a.push(r);
  a.sub(rsp, 8);
  a.mov(jitreg::kState, rdi);
  a.mov(qword_ptr(rsp), rsi);  // the budget's limit
  a.mov(jitreg::kRetired, ctx.retiredMem());
  // Chained entry: the budget must cover the whole block, and (outside
  // 64-bit mode) the CS limit its last byte, as Jit::blockAt checks for
  // entries from Cpu::run. State is exact here; a failed check returns.
  a.bind(entry);
  a.lea(rax, ptr(jitreg::kRetired, static_cast<int32_t>(b.count)));
  a.cmp(rax, qword_ptr(rsp));
  a.ja(ctx.plain_exit);
  ctx.checkCsLimit(b.last_rip, ctx.plain_exit);

  bool last_native = false;
  for (unsigned i = 0; i < b.count; ++i) {
    const DecodedInsn& insn = scratch_[i];
    ctx.rip = scratch_rip_[i];
    ctx.next_rip = scratch_rip_[i + 1];
    ctx.last = i + 1 == b.count;
    ctx.prev_flags_in_esi = ctx.flags_in_esi;
    ctx.flags_in_esi = false;
    ctx.flags_dead = flagsDeadAfter(b, i);
    ctx.regs.beginInsn();
    last_native = emitters_.emit(ctx, insn);
    if (!last_native) ctx.flags_in_esi = false;
    // A handler call or an emitter that does not use the cache may have
    // written guest registers (or used the cache's host registers).
    if (!last_native || !ctx.regs.active()) ctx.regs.clear();
    if (ctx.ended || ctx.last) break;
    if (last_native) continue;  // native code never leaves RIP elsewhere nor sets the exit flag
    // After a handler: fell through? A taken branch, a REP that is not
    // done or an event leaves RIP elsewhere; a stop request, interrupt
    // line, mode change or store to translated code sets the exit flag.
    // Either way the state is exact: back to Cpu::run.
    const uint64_t next = ctx.next_rip;
    emitLeaveUnlessRipIs(a, next, ctx.plain_exit);
    a.cmp(ctx.exitFlagMem(), 0);
    a.jne(ctx.plain_exit);
  }
  if (!ctx.ended) {
    const DecodedInsn& lastInsn = scratch_[b.count - 1];
    const uint64_t next = scratch_rip_[b.count];
    if (last_native) {
      // The block ended at its size limit or the page end.
      ctx.chainExit(kExitFallThrough, next, ctx.pending);
    } else if (!endsBlock(lastInsn) && !(env.flat_data && loadsFlatSegment(lastInsn))) {
      emitLeaveUnlessRipIs(a, next, ctx.plain_exit);
      ctx.chainExit(kExitFallThrough, next, 0);
    } else if (dispatch_.fn && isIndirectNearBranch(lastInsn)) {
      emitDispatchExit(ctx);  // RIP and retired are exact after the handler
    } else {
      a.jmp(ctx.plain_exit);  // mode/flag changes and other block enders: Cpu::run decides
    }
  }
  if (lookup) emitDispatchTrampoline(ctx, lookup);

  // Out-of-line slow paths: the interpreter fetches and runs the
  // instruction (and raises its fault, if any, with RIP and retired as at
  // its start).
  for (const SlowPath& sp : slow_paths_) {
    a.bind(sp.entry);
    ctx.storeRip(sp.rip);
    ctx.addRetired(sp.pending);
    ctx.callHelper(stepThunk(), 0);
    // An MMIO access or a store to translated code may have asked to leave:
    // executeDecoded has left RIP and retired exact for that.
    a.cmp(ctx.exitFlagMem(), 0);
    a.jne(ctx.plain_exit);
    // Back on the fast path's terms: this instruction and the pending ones
    // retire lazily again.
    if (sp.pending + 1) a.sub(jitreg::kRetired, Imm(sp.pending + 1));
    ctx.regs.reload(sp.reload);
    a.jmp(sp.resume);
  }
  // Link-request stubs: return the exit to Jit::runBlock.
  for (unsigned i = 0; i < kChainExits; ++i) {
    if (!ctx.exit_used[i]) continue;
    a.bind(ctx.link_stub[i]);
    a.mov(rax, Imm(reinterpret_cast<uint64_t>(&b.exits[i])));
    a.jmp(epilogue);
  }
  a.bind(ctx.plain_exit);
  a.xor_(eax, eax);
  a.bind(epilogue);
  emitEpilogue(ctx);

  if (eh.error != kErrorOk) return false;
  if (!keepCalledInsns(b, code)) return false;
  BlockFn f = nullptr;
  if (rt.add(&f, &code) != kErrorOk || !f) return false;
  const uint64_t base = reinterpret_cast<uint64_t>(f);
  b.fn = f;
  b.code_size = static_cast<uint32_t>(code.codeSize());
  b.chain_entry = base + code.labelOffsetFromBase(entry);
  for (unsigned i = 0; i < kChainExits; ++i) {
    b.exits[i].owner = &b;
    b.exits[i].target = nullptr;
    b.exits[i].unlinked = ctx.exit_used[i] ? base + code.labelOffsetFromBase(ctx.link_stub[i]) : 0;
    b.exits[i].slot = b.exits[i].unlinked;
    b.exits[i].dispatch = lookup ? base + code.labelOffsetFromBase(ctx.dispatch) : 0;
  }
  return true;
}

}  // namespace sv
