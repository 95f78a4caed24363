#include "jit/emitters.h"

#include <cstdlib>
#include <cstring>

#include "cpu/cpu.h"

namespace sv {

namespace {
// The only way from generated code into the interpreter. A fault in the
// handler longjmps from here straight back to Cpu::run, past the generated
// code (which needs no unwind information for that) and JIT frames that
// hold nothing with a destructor.
void runInsn(Cpu* cpu, const DecodedInsn* insn) { cpu->executeDecoded(*insn); }
// A slow path's way: the instruction at RIP fetched and decoded again (the
// block does not keep a decode for it: they would be most of its memory,
// and slow paths are the rare case).
void stepInsn(Cpu* cpu, uint64_t /*unused*/) { cpu->step(); }
}  // namespace

const void* handlerThunk() { return reinterpret_cast<const void*>(&runInsn); }
const void* stepThunk() { return reinterpret_cast<const void*>(&stepInsn); }

EmitterTable::EmitterTable() {
  // SV_JIT_NATIVE_OFF=fam1,fam2 (or "all") leaves those families to the
  // interpreter's handlers: a bisection aid for interp/JIT mismatches, read
  // once here, so it costs nothing on the fast path.
  const char* off = std::getenv("SV_JIT_NATIVE_OFF");
  auto on = [off](const char* family) {
    if (!off) return true;
    if (std::strstr(off, "all")) return false;
    return std::strstr(off, family) == nullptr;
  };
  if (on("alu")) registerAluEmitters(by_mnemonic_);
  if (on("mov")) registerMovEmitters(by_mnemonic_);
  if (on("branch")) registerBranchEmitters(by_mnemonic_);
  if (on("string")) registerStringEmitters(by_mnemonic_);
  if (on("stack")) registerStackEmitters(by_mnemonic_);
  if (on("shift")) registerShiftEmitters(by_mnemonic_);
  if (on("mul")) registerMulEmitters(by_mnemonic_);
  if (on("bit")) registerBitEmitters(by_mnemonic_);
  if (on("exchange")) registerExchangeEmitters(by_mnemonic_);
  if (on("sse")) registerSseMoveEmitters(by_mnemonic_, on("string"));
}

bool EmitterTable::emit(EmitContext& ctx, const DecodedInsn& insn) const {
  InsnEmitter e = by_mnemonic_[insn.mnemonic];
  if (e && e(ctx, insn)) return true;
  emitHandlerCall(ctx, insn);
  return false;
}

void emitHandlerCall(EmitContext& ctx, const DecodedInsn& insn) {
  ctx.syncForCall();
  ctx.callHandler(insn);
  // executeDecoded has written RIP (next or a branch target) and retired.
}

}  // namespace sv
