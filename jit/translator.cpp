#include "jit/translator.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstddef>

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

bool writesSpecialRegister(const DecodedInsn& insn) {
  // MOV to CRn/DRn, MOV SS / POP SS (interrupt shadow): operand 0 decides.
  if (insn.operand_count == 0 || insn.ops[0].kind != OpKind::Reg) return false;
  RegClass c = insn.ops[0].reg.cls;
  return c == RegClass::Cr || c == RegClass::Dr || (c == RegClass::Seg && insn.ops[0].reg.index == SS);
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

unsigned Translator::decodeRun(Cpu& cpu, uint64_t linear, const uint8_t* first) {
  const CodeMode cm = cpu.codeMode();
  const bool long64 = cpu.mode() == CpuMode::Long64;
  const uint64_t limit = cpu.state.seg[CS].limit;
  const unsigned size = cpu.codeSize();
  const uint64_t ip_mask = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
  const unsigned start_off = static_cast<unsigned>(linear & kPageMask);

  unsigned n = 0;
  unsigned off = start_off;  // page offset of the next instruction
  uint64_t ip = cpu.state.rip;
  while (n < kMaxBlockInsns && off < kPageSize) {
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
    if ((next & ip_mask) != next || endsBlock(insn)) break;
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
  b->insns = std::make_unique<DecodedInsn[]>(n);
  std::copy(scratch_, scratch_ + n, b->insns.get());
  if (!emit(*b, rt)) return nullptr;
  return b;
}

bool Translator::emit(Block& b, asmjit::JitRuntime& rt) {
  using namespace asmjit;
  RecordingErrorHandler eh;
  CodeHolder code;
  code.init(rt.environment());
  code.setErrorHandler(&eh);
  x86::Compiler cc(&code);

  FuncNode* fn = cc.addFunc(FuncSignatureT<void, Cpu*, CpuState*, const uint8_t*>(CallConvId::kHost));
  EmitContext ctx{cc, cc.newIntPtr("cpu"), cc.newIntPtr("state"), cc.newIntPtr("exit_flag")};
  if (!fn) return false;
  fn->setArg(0, ctx.cpu);
  fn->setArg(1, ctx.state);
  fn->setArg(2, ctx.exit_flag);
  Label out = cc.newLabel();
  const x86::Mem rip = x86::qword_ptr(ctx.state, static_cast<int32_t>(offsetof(CpuState, rip)));
  for (unsigned i = 0; i < b.count; ++i) {
    emitters_.emit(ctx, b.insns[i]);
    if (i + 1 == b.count) break;
    // Fell through? A taken branch, a REP that is not done, an event or a
    // fault-free redirect leaves RIP elsewhere: back to Cpu::run.
    uint64_t next = scratch_rip_[i + 1];
    if (next <= 0x7FFFFFFF) {
      cc.cmp(rip, Imm(next));
    } else {
      x86::Gp t = cc.newUInt64("next");
      cc.mov(t, Imm(next));
      cc.cmp(rip, t);
    }
    cc.jne(out);
    cc.cmp(x86::byte_ptr(ctx.exit_flag), 0);
    cc.jne(out);
  }
  cc.bind(out);
  cc.ret();
  cc.endFunc();
  cc.finalize();
  if (eh.error != kErrorOk) return false;
  BlockFn f = nullptr;
  if (rt.add(&f, &code) != kErrorOk || !f) return false;
  b.fn = f;
  b.code_size = static_cast<uint32_t>(code.codeSize());
  return true;
}

}  // namespace sv
