// String instructions: MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS with their
// REP/REPE/REPNE forms (SDM Vol. 1, 7.3.9; Vol. 2, "REP/REPE/REPZ/REPNE/REPNZ").
//
// The address size picks SI/DI/CX vs ESI/EDI/ECX (vs RSI/RDI/RCX). The source
// is seg:SI with DS overridable; the destination is always ES:DI. Each
// iteration commits SI/DI/CX only after its memory accesses succeeded, so a
// fault mid-way leaves a state from which the instruction restarts.
//
// Long REPs yield: after kRepIterationsPerDispatch iterations the instruction
// ends with RIP unchanged and runs again, so interrupts and the run loop's
// budget are honoured between chunks (REP string instructions are
// interruptible between iterations, SDM Vol. 2B "REP").
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

using flags::mask;

constexpr unsigned kIterationsPerDispatch = kRepIterationsPerDispatch;  // cpu/decoded_insn.h

enum class StrOp : uint8_t { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };

// Per-instruction constants.
struct StrCtx {
  unsigned size;      // element size in bytes
  unsigned asz;       // address size in bytes
  uint64_t delta;     // +size or -size (two's complement), per DF
  uint8_t src_seg;    // DS or the override
};

void advance(Cpu& cpu, const StrCtx& c, Gpr reg) {
  cpu.setGpr(reg, c.asz, (cpu.gpr(reg, c.asz) + c.delta) & mask(c.asz));
}

// Probes that ES:DI is writable before a side effect that cannot be undone
// (a port read) happens, so a faulting INS does not consume input.
void probeWrite(Cpu& cpu, uint64_t di, unsigned size) {
  cpu.checkSegmentAccess(ES, di, size, Access::Write);
  uint64_t lin = cpu.segmentBase(ES) + di;
  cpu.translate(lin, Access::Write);
  cpu.translate(lin + size - 1, Access::Write);
}

// One iteration; CMPS/SCAS set the arithmetic flags like CMP.
template <StrOp Op>
void iterate(Cpu& cpu, const StrCtx& c) {
  unsigned n = c.size;
  uint64_t si = cpu.gpr(RSI, c.asz);
  uint64_t di = cpu.gpr(RDI, c.asz);
  if constexpr (Op == StrOp::Movs) {
    uint64_t v = cpu.readMem(c.src_seg, si, n);
    cpu.writeMem(ES, di, n, v);
    advance(cpu, c, RSI);
    advance(cpu, c, RDI);
  } else if constexpr (Op == StrOp::Cmps) {
    // CMPS compares [SI] - [DI] (source minus destination).
    uint64_t a = cpu.readMem(c.src_seg, si, n);
    uint64_t b = cpu.readMem(ES, di, n);
    flags::merge(cpu.state.rflags, flags::sub(a, b, 0, n));
    advance(cpu, c, RSI);
    advance(cpu, c, RDI);
  } else if constexpr (Op == StrOp::Scas) {
    uint64_t b = cpu.readMem(ES, di, n);
    flags::merge(cpu.state.rflags, flags::sub(cpu.gpr(RAX, n), b, 0, n));
    advance(cpu, c, RDI);
  } else if constexpr (Op == StrOp::Lods) {
    uint64_t v = cpu.readMem(c.src_seg, si, n);
    cpu.setGpr(RAX, n, v);
    advance(cpu, c, RSI);
  } else if constexpr (Op == StrOp::Stos) {
    cpu.writeMem(ES, di, n, cpu.gpr(RAX, n));
    advance(cpu, c, RDI);
  } else if constexpr (Op == StrOp::Ins) {
    probeWrite(cpu, di, n);
    uint64_t v = cpu.portRead(static_cast<uint16_t>(cpu.gpr(RDX, 2)), n);
    cpu.writeMem(ES, di, n, v);
    advance(cpu, c, RDI);
  } else {  // Outs
    uint64_t v = cpu.readMem(c.src_seg, si, n);
    cpu.portWrite(static_cast<uint16_t>(cpu.gpr(RDX, 2)), n, static_cast<uint32_t>(v));
    advance(cpu, c, RSI);
  }
}

template <StrOp Op>
void handleString(Cpu& cpu, const DecodedInsn& insn) {
  StrCtx c;
  // The element size is the mnemonic's (B/W/D/Q); the decoder reports it
  // as the operand width (1 for the byte forms, whatever 66 says).
  c.size = insn.opsize;
  c.asz = insn.addrsize;
  c.delta = (cpu.state.rflags & flag::DF) ? static_cast<uint64_t>(-static_cast<int64_t>(c.size)) : c.size;
  c.src_seg = insn.stringSourceSeg();

  constexpr bool kConditional = Op == StrOp::Cmps || Op == StrOp::Scas;
  bool rep = insn.hasPrefix(prefix::REP) || insn.hasPrefix(prefix::REPNE);
  if (!rep) {
    iterate<Op>(cpu, c);
    return;
  }
  // REPE (F3) stops when ZF = 0, REPNE (F2) when ZF = 1; for the other
  // string instructions either prefix is a plain REP.
  bool stop_on_zf = insn.hasPrefix(prefix::REPNE);
  for (unsigned i = 0; i < kIterationsPerDispatch; ++i) {
    uint64_t count = cpu.gpr(RCX, c.asz);
    if (count == 0) return;
    iterate<Op>(cpu, c);
    cpu.setGpr(RCX, c.asz, count - 1);
    if constexpr (kConditional) {
      bool zf = (cpu.state.rflags & flag::ZF) != 0;
      if (zf == stop_on_zf) return;
    }
  }
  // Budget spent: run this instruction again unless the count is exhausted.
  if (cpu.gpr(RCX, c.asz) != 0) cpu.next_rip = cpu.state.rip;
}

// MOVSD and CMPSD are also the SSE2 scalar-double mnemonics (F2 0F 10/11,
// F2 0F C2); only the one-byte-map forms (A5, A7) are string instructions.
void handleMovsd(Cpu& cpu, const DecodedInsn& insn) {
  if (insn.opcode_map != 0) cpu.raise(vec::UD);  // SSE2 MOVSD: not ours
  handleString<StrOp::Movs>(cpu, insn);
}

void handleCmpsd(Cpu& cpu, const DecodedInsn& insn) {
  if (insn.opcode_map != 0) cpu.raise(vec::UD);  // SSE2 CMPSD: not ours
  handleString<StrOp::Cmps>(cpu, insn);
}

}  // namespace

void registerString(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_MOVSB, &handleString<StrOp::Movs>);
  t.set(ZYDIS_MNEMONIC_MOVSW, &handleString<StrOp::Movs>);
  t.set(ZYDIS_MNEMONIC_MOVSD, &handleMovsd);
  t.set(ZYDIS_MNEMONIC_MOVSQ, &handleString<StrOp::Movs>);
  t.set(ZYDIS_MNEMONIC_CMPSB, &handleString<StrOp::Cmps>);
  t.set(ZYDIS_MNEMONIC_CMPSW, &handleString<StrOp::Cmps>);
  t.set(ZYDIS_MNEMONIC_CMPSD, &handleCmpsd);
  t.set(ZYDIS_MNEMONIC_CMPSQ, &handleString<StrOp::Cmps>);
  t.set(ZYDIS_MNEMONIC_SCASB, &handleString<StrOp::Scas>);
  t.set(ZYDIS_MNEMONIC_SCASW, &handleString<StrOp::Scas>);
  t.set(ZYDIS_MNEMONIC_SCASD, &handleString<StrOp::Scas>);
  t.set(ZYDIS_MNEMONIC_SCASQ, &handleString<StrOp::Scas>);
  t.set(ZYDIS_MNEMONIC_LODSB, &handleString<StrOp::Lods>);
  t.set(ZYDIS_MNEMONIC_LODSW, &handleString<StrOp::Lods>);
  t.set(ZYDIS_MNEMONIC_LODSD, &handleString<StrOp::Lods>);
  t.set(ZYDIS_MNEMONIC_LODSQ, &handleString<StrOp::Lods>);
  t.set(ZYDIS_MNEMONIC_STOSB, &handleString<StrOp::Stos>);
  t.set(ZYDIS_MNEMONIC_STOSW, &handleString<StrOp::Stos>);
  t.set(ZYDIS_MNEMONIC_STOSD, &handleString<StrOp::Stos>);
  t.set(ZYDIS_MNEMONIC_STOSQ, &handleString<StrOp::Stos>);
  t.set(ZYDIS_MNEMONIC_INSB, &handleString<StrOp::Ins>);
  t.set(ZYDIS_MNEMONIC_INSW, &handleString<StrOp::Ins>);
  t.set(ZYDIS_MNEMONIC_INSD, &handleString<StrOp::Ins>);
  t.set(ZYDIS_MNEMONIC_OUTSB, &handleString<StrOp::Outs>);
  t.set(ZYDIS_MNEMONIC_OUTSW, &handleString<StrOp::Outs>);
  t.set(ZYDIS_MNEMONIC_OUTSD, &handleString<StrOp::Outs>);
}

}  // namespace sv
