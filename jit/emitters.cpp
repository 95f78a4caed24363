#include "jit/emitters.h"

#include "cpu/cpu.h"

namespace sv {

namespace {
// The only way from generated code into the interpreter. A fault in the
// handler longjmps from here straight back to Cpu::run, past the generated
// code (which needs no unwind information for that) and JIT frames that
// hold nothing with a destructor.
void runInsn(Cpu* cpu, const DecodedInsn* insn) { cpu->executeDecoded(*insn); }
}  // namespace

const void* handlerThunk() { return reinterpret_cast<const void*>(&runInsn); }

EmitterTable::EmitterTable() {
  registerAluEmitters(by_mnemonic_);
  registerMovEmitters(by_mnemonic_);
  registerBranchEmitters(by_mnemonic_);
  registerStringEmitters(by_mnemonic_);
  registerStackEmitters(by_mnemonic_);
  registerShiftEmitters(by_mnemonic_);
  registerMulEmitters(by_mnemonic_);
  registerBitEmitters(by_mnemonic_);
  registerExchangeEmitters(by_mnemonic_);
}

bool EmitterTable::emit(EmitContext& ctx, const DecodedInsn& insn) const {
  InsnEmitter e = by_mnemonic_[insn.mnemonic];
  if (e && e(ctx, insn)) return true;
  emitHandlerCall(ctx, insn);
  return false;
}

void emitHandlerCall(EmitContext& ctx, const DecodedInsn& insn) {
  ctx.syncForCall();
  ctx.callHelper(handlerThunk(), reinterpret_cast<uint64_t>(&insn));
  // executeDecoded has written RIP (next or a branch target) and retired.
}

}  // namespace sv
