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

EmitterTable::EmitterTable() {
  // Native emitters register here, e.g. by_mnemonic_[ZYDIS_MNEMONIC_MOV] = &emitMov;
}

void EmitterTable::emit(EmitContext& ctx, const DecodedInsn& insn) const {
  InsnEmitter e = by_mnemonic_[insn.mnemonic];
  if (e && e(ctx, insn)) return;
  emitHandlerCall(ctx, insn);
}

void emitHandlerCall(EmitContext& ctx, const DecodedInsn& insn) {
  using namespace asmjit;
  InvokeNode* call = nullptr;
  ctx.cc.invoke(&call, reinterpret_cast<uint64_t>(&runInsn),
                FuncSignatureT<void, Cpu*, const DecodedInsn*>(CallConvId::kHost));
  if (!call) return;  // the ErrorHandler has recorded why
  call->setArg(0, ctx.cpu);
  call->setArg(1, Imm(reinterpret_cast<uint64_t>(&insn)));
}

}  // namespace sv
