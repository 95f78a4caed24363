// Native shifts and rotates: SHL/SAL, SHR, SAR, ROL, ROR and SHLD/SHRD
// (32/64-bit; the 16-bit forms with their undefined counts stay in the
// interpreter), register or memory destination, count from an immediate,
// the implicit 1 or CL.
//
// The flags are the interpreter's (cpu/interp/shift_rotate.cpp), not the
// host's: counts are masked to 5 bits (6 for 64-bit operands) and a masked
// count of 0 changes no flag; the host supplies only what the SDM defines
// for the counts it sees (the result, SF/ZF/PF, and CF of a shift whose
// count is below the operand width), the rest is computed here: AF = 1 for
// every shift, OF by the count-1 formula on the final values (SHL/SHLD:
// CF ^ MSB; SHR/SHRD: MSB ^ the bit below; SAR: 0), and for rotates CF and
// OF from the result (ROL: CF = LSB, OF = CF ^ MSB; ROR: CF = MSB, OF =
// MSB ^ the bit below). 8- and 16-bit SHL/SHR/SAR run as 64-bit host shifts
// so that CF is also the interpreter's for counts beyond the width (SDM
// Vol. 2B "SAL/SAR/SHL/SHR": CF undefined there).
#include "cpu/flags.h"
#include "jit/emit_operand.h"
#include "jit/emitters.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {

enum class Shift { Shl, Shr, Sar, Rol, Ror, Shld, Shrd };

constexpr bool isRotate(Shift k) { return k == Shift::Rol || k == Shift::Ror; }
constexpr bool isDouble(Shift k) { return k == Shift::Shld || k == Shift::Shrd; }
// OF = CF ^ MSB(result) (left shifts) or MSB ^ the bit below (right shifts).
constexpr bool ofFromCarry(Shift k) { return k == Shift::Shl || k == Shift::Shld; }

unsigned countMask(unsigned size) { return size == 8 ? 0x3F : 0x1F; }

// The count operand: an immediate (also the implicit 1) or CL.
struct Count {
  bool in_cl = false;
  unsigned value = 1;  // immediate, masked
};

bool countOf(const DecodedInsn& insn, unsigned index, unsigned size, Count& c) {
  if (insn.operand_count <= index) {
    c.value = 1;  // D0/D1 with the count not shown
    return true;
  }
  const Operand& op = insn.ops[index];
  if (op.kind == OpKind::Imm) {
    c.value = static_cast<unsigned>(op.imm) & countMask(size);
    return true;
  }
  c.in_cl = op.kind == OpKind::Reg && op.reg.cls == RegClass::Gpr && op.reg.index == RCX && op.size == 1;
  return c.in_cl;
}

// OF (bit 11) into esi from the result in rdx and CF in r9d (bit 0).
void emitShiftOverflow(Assembler& a, Shift k, unsigned bits) {
  a.mov(rdi, rdx);
  if (ofFromCarry(k)) {
    a.shr(rdi, bits - 1);
    a.xor_(edi, r9d);
  } else {
    a.mov(r8, rdx);
    a.shr(rdi, bits - 1);
    a.shr(r8, bits - 2);
    a.xor_(edi, r8d);
  }
  a.and_(edi, 1);
  a.shl(edi, 11);
  a.or_(esi, edi);
}

// rdx = the result (zero-extended), r9d = CF; ecx/Imm = the count, not 0.
void emitShiftBody(Assembler& a, Shift k, unsigned size, const Operand_& cnt) {
  const unsigned bits = size * 8;
  switch (k) {
    case Shift::Shl:
      if (size < 8) a.shl(rdx, 64 - bits);  // the value at the top: CF = bit(bits - count), 0 beyond
      a.emit(Inst::kIdShl, rdx, cnt);
      a.setc(r9b);
      if (size < 8) a.shr(rdx, 64 - bits);
      break;
    case Shift::Shr:
      a.emit(Inst::kIdShr, rdx, cnt);  // zero-extended: CF = bit(count - 1), 0 beyond
      a.setc(r9b);
      break;
    case Shift::Sar:
      if (size == 4) a.movsxd(rdx, edx);
      else if (size < 4) a.movsx(rdx, sized(rdx, size));
      a.emit(Inst::kIdSar, rdx, cnt);
      a.setc(r9b);
      if (size == 4) a.mov(edx, edx);
      break;
    default:
      break;
  }
  a.movzx(r9d, r9b);
}

template <Shift K>
bool emitShift(EmitContext& ctx, const DecodedInsn& insn) {
  if (insn.operand_count < 1) return false;
  const Operand& d = insn.ops[0];
  RmOperand dst;
  if (!rmUsable(ctx, d, dst)) return false;
  const unsigned size = dst.size;
  const unsigned bits = size * 8;
  Mem src_reg;
  if (isDouble(K)) {
    // 16-bit SHLD/SHRD counts above 16 have undefined results (the interpreter's own choice).
    if (size < 4 || insn.operand_count < 3 || insn.ops[1].kind != OpKind::Reg ||
        !guestRegMem(insn.ops[1].reg, size, src_reg))
      return false;
  }
  Count count;
  if (!countOf(insn, isDouble(K) ? 2 : 1, size, count)) return false;

  Assembler& a = ctx.as;
  ctx.useRegs(insn);
  const bool want_flags = !(ctx.flags_dead && dst.is_reg);
  const Gp* h = dst.is_reg ? ctx.regs.gpr(d.reg) : nullptr;
  if (h && !want_flags && !isDouble(K) && !count.in_cl && size >= 4) {
    // Flags dead, a 32/64-bit cached register and an immediate count: the
    // host's shift in place gives the guest's result (a count of 0 still
    // clears a 32-bit register's upper half, as the mov below does).
    const Gp r = sized(*h, size);
    if (count.value == 0) {
      a.mov(r, r);
    } else {
      InstId id = Inst::kIdShl;
      switch (K) {
        case Shift::Shr: id = Inst::kIdShr; break;
        case Shift::Sar: id = Inst::kIdSar; break;
        case Shift::Rol: id = Inst::kIdRol; break;
        case Shift::Ror: id = Inst::kIdRor; break;
        default: break;
      }
      a.emit(id, r, Imm(count.value));
    }
    ctx.regs.commit(d.reg, size);
    ctx.retireNative();
    return true;
  }
  if (want_flags) ctx.regs.use(RegCache::kFlags);
  SlowPath* slow = dst.is_reg ? nullptr : &ctx.newSlowPath(insn);
  loadRm(ctx, insn, d, dst, AccessKind::Write, slow, rdx);
  Label unchanged = a.newLabel();  // masked count 0: no flag changes
  Operand_ cnt = Imm(count.value);
  if (count.in_cl) {
    ctx.regs.read(rcx, RegId{RegClass::Gpr, RCX}, 1);
    a.and_(ecx, countMask(size));
    a.jz(unchanged);
    cnt = cl;
  }
  const bool compute = count.in_cl || count.value != 0;
  if (compute) {
    if (isRotate(K)) {
      a.emit(K == Shift::Rol ? Inst::kIdRol : Inst::kIdRor, sized(rdx, size), cnt);
      if (want_flags) {
        // ROL: CF = LSB, OF = CF ^ MSB. ROR: CF = MSB, OF = MSB ^ the bit below.
        a.mov(rsi, rdx);
        a.mov(rdi, rdx);
        if (K == Shift::Rol) {
          a.shr(rdi, bits - 1);
        } else {
          a.shr(rsi, bits - 1);
          a.shr(rdi, bits - 2);
        }
        a.and_(esi, 1);
        a.xor_(edi, esi);
        a.and_(edi, 1);
        a.shl(edi, 11);
        a.or_(esi, edi);
        emitMergeFlags(ctx, flag::CF | flag::OF, flag::CF | flag::OF);
      }
    } else {
      if (isDouble(K)) {
        ctx.regs.read(r8, insn.ops[1].reg, size);
        a.emit(K == Shift::Shld ? Inst::kIdShld : Inst::kIdShrd, sized(rdx, size), sized(r8, size), cnt);
        a.setc(r9b);
        a.movzx(r9d, r9b);
      } else {
        emitShiftBody(a, K, size, cnt);
      }
      if (want_flags) {
        a.test(sized(rdx, size), sized(rdx, size));  // SF, ZF, PF of the result
        captureHostFlags(a, /*with_of=*/false);
        a.and_(esi, Imm(flag::SF | flag::ZF | flag::PF));
        a.or_(esi, r9d);
        a.or_(esi, Imm(flag::AF));  // the interpreter's (host-measured) AF
        if (K != Shift::Sar) emitShiftOverflow(a, K, bits);
        emitMergeFlags(ctx, flag::ARITH, flag::ARITH);
        // esi = the guest's six flags, unless a CL count of 0 skipped this.
        if (!slow && !count.in_cl) ctx.flags_in_esi = true;
      }
    }
  }
  a.bind(unchanged);
  // A count of 0 still writes a 32-bit register (upper half cleared), as
  // the interpreter does; rewriting a memory value with itself is harmless.
  if (compute || dst.is_reg) storeRm(ctx, dst, rdx);
  if (slow) ctx.bindResume(*slow);
  ctx.retireNative();
  return true;
}

}  // namespace

bool shiftWritesAllFlagsNatively(const DecodedInsn& insn) {
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
      break;
    default:
      return false;
  }
  // A register destination and a non-zero immediate count: always native,
  // no slow path, all six flags written.
  if (insn.operand_count < 1 || insn.ops[0].kind != OpKind::Reg || !isGprSize(insn.ops[0].size)) return false;
  Mem m;
  if (!guestRegMem(insn.ops[0].reg, insn.ops[0].size, m)) return false;
  Count c;
  return countOf(insn, 1, insn.ops[0].size, c) && !c.in_cl && c.value != 0;
}

void registerShiftEmitters(InsnEmitter* t) {
  t[ZYDIS_MNEMONIC_SHL] = &emitShift<Shift::Shl>;
  t[ZYDIS_MNEMONIC_SHR] = &emitShift<Shift::Shr>;
  t[ZYDIS_MNEMONIC_SAR] = &emitShift<Shift::Sar>;
  t[ZYDIS_MNEMONIC_ROL] = &emitShift<Shift::Rol>;
  t[ZYDIS_MNEMONIC_ROR] = &emitShift<Shift::Ror>;
  t[ZYDIS_MNEMONIC_SHLD] = &emitShift<Shift::Shld>;
  t[ZYDIS_MNEMONIC_SHRD] = &emitShift<Shift::Shrd>;
}

}  // namespace sv
