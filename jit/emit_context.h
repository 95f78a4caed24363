// What emitters share while one block is assembled: the asmjit Assembler,
// the fixed host-register convention of block code, and the emit-time
// bookkeeping of RIP and the retired counter.
//
// Register convention (System V x86-64; all blocks share one frame, so a
// chained jump from one block's end into another's body needs no
// prologue):
//   rbx  CpuState*          (callee-saved: survives handler calls; the
//        Cpu* calls want is rbx minus BlockEnv::cpu_disp)
//   r14  the retired-instruction counter's value (CpuStats::retired lives
//        in memory only across calls and after the block: callHelper and
//        the epilogue write it back, callHelper reloads it)
//   [rsp] retired value the chain may not pass (budget)
//   rbp r12 r13 r15 r10 r11: the guest-register cache (reg_cache.h)
//   rax rcx rdx rsi rdi r8 r9: scratch, clobbered by calls
// Cpu::blockExitFlag() and the counter's home are Cpu members, addressed
// from rbx by their distance from Cpu::state (BlockEnv).
// Guest registers live in CpuState; within a block, reg_cache.h keeps
// copies of the ones in use in host registers (write-through).
//
// Lazy bookkeeping: after a native instruction, state.rip and the retired
// counter are not written; `pending` counts the instructions retired but
// not yet added to the counter, and `rip_stale` says state.rip is behind.
// Every path that can leave the block or reach the interpreter (a handler
// call, a memory slow path, a block exit) first writes both exactly, so a
// fault or exit sees the interpreter's values (see syncForCall).
#pragma once

#include <asmjit/x86.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cpu/cpu_state.h"
#include "cpu/decoded_insn.h"
#include "jit/block.h"
#include "jit/reg_cache.h"
#include "memory/shadow_tlb.h"

namespace sv {

class Cpu;
struct ReturnStack;

namespace jitreg {
using namespace asmjit::x86;
inline const Gp kState = rbx;
inline const Gp kRetired = r14;
}  // namespace jitreg

// An out-of-line path that runs one instruction in the interpreter because
// its native fast path missed (TLB miss, segment check, MMIO, code page).
struct SlowPath {
  asmjit::Label entry;   // the fast path jumps here
  asmjit::Label resume;  // back to the code after the instruction
  uint64_t rip;      // the instruction's RIP (the interpreter fetches it again there)
  unsigned pending;  // instructions pending before it
  // The guest registers cached at `resume` (reloaded after the interpreter ran).
  RegCache::Snapshot reload{};
};

// Facts about the block's translation context, fixed by its mode key.
struct BlockEnv {
  bool long64 = false;        // 64-bit mode: no segment limits, no 32-bit wrap
  bool compat = false;        // compatibility mode: linear addresses not wrapped
  bool seg_rights = false;    // protected/compat: descriptor rights are checked
  const TlbEntry* tlb_table = nullptr;  // the entry set of that privilege
  uint64_t tlb_index_mask = 0;
  uint64_t ip_mask = ~0ull;   // mask of the code size (RIP wraps at 64K in 16-bit code)
  // Stack width (Cpu::stackAddrSize) at translation. Outside 64-bit and
  // virtual-8086 mode it follows SS.B, which the mode key does not hold:
  // stack emitters check it at run time (stack_guard).
  unsigned stack_size = 2;
  bool stack_guard = false;
  uint64_t mode_key = 0;  // blockModeKey() at translation (constant while the block runs)
  // Cpu::blockExitFlag() and Cpu::retiredCounter() relative to &cpu.state;
  // &cpu.state relative to the Cpu.
  int32_t exit_flag_disp = 0;
  int32_t cpu_disp = 0;
  int32_t retired_disp = 0;
  // kModeFlatData: DS, ES and SS need no segment checks and have base 0.
  bool flat_data = false;
  // SSE instructions run (CR4.OSFXSR set, CR0.EM and TS clear: all in the
  // mode key); else they raise #UD/#NM in their handlers.
  bool sse = false;
  bool flatSeg(uint8_t seg) const { return flat_data && (seg == DS || seg == ES || seg == SS); }
  // Outside 64-bit mode, unless CS's limit is 4 GiB (kModeFlatCode): RIPs
  // are checked against it.
  bool cs_limit_checks = false;
};

struct EmitContext {
  asmjit::x86::Assembler& as;
  const BlockEnv& env;
  asmjit::Label plain_exit;  // return 0 (state must be exact when jumping here)
  std::vector<SlowPath>& slow_paths;
  ChainExit* exits;                    // the block's direct exits
  asmjit::Label link_stub[kChainExits];  // their link-request stubs
  bool exit_used[kChainExits] = {};
  uint64_t exit_target[kChainExits] = {};  // the RIP each used slot leads to
  // The block's dispatch stub (emit_dispatch.h): leaves to whatever block
  // is at RIP now without returning to Cpu::run.
  asmjit::Label dispatch;
  bool has_dispatch = false;  // the translator binds a dispatch stub
  ReturnStack* ras = nullptr;  // with has_dispatch: native CALL/RET keep it (return_stack.h)

  // Per instruction, set by the translator before the emitter runs.
  uint64_t rip = 0;       // RIP of the instruction being emitted
  uint64_t next_rip = 0;  // RIP of the next one (fall-through)
  bool last = false;      // the block's last instruction
  bool ended = false;     // the emitter ended the block itself (a branch)
  // Flag liveness, decided by the translator: the next instruction of the
  // block overwrites all six arithmetic flags natively, without a call in
  // between that could observe them, so this one need not compute them.
  bool flags_dead = false;
  // Set by an emitter whose code ends with esi holding the guest's six
  // arithmetic flags (as just merged); a following Jcc tests esi instead
  // of reloading RFLAGS. prev_flags_in_esi: the previous instruction did.
  bool flags_in_esi = false;
  bool prev_flags_in_esi = false;

  // Guest registers in host registers (reg_cache.h).
  RegCache regs{as};
  // The block's decoded instructions (the translator's buffer) and the
  // code offsets where callHandler left an instruction's address to fill
  // in: the translator keeps only those instructions (Block::insns).
  struct InsnRef {
    size_t end;      // code offset just past the 8-byte address
    unsigned index;  // the instruction in insn_base
  };
  const DecodedInsn* insn_base = nullptr;
  std::vector<InsnRef>* insn_refs = nullptr;

  unsigned pending = 0;   // retired but not yet added to *retired
  bool rip_stale = false; // state.rip is not `rip`

  // The exit flag (a byte) and the retired counter's home in memory.
  asmjit::x86::Mem exitFlagMem() const { return asmjit::x86::byte_ptr(jitreg::kState, env.exit_flag_disp); }
  asmjit::x86::Mem retiredMem() const { return asmjit::x86::qword_ptr(jitreg::kState, env.retired_disp); }
  // Writes state.rip = rip and commits `pending` (as the interpreter would
  // have them at the start of the current instruction).
  void syncForCall();
  // Emits state.rip = value.
  void storeRip(uint64_t value);
  // Jumps to `fail` when `rip` is beyond the CS limit (nothing when the
  // block needs no such checks: env.cs_limit_checks).
  void checkCsLimit(uint64_t rip, const asmjit::Label& fail);
  void checkCsLimit(const asmjit::x86::Gp& rip32, const asmjit::Label& fail);
  // Emits retired += n.
  void addRetired(unsigned n);
  // Emits a call of fn(cpu, arg) (System V; rsp is 16-aligned in the body),
  // with the retired counter written to memory before and read back after.
  // `arg_end`: where the code offset just past arg's 8 bytes goes.
  void callHelper(const void* fn, uint64_t arg, size_t* arg_end = nullptr);
  // Emits a call of the interpreter's handler for `insn` (one of
  // insn_base's), as callHelper(handlerThunk(), &kept copy).
  void callHandler(const DecodedInsn& insn);
  // The placeholder callHandler leaves for instruction `index`'s address.
  static constexpr uint64_t insnTag(unsigned index) { return 0xA5A5000000000000ull | index; }
  // A slow path for the current instruction: runs it in the interpreter.
  SlowPath& newSlowPath(const DecodedInsn& insn);
  // Binds the slow path's resume label; the registers cached there are
  // reloaded on the slow path before it jumps back.
  void bindResume(SlowPath& slow);
  // An emitter that reads and writes guest registers through `regs`:
  // activates the cache and brings in the instruction's operands.
  // `defines_first`: operand 0 is written whole on every path (RegCache::useOperands).
  void useRegs(const DecodedInsn& insn, bool defines_first = false) {
    regs.activate();
    regs.useOperands(insn, defines_first);
  }
  // Leaves the block through direct exit `slot` (ChainSlot)
  // towards `target` with `retired` instructions still to commit: writes
  // RIP and the counter, then jumps through the exit's slot (another
  // block's code once linked) unless the exit flag is set. A slot already
  // used towards another target leaves to Cpu::run instead.
  void chainExit(unsigned slot, uint64_t target, unsigned retired);
  // The native instruction is done: it retires lazily.
  void retireNative() {
    ++pending;
    rip_stale = true;
  }
};

// CpuState operands.
inline asmjit::x86::Mem stateMem(size_t offset, unsigned size) {
  return asmjit::x86::Mem(jitreg::kState, static_cast<int32_t>(offset), size);
}
inline asmjit::x86::Mem ripMem() { return stateMem(offsetof(CpuState, rip), 8); }
inline asmjit::x86::Mem rflagsMem() { return stateMem(offsetof(CpuState, rflags), 8); }
// General-purpose register `index` (low `size` bytes) in CpuState.
inline asmjit::x86::Mem gprMem(unsigned index, unsigned size) {
  return stateMem(offsetof(CpuState, gpr) + 8 * index, size);
}

// A guest register operand (Gpr or GprHigh) as a CpuState memory operand
// of `size` bytes; false for other register classes.
bool guestRegMem(const RegId& reg, unsigned size, asmjit::x86::Mem& out);

// Host scratch register of `size` bytes (1, 2, 4, 8) from a 64-bit one.
asmjit::x86::Gp sized(const asmjit::x86::Gp& r64, unsigned size);
// Loads `size` bytes into r64, zero-extended (no partial-register merge
// for 8- and 16-bit values); sized(r64, size) then holds the value.
void loadZx(asmjit::x86::Assembler& a, const asmjit::x86::Gp& r64, const asmjit::x86::Mem& m, unsigned size);
// Stores sized(r64, size) to a guest register as Cpu::setGpr does: a
// 32-bit write zero-extends into the whole register (r64's upper half must
// be zero: any 32-bit host operation leaves it so), the others keep the
// bits above.
void storeGuestReg(asmjit::x86::Assembler& a, const asmjit::x86::Mem& reg, unsigned size,
                   const asmjit::x86::Gp& r64 = asmjit::x86::rdx);
// A general-purpose operand size (1, 2, 4 or 8 bytes).
inline bool isGprSize(unsigned size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// Flags of a host instruction: esi = its CF, PF, AF, ZF, SF and (with
// `with_of`; else 0) OF in their RFLAGS positions. Uses rdi; keeps rax.
void captureHostFlags(asmjit::x86::Assembler& a, bool with_of = true);
// guest rflags = (rflags & ~merge) | (esi & host); esi keeps (esi & host).
// Uses rdi. RFLAGS cached (RegCache::kFlags) is updated in its register.
struct EmitContext;
void emitMergeFlags(EmitContext& ctx, uint64_t host, uint64_t merge);

}  // namespace sv
