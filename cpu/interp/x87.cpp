// x87 arithmetic, comparison, load/store and stack-top operations
// (SDM Vol. 1, chapter 8; Vol. 2 instruction pages). The arithmetic itself
// is cpu/x87/float80 (portable software); here the ESC opcode space is
// decoded from opcode+ModRM, which is how the x87 itself groups it:
// D8/DC/DA/DE share one arithmetic layout, D9/DB/DD/DF hold loads/stores.
// Control instructions (FNINIT, FLDENV, FSAVE, FXSAVE, ...) live in
// x87_control.cpp.
#include <Zydis/Zydis.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"
#include "cpu/interp/handlers.h"
#include "cpu/x87/transcendental.h"
#include "cpu/x87/x87_common.h"

namespace sv {

void registerX87Control(HandlerTable& t);

namespace {

using namespace x87;

unsigned regField(const DecodedInsn& insn) { return (insn.modrm >> 3) & 7; }
unsigned rmField(const DecodedInsn& insn) { return insn.modrm & 7; }
bool isRegForm(const DecodedInsn& insn) { return (insn.modrm >> 6) == 3; }

// Loads the memory source of a D8/DA/DC/DE arithmetic instruction. Real
// formats keep an SNaN signalling so the operation applies the NaN rules.
Float80 loadArithSource(Cpu& cpu, const DecodedInsn& insn, const MemRef& m, FpEnv& env) {
  switch (insn.opcode) {
    case 0xD8: return fromFloat32(static_cast<uint32_t>(readAt(cpu, m, 0, 4)), env, false);
    case 0xDC: return fromFloat64(readAt(cpu, m, 0, 8), env, false);
    case 0xDA: return fromInt(static_cast<int32_t>(readAt(cpu, m, 0, 4)));
    default: return fromInt(static_cast<int16_t>(readAt(cpu, m, 0, 2)));
  }
}

// FCOMI/FUCOMI: ZF, PF, CF = C3, C2, C0; OF, SF, AF cleared (SDM FCOMI).
void setCompareEflags(Cpu& cpu, Relation r) {
  uint64_t f = 0;
  switch (r) {
    case Relation::Less: f = flag::CF; break;
    case Relation::Equal: f = flag::ZF; break;
    case Relation::Greater: break;
    default: f = flag::ZF | flag::PF | flag::CF; break;
  }
  constexpr uint64_t all = flag::ZF | flag::PF | flag::CF | flag::OF | flag::SF | flag::AF;
  cpu.state.rflags = (cpu.state.rflags & ~all) | f;
}

Float80 arith(unsigned op, Float80 d, Float80 s, FpEnv& env) {
  switch (op) {
    case 0: return add(d, s, env);
    case 1: return mul(d, s, env);
    case 4: return sub(d, s, env);
    case 5: return sub(s, d, env);
    case 6: return div(d, s, env);
    default: return div(s, d, env);
  }
}

// D8, DA, DC, DE: FADD/FMUL/FCOM/FCOMP/FSUB/FSUBR/FDIV/FDIVR with m32real,
// m32int, m64real, m16int or ST(i); the P forms and FCOMPP.
void handleArith(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  FpEnv env{cpu.state.x87.fcw};
  unsigned op = regField(insn);
  MemRef m;
  Float80 src;
  unsigned dest = 0, srcIdx = 0;
  unsigned pops = 0;
  if (!isRegForm(insn)) {
    m = memRef(cpu, insn);
    src = loadArithSource(cpu, insn, m, env);  // faults before any change
    if (op == 3) pops = 1;
  } else {
    unsigned i = rmField(insn);
    if (insn.opcode == 0xDA) {
      // DA E9 FUCOMPP; the FCMOV forms are handled elsewhere.
      op = 8;
      pops = 2;
      srcIdx = 1;
    } else if (insn.opcode == 0xDD) {
      // DD E0+i FUCOM, DD E8+i FUCOMP (op 8 = unordered compare).
      pops = op == 5 ? 1 : 0;
      op = 8;
      srcIdx = i;
    } else if (insn.opcode == 0xD8 || op == 2 || op == 3) {
      srcIdx = i;  // ST(0) op ST(i), and FCOM aliases in DC/DE
      if (op == 3) pops = insn.opcode == 0xDE ? 2 : 1;  // DE D9 = FCOMPP
    } else {
      // DC/DE: ST(i) = ST(i) op ST(0); the encoding swaps SUB/SUBR, DIV/DIVR.
      dest = i;
      srcIdx = 0;
      if (op >= 4) op ^= 1;
      pops = insn.opcode == 0xDE ? 1 : 0;
    }
  }
  recordPointers(cpu, insn, m);
  bool haveSrc = m.present || !st.empty(srcIdx);
  const bool isCompare = op == 2 || op == 3 || op == 8;
  if (st.empty(0) || !haveSrc || st.empty(dest)) {
    bool masked = st.stackFault(false);
    // Compares report "unordered" even when IE is unmasked (measured).
    if (isCompare) st.setCC(fsw::C0 | fsw::C2 | fsw::C3);
    if (!masked) return;
    if (!isCompare) st.set(dest, kIndefinite);
    for (unsigned k = 0; k < pops; ++k) st.pop();
    return;
  }
  if (!m.present) {
    src = st.get(srcIdx);
  } else if (env.flags & fsw::DE) {
    // A denormal memory real is only reported if the operation gets past
    // the NaN/unsupported screening of the register operand (measured).
    // Likewise FDIVR's divide-by-zero (ST(0) = 0) takes precedence.
    Class c = classify(st.get(0));
    if (c == Class::QNaN || c == Class::SNaN || c == Class::Unsupported || (op == 7 && c == Class::Zero)) {
      env.flags &= static_cast<uint16_t>(~fsw::DE);
      env.suppress = false;
    }
  }
  if (isCompare) {
    // The condition codes are written even when an unmasked exception
    // (IE, DE) suppresses the pop (measured; the SDM says "not set").
    Relation r = compare(st.get(0), src, env, op == 8);
    bool ok = st.commit(env);
    st.setCC(conditionCodes(r));
    if (!ok) return;
  } else {
    Float80 d = st.get(dest);
    Float80 r = env.suppress ? d : arith(op, d, src, env);
    if (!st.commit(env)) return;
    st.set(dest, r);
  }
  for (unsigned k = 0; k < pops; ++k) st.pop();
}

// FCOMI/FCOMIP/FUCOMI/FUCOMIP (DB/DF E8+i, F0+i).
void handleComi(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  FpEnv env{cpu.state.x87.fcw};
  unsigned i = rmField(insn);
  bool quiet = regField(insn) == 5;
  bool pop = insn.opcode == 0xDF;
  recordPointers(cpu, insn, MemRef{});
  // As for FCOM, the flags are written even if the exception is unmasked.
  if (st.empty(0) || st.empty(i)) {
    bool masked = st.stackFault(false);
    setCompareEflags(cpu, Relation::Unordered);
    if (!masked) return;
  } else {
    Relation r = compare(st.get(0), st.get(i), env, quiet);
    env.flags |= cpu.state.x87.fsw & fsw::C1;  // C1 is left alone (measured)
    bool ok = st.commit(env);
    setCompareEflags(cpu, r);
    if (!ok) return;
  }
  if (pop) st.pop();
}

// FCMOVcc (DA/DB C0..DF): ST(0) = ST(i) if the EFLAGS condition holds.
void handleFcmov(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  recordPointers(cpu, insn, MemRef{});
  uint64_t f = cpu.state.rflags;
  bool c;
  switch (regField(insn)) {
    case 0: c = f & flag::CF; break;
    case 1: c = f & flag::ZF; break;
    case 2: c = f & (flag::CF | flag::ZF); break;
    default: c = f & flag::PF; break;
  }
  if (insn.opcode == 0xDB) c = !c;
  unsigned i = rmField(insn);
  if (st.empty(0) || st.empty(i)) {
    if (st.stackFault(false)) st.set(0, kIndefinite);
    return;
  }
  if (c) st.set(0, st.get(i));  // condition codes unchanged (measured)
}

// Pushes `v` after the stack-overflow check (SDM 8.5.1.1).
void pushChecked(Stack& st, Float80 v, const FpEnv& env) {
  if (st.pushOverflows()) {
    if (st.stackFault(true)) st.push(kIndefinite);
    return;
  }
  if (!st.commit(env)) return;
  st.push(v);
}

// FLD m32/m64/m80/ST(i), FILD m16/m32/m64, FBLD.
void handleLoad(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  FpEnv env{cpu.state.x87.fcw};
  MemRef m;
  Float80 v;
  if (isRegForm(insn)) {
    unsigned i = rmField(insn);
    recordPointers(cpu, insn, m);
    if (st.empty(i)) {
      // Underflow is reported even when the push also overflows (measured).
      if (st.stackFault(false)) st.push(kIndefinite);
      return;
    }
    v = st.get(i);
  } else {
    m = memRef(cpu, insn);
    unsigned r = regField(insn);
    switch (insn.opcode) {
      case 0xD9: v = fromFloat32(static_cast<uint32_t>(readAt(cpu, m, 0, 4)), env); break;
      case 0xDD: v = fromFloat64(readAt(cpu, m, 0, 8), env); break;
      case 0xDB:
        if (r == 5) {
          probeRead(cpu, m, 10);
          v = readF80(cpu, m);
        } else {
          v = fromInt(static_cast<int32_t>(readAt(cpu, m, 0, 4)));
        }
        break;
      default:  // DF
        if (r == 0) {
          v = fromInt(static_cast<int16_t>(readAt(cpu, m, 0, 2)));
        } else if (r == 5) {
          v = fromInt(static_cast<int64_t>(readAt(cpu, m, 0, 8)));
        } else {  // FBLD: 18 packed BCD digits and a sign byte
          probeRead(cpu, m, 10);
          uint64_t lo = readAt(cpu, m, 0, 8);
          uint64_t hi = readAt(cpu, m, 8, 2);
          int64_t n = 0;
          for (int k = 8; k >= 0; --k) {
            unsigned byte = static_cast<unsigned>(k == 8 ? hi & 0xFF : (lo >> (8 * k)) & 0xFF);
            n = n * 100 + (byte >> 4) * 10 + (byte & 15);
          }
          v = fromInt(n);
          if (hi & 0x8000) v = negate(v);
        }
        break;
    }
    recordPointers(cpu, insn, m);
    // An unmasked DE on a memory real still loads the value (measured).
    if (!(env.flags & fsw::IE)) env.suppress = false;
  }
  pushChecked(st, v, env);
}

// FST/FSTP m32/m64/m80/ST(i), FIST/FISTP/FISTTP m16/m32/m64, FBSTP.
void handleStore(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  FpEnv env{cpu.state.x87.fcw};
  unsigned r = regField(insn);
  const bool reg = isRegForm(insn);
  MemRef m = reg ? MemRef{} : memRef(cpu, insn);
  // Which form: size in bytes and kind.
  enum Kind { Real, Int, IntTrunc, Ext, Bcd, Reg } kind = Real;
  unsigned size = 0;
  bool pop = false;
  if (reg) {
    kind = Reg;
    pop = insn.opcode != 0xDD || r == 3;  // DD D0 FST; DD D8, D9 D8, DF D0/D8 pop
  } else {
    switch (insn.opcode) {
      case 0xD9: size = 4; pop = r == 3; break;
      case 0xDD: size = 8; pop = r != 2; kind = r == 1 ? IntTrunc : Real; break;
      case 0xDB:
        if (r == 7) { kind = Ext; size = 10; pop = true; }
        else { kind = r == 1 ? IntTrunc : Int; size = 4; pop = r != 2; }
        break;
      default:  // DF
        if (r == 6) { kind = Bcd; size = 10; pop = true; }
        else if (r == 7) { kind = Int; size = 8; pop = true; }
        else { kind = r == 1 ? IntTrunc : Int; size = 2; pop = r != 2; }
        break;
    }
  }
  bool empty = st.empty(0);
  Float80 v = empty ? kIndefinite : st.get(0);
  uint64_t lo = 0, hi = 0;
  bool store = true;
  if (empty) {
    store = (cpu.state.x87.fcw & fsw::IE) != 0;
    if (kind == Int || kind == IntTrunc) lo = size == 2 ? 0x8000 : size == 4 ? 0x80000000u : 1ull << 63;
    else if (kind == Real) lo = size == 4 ? 0xFFC00000u : 0xFFF8000000000000ull;
    else { lo = v.sig; hi = v.se; }
  } else {
    switch (kind) {
      case Real:
        if (size == 4) {
          uint32_t o = 0;
          store = toFloat32(v, env, o);
          lo = o;
        } else {
          store = toFloat64(v, env, lo);
        }
        break;
      case Int:
      case IntTrunc: {
        int64_t o = 0;
        store = toInt(v, size, kind == IntTrunc, env, o);
        lo = static_cast<uint64_t>(o);
        break;
      }
      case Bcd: {
        // Round per RC, then 18 digits; out of range -> IE, BCD indefinite.
        FpEnv renv = env;
        renv.fcw |= fsw::DE;  // FBSTP reports no DE (measured)
        Float80 iv = roundToInt(v, renv);
        env.flags = static_cast<uint16_t>(renv.flags & ~fsw::DE);
        env.suppress = renv.suppress;
        int64_t n = 0;
        FpEnv tmp{0x0F7F};  // integer check only; the rounding flags are in env
        bool ok = !isNaN(iv) && toInt(iv, 8, true, tmp, n) && !(tmp.flags & fsw::IE) &&
                  n < 1000000000000000000LL && n > -1000000000000000000LL;
        if (!ok) {
          env.flags = static_cast<uint16_t>((env.flags & ~(fsw::PE | fsw::C1)) | fsw::IE);
          if (!env.masked(fsw::IE)) env.suppress = true;
          store = !env.suppress;
          lo = 0xC000000000000000ull;
          hi = 0xFFFF;
        } else {
          uint64_t mag = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
          for (int k = 0; k < 9; ++k) {
            uint64_t two = mag % 100;
            mag /= 100;
            uint64_t byte = ((two / 10) << 4) | (two % 10);
            if (k < 8) lo |= byte << (8 * k);
            else hi = byte;
          }
          if (v.sign()) hi |= 0x8000;
          store = !env.suppress;
        }
        break;
      }
      case Ext: lo = v.sig; hi = v.se; break;
      case Reg: break;
    }
  }
  // Memory first (it may fault), then the FPU state.
  if (!reg && store && !env.suppress) {
    if (size == 10) {
      probeWrite(cpu, m, 10);
      writeAt(cpu, m, 0, 8, lo);
      writeAt(cpu, m, 8, 2, hi);
    } else {
      writeAt(cpu, m, 0, size, lo);
    }
  } else if (!reg) {
    probeWrite(cpu, m, size);  // faults still take precedence
  }
  recordPointers(cpu, insn, m);
  if (empty) {
    if (!st.stackFault(false)) return;
    if (reg) st.set(rmField(insn), kIndefinite);
  } else {
    if (!st.commit(env)) return;
    if (reg) st.set(rmField(insn), v);
  }
  if (pop) st.pop();
}

// FXCH ST(i) (D9 C8+i; DD C8+i and DF C8+i are aliases).
void handleFxch(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  recordPointers(cpu, insn, MemRef{});
  unsigned i = rmField(insn);
  if (st.empty(0) || st.empty(i)) {
    if (!st.stackFault(false)) return;
    if (st.empty(0)) st.set(0, kIndefinite);
    if (st.empty(i)) st.set(i, kIndefinite);
  } else {
    st.setCC(cpu.state.x87.fsw & ~fsw::C1);
  }
  Float80 a = st.get(0), b = st.get(i);
  st.set(0, b);
  st.set(i, a);
}

// D9 E0..FF: operations on ST(0) and the constants.
void handleD9Misc(Cpu& cpu, const DecodedInsn& insn) {
  prologue(cpu, true);
  Stack st = stackOf(cpu);
  FpEnv env{cpu.state.x87.fcw};
  recordPointers(cpu, insn, MemRef{});
  uint8_t code = insn.modrm;
  // Constants (SDM 8.3.8): rounded per RC from the internal 66+-bit value; no PE.
  struct Const { uint8_t code; uint64_t sig, extra; uint16_t se; };
  static constexpr Const kConsts[] = {
      {0xE8, 0x8000000000000000ull, 0, 0x3FFF},                                    // 1
      {0xE9, 0xD49A784BCD1B8AFEull, 0x3F2B3A0C6A9A0E98ull, 0x4000},               // log2(10)
      {0xEA, 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E89ull, 0x3FFF},               // log2(e)
      {0xEB, 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull, 0x4000},               // pi
      {0xEC, 0x9A209A84FBCFF798ull, 0x8F8959AC0B7C9178ull, 0x3FFD},               // log10(2)
      {0xED, 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull, 0x3FFE},               // ln(2)
      {0xEE, 0, 0, 0},                                                             // +0
  };
  for (const Const& c : kConsts) {
    if (c.code == code) {
      pushChecked(st, roundConstant(c.sig, c.extra, c.se, env), FpEnv{env.fcw});
      return;
    }
  }
  if (st.empty(0)) {
    if (code == 0xE5) {  // FXAM of an empty register: C3, C0 (C1 = sign, undefined)
      Float80 v = st.get(0);
      st.setCC(fsw::C3 | fsw::C0 | (v.sign() ? fsw::C1 : 0));
      return;
    }
    if (code == 0xF4) {  // FXTRACT of an empty ST(0): indefinite twice (measured)
      if (!st.stackFault(false)) return;
      st.set(0, kIndefinite);
      st.push(kIndefinite);
      return;
    }
    bool masked = st.stackFault(false);
    // FPREM/FPREM1, masked or not: C2 and C1 clear, C3/C0 kept (measured).
    if (code == 0xF5 || code == 0xF8) st.setCC(cpu.state.x87.fsw & ~(fsw::C1 | fsw::C2));
    if (code == 0xE4) {  // FTST: unordered, nothing stored
      st.setCC(fsw::C0 | fsw::C2 | fsw::C3);
      return;
    }
    if (!masked) return;
    if (code == 0xF1 || code == 0xF3 || code == 0xF9) {  // two-operand, result in ST(1), pop
      st.set(1, kIndefinite);
      st.pop();
      return;
    }
    st.set(0, kIndefinite);
    if (code == 0xF2 || code == 0xFB) st.push(kIndefinite);  // FPTAN / FSINCOS push a second result
    return;
  }
  Float80 a = st.get(0);
  switch (code) {
    case 0xE0: st.setCC(cpu.state.x87.fsw & ~fsw::C1); st.set(0, negate(a)); return;   // FCHS
    case 0xE1: st.setCC(cpu.state.x87.fsw & ~fsw::C1); st.set(0, x87::abs(a)); return;  // FABS
    case 0xE4: {  // FTST
      Relation r = compare(a, kZero, env, false);
      st.commit(env);
      st.setCC(conditionCodes(r));
      return;
    }
    case 0xE5: {  // FXAM (SDM FXAM table)
      uint16_t cc = 0;
      switch (classify(a)) {
        case Class::Unsupported: cc = 0; break;
        case Class::QNaN:
        case Class::SNaN: cc = fsw::C0; break;
        case Class::Normal: cc = fsw::C2; break;
        case Class::Infinity: cc = fsw::C2 | fsw::C0; break;
        case Class::Zero: cc = fsw::C3; break;
        case Class::Denormal: cc = fsw::C3 | fsw::C2; break;
      }
      st.setCC(cc | (a.sign() ? fsw::C1 : 0));
      return;
    }
    case 0xFA: {  // FSQRT
      Float80 r = x87::sqrt(a, env);
      if (st.commit(env)) st.set(0, r);
      return;
    }
    case 0xFC: {  // FRNDINT
      Float80 r = roundToInt(a, env);
      if (st.commit(env)) st.set(0, r);
      return;
    }
    case 0xFD: {  // FSCALE
      if (st.empty(1)) {
        if (st.stackFault(false)) st.set(0, kIndefinite);
        return;
      }
      Float80 r = scale(a, st.get(1), env);
      if (st.commit(env)) st.set(0, r);
      return;
    }
    case 0xF4: {  // FXTRACT: ST(0) = exponent, then push the significand
      if (st.pushOverflows()) {
        if (st.stackFault(true)) {
          st.set(0, kIndefinite);
          st.push(kIndefinite);
        }
        return;
      }
      Float80 e, s;
      extract(a, env, e, s);
      if (!st.commit(env)) return;
      st.set(0, e);
      st.push(s);
      return;
    }
    case 0xF5:
    case 0xF8: {  // FPREM1 / FPREM
      // A stack fault or an invalid operand, masked or not, leaves C2 and
      // C1 clear and C3/C0 unchanged (measured by the host oracle), so a
      // "FPREM until C2 = 0" loop ends.
      const uint16_t cleared = cpu.state.x87.fsw & ~(fsw::C1 | fsw::C2);
      if (st.empty(1)) {
        if (st.stackFault(false)) st.set(0, kIndefinite);
        st.setCC(cleared);
        return;
      }
      bool partial;
      unsigned q;
      Float80 r = remainder(a, st.get(1), code == 0xF5, env, partial, q);
      env.flags &= static_cast<uint16_t>(~fsw::C1);
      if (!st.commit(env)) {
        st.setCC(cleared);
        return;
      }
      st.set(0, r);
      uint16_t cc = partial ? fsw::C2 : 0;
      if (isNaN(r)) {
        cc = cpu.state.x87.fsw & (fsw::C0 | fsw::C3);  // NaN/invalid: only C2, C1 cleared (measured)
      } else if (!partial) {
        cc |= (q & 4) ? fsw::C0 : 0;
        cc |= (q & 2) ? fsw::C3 : 0;
        cc |= (q & 1) ? fsw::C1 : 0;
      }
      st.setCC(cc);
      return;
    }
    case 0xF0: {  // F2XM1
      Float80 r = exp2m1(a, env);
      if (st.commit(env)) st.set(0, r);
      return;
    }
    case 0xFE:
    case 0xFF: {  // FSIN / FCOS: C2 = 1 and nothing else when |ST(0)| >= 2^63
      Float80 r;
      bool in_range = code == 0xFE ? sinCos(a, env, &r, nullptr) : sinCos(a, env, nullptr, &r);
      if (!in_range) {
        st.setCC((cpu.state.x87.fsw & ~fsw::C1) | fsw::C2);
        return;
      }
      st.setCC(cpu.state.x87.fsw & ~fsw::C2);
      if (st.commit(env)) st.set(0, r);
      return;
    }
    case 0xF2:
    case 0xFB: {  // FPTAN (then push 1.0) / FSINCOS (ST(0) = sin, then push cos)
      if (st.pushOverflows()) {
        if (st.stackFault(true)) {
          st.set(0, kIndefinite);
          st.push(kIndefinite);
        }
        return;
      }
      Float80 first, second = kOne;
      bool in_range = code == 0xF2 ? x87::tan(a, env, first) : sinCos(a, env, &first, &second);
      if (!in_range) {
        st.setCC((cpu.state.x87.fsw & ~fsw::C1) | fsw::C2);
        return;
      }
      st.setCC(cpu.state.x87.fsw & ~fsw::C2);
      if (!st.commit(env)) return;
      st.set(0, first);
      st.push(second);
      return;
    }
    case 0xF1:
    case 0xF3:
    case 0xF9: {  // FYL2X / FPATAN / FYL2XP1: ST(1) = f(ST(1), ST(0)), pop
      if (st.empty(1)) {
        if (st.stackFault(false)) {
          st.set(1, kIndefinite);
          st.pop();
        }
        return;
      }
      Float80 y = st.get(1);
      Float80 r = code == 0xF1 ? ylog2x(y, a, env) : code == 0xF3 ? x87::atan2(y, a, env) : ylog2xp1(y, a, env);
      if (!st.commit(env)) return;
      st.set(1, r);
      st.pop();
      return;
    }
    default: cpu.raiseUnimplemented();
  }
}

void handleD9(Cpu& cpu, const DecodedInsn& insn) {
  if (!isRegForm(insn)) {
    unsigned r = regField(insn);
    if (r == 0) return handleLoad(cpu, insn);
    if (r == 2 || r == 3) return handleStore(cpu, insn);
    return handleUnimplemented(cpu, insn);  // control forms are registered separately
  }
  switch (insn.modrm & 0xF8) {
    case 0xC0: return handleLoad(cpu, insn);
    case 0xC8: return handleFxch(cpu, insn);
    case 0xD8: return handleStore(cpu, insn);  // FSTPNCE alias of FSTP ST(i)
    default: return handleD9Misc(cpu, insn);
  }
}

// One entry point per mnemonic family; the opcode/ModRM picks the form.
void handleEsc(Cpu& cpu, const DecodedInsn& insn) {
  const bool reg = isRegForm(insn);
  const unsigned r = regField(insn);
  switch (insn.opcode) {
    case 0xD8:
    case 0xDC: return handleArith(cpu, insn);
    case 0xDA:
      if (reg && insn.modrm != 0xE9) return handleFcmov(cpu, insn);
      return handleArith(cpu, insn);
    case 0xDE: return handleArith(cpu, insn);
    case 0xD9: return handleD9(cpu, insn);
    case 0xDB:
      if (reg) {
        if (r <= 3) return handleFcmov(cpu, insn);
        if (r == 5 || r == 6) return handleComi(cpu, insn);
        return handleUnimplemented(cpu, insn);
      }
      return r == 0 || r == 5 ? handleLoad(cpu, insn) : handleStore(cpu, insn);
    case 0xDD:
      if (reg) {
        if (r == 2 || r == 3) return handleStore(cpu, insn);
        if (r == 1) return handleFxch(cpu, insn);
        if (r == 4 || r == 5) return handleArith(cpu, insn);  // FUCOM / FUCOMP ST(i)
        return handleUnimplemented(cpu, insn);
      }
      return r == 0 ? handleLoad(cpu, insn) : handleStore(cpu, insn);
    default:  // DF
      if (reg) {
        if (r == 5 || r == 6) return handleComi(cpu, insn);
        if (r == 1) return handleFxch(cpu, insn);
        if (r == 2 || r == 3) return handleStore(cpu, insn);
        return handleUnimplemented(cpu, insn);
      }
      return r == 0 || r == 4 || r == 5 ? handleLoad(cpu, insn) : handleStore(cpu, insn);
  }
}

}  // namespace

void registerX87(HandlerTable& t) {
  static constexpr ZydisMnemonic kEsc[] = {
      ZYDIS_MNEMONIC_FADD,    ZYDIS_MNEMONIC_FADDP,   ZYDIS_MNEMONIC_FIADD,   ZYDIS_MNEMONIC_FSUB,
      ZYDIS_MNEMONIC_FSUBP,   ZYDIS_MNEMONIC_FISUB,   ZYDIS_MNEMONIC_FSUBR,   ZYDIS_MNEMONIC_FSUBRP,
      ZYDIS_MNEMONIC_FISUBR,  ZYDIS_MNEMONIC_FMUL,    ZYDIS_MNEMONIC_FMULP,   ZYDIS_MNEMONIC_FIMUL,
      ZYDIS_MNEMONIC_FDIV,    ZYDIS_MNEMONIC_FDIVP,   ZYDIS_MNEMONIC_FIDIV,   ZYDIS_MNEMONIC_FDIVR,
      ZYDIS_MNEMONIC_FDIVRP,  ZYDIS_MNEMONIC_FIDIVR,  ZYDIS_MNEMONIC_FCOM,    ZYDIS_MNEMONIC_FCOMP,
      ZYDIS_MNEMONIC_FCOMPP,  ZYDIS_MNEMONIC_FICOM,   ZYDIS_MNEMONIC_FICOMP,  ZYDIS_MNEMONIC_FUCOM,
      ZYDIS_MNEMONIC_FUCOMP,  ZYDIS_MNEMONIC_FUCOMPP, ZYDIS_MNEMONIC_FCOMI,   ZYDIS_MNEMONIC_FCOMIP,
      ZYDIS_MNEMONIC_FUCOMI,  ZYDIS_MNEMONIC_FUCOMIP, ZYDIS_MNEMONIC_FTST,    ZYDIS_MNEMONIC_FXAM,
      ZYDIS_MNEMONIC_FLD,     ZYDIS_MNEMONIC_FST,     ZYDIS_MNEMONIC_FSTP,    ZYDIS_MNEMONIC_FSTPNCE,
      ZYDIS_MNEMONIC_FILD,    ZYDIS_MNEMONIC_FIST,    ZYDIS_MNEMONIC_FISTP,   ZYDIS_MNEMONIC_FISTTP,
      ZYDIS_MNEMONIC_FBLD,    ZYDIS_MNEMONIC_FBSTP,   ZYDIS_MNEMONIC_FXCH,    ZYDIS_MNEMONIC_FCHS,
      ZYDIS_MNEMONIC_FABS,    ZYDIS_MNEMONIC_FLD1,    ZYDIS_MNEMONIC_FLDZ,    ZYDIS_MNEMONIC_FLDPI,
      ZYDIS_MNEMONIC_FLDL2E,  ZYDIS_MNEMONIC_FLDL2T,  ZYDIS_MNEMONIC_FLDLG2,  ZYDIS_MNEMONIC_FLDLN2,
      ZYDIS_MNEMONIC_FSQRT,   ZYDIS_MNEMONIC_FRNDINT, ZYDIS_MNEMONIC_FSCALE,  ZYDIS_MNEMONIC_FXTRACT,
      ZYDIS_MNEMONIC_FPREM,   ZYDIS_MNEMONIC_FPREM1,  ZYDIS_MNEMONIC_F2XM1,   ZYDIS_MNEMONIC_FYL2X,
      ZYDIS_MNEMONIC_FYL2XP1, ZYDIS_MNEMONIC_FPTAN,   ZYDIS_MNEMONIC_FPATAN,  ZYDIS_MNEMONIC_FSIN,
      ZYDIS_MNEMONIC_FCOS,    ZYDIS_MNEMONIC_FSINCOS,  ZYDIS_MNEMONIC_FCMOVB,  ZYDIS_MNEMONIC_FCMOVE,
      ZYDIS_MNEMONIC_FCMOVBE, ZYDIS_MNEMONIC_FCMOVU,  ZYDIS_MNEMONIC_FCMOVNB, ZYDIS_MNEMONIC_FCMOVNE,
      ZYDIS_MNEMONIC_FCMOVNBE, ZYDIS_MNEMONIC_FCMOVNU,
  };
  for (ZydisMnemonic mn : kEsc) t.set(mn, &handleEsc);
  registerX87Control(t);
}

}  // namespace sv
