#include "jit/emit_dispatch.h"

#include <Zydis/Zydis.h>

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

void emitDispatchExit(EmitContext& ctx) {
  Assembler& a = ctx.as;
  a.cmp(byte_ptr(jitreg::kExitFlag), 0);
  a.jne(ctx.plain_exit);
  a.jmp(ctx.dispatch);
}

void emitDispatchStub(EmitContext& ctx, const DispatchTarget& target) {
  Assembler& a = ctx.as;
  a.bind(ctx.dispatch);
  a.mov(rdi, Imm(reinterpret_cast<uint64_t>(target.arg)));
  a.mov(rax, Imm(reinterpret_cast<uint64_t>(target.fn)));
  a.call(rax);
  a.test(rax, rax);
  a.jz(ctx.plain_exit);
  a.jmp(rax);
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
