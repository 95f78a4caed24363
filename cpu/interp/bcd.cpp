// Decimal/ASCII adjustments: DAA, DAS, AAA, AAS, AAM, AAD (SDM Vol. 2A).
// The decoder rejects them in 64-bit mode.
//
// Undefined flags follow the P6 family as Bochs models it ("seems to match
// the P6 and its derived processors"): every one of these sets OF, SF, ZF, PF
// as a logical operation on the final AL does (OF = 0), and AAM/AAD also
// clear AF and CF. The host cannot run these (no 32-bit code segments in this
// VM), so this is not measured.
#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

// Writes AL and the flags: SZP (and OF = 0) from AL, CF/AF as given.
void finish(Cpu& cpu, uint8_t al, bool cf, bool af) {
  cpu.setGpr(RAX, 1, al);
  uint64_t f = flags::logic(al, 1) | (cf ? flag::CF : 0) | (af ? flag::AF : 0);
  flags::merge(cpu.state.rflags, f);
}

bool cfSet(const Cpu& cpu) { return cpu.state.rflags & flag::CF; }
bool afSet(const Cpu& cpu) { return cpu.state.rflags & flag::AF; }

void handleDaa(Cpu& cpu, const DecodedInsn&) {
  uint8_t old_al = static_cast<uint8_t>(cpu.gpr(RAX, 1));
  bool old_cf = cfSet(cpu);
  uint8_t al = old_al;
  bool cf = false, af = false;
  if ((al & 0x0F) > 9 || afSet(cpu)) {
    cf = old_cf || al > 0xF9;  // carry out of AL + 6
    al = static_cast<uint8_t>(al + 6);
    af = true;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(al + 0x60);
    cf = true;
  } else {
    cf = false;
  }
  finish(cpu, al, cf, af);
}

// Unlike DAA, DAS keeps the borrow of the low-nibble step when the high
// step does not apply (SDM pseudocode has no "ELSE CF <- 0" here).
void handleDas(Cpu& cpu, const DecodedInsn&) {
  uint8_t old_al = static_cast<uint8_t>(cpu.gpr(RAX, 1));
  bool old_cf = cfSet(cpu);
  uint8_t al = old_al;
  bool cf = false, af = false;
  if ((al & 0x0F) > 9 || afSet(cpu)) {
    cf = old_cf || al < 6;  // borrow out of AL - 6
    al = static_cast<uint8_t>(al - 6);
    af = true;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<uint8_t>(al - 0x60);
    cf = true;
  }
  finish(cpu, al, cf, af);
}

// AAA/AAS adjust the whole of AX by 0x106 (286 and later: the carry or
// borrow of AL +/- 6 reaches AH), then keep AL's low nibble.
template <bool kAdd>
void handleAsciiAdjust(Cpu& cpu, const DecodedInsn&) {
  uint16_t ax = static_cast<uint16_t>(cpu.gpr(RAX, 2));
  bool adjust = (ax & 0x0F) > 9 || afSet(cpu);
  if (adjust) ax = static_cast<uint16_t>(kAdd ? ax + 0x106 : ax - 0x106);
  cpu.setGpr(RAX, 2, ax & 0xFF0F);
  finish(cpu, static_cast<uint8_t>(ax & 0x0F), adjust, adjust);
}

// AAM imm8: AH = AL / imm8, AL = AL % imm8; imm8 = 0 is #DE.
void handleAam(Cpu& cpu, const DecodedInsn& insn) {
  uint8_t base = static_cast<uint8_t>(insn.ops[0].imm);
  if (base == 0) cpu.raise(vec::DE);
  uint8_t al = static_cast<uint8_t>(cpu.gpr(RAX, 1));
  cpu.setGpr(RAX, 2, static_cast<uint16_t>(((al / base) << 8) | (al % base)));
  finish(cpu, al % base, false, false);
}

// AAD imm8: AL = (AL + AH * imm8) & 0xFF, AH = 0.
void handleAad(Cpu& cpu, const DecodedInsn& insn) {
  uint8_t base = static_cast<uint8_t>(insn.ops[0].imm);
  uint16_t ax = static_cast<uint16_t>(cpu.gpr(RAX, 2));
  uint8_t al = static_cast<uint8_t>((ax & 0xFF) + (ax >> 8) * base);
  cpu.setGpr(RAX, 2, al);
  finish(cpu, al, false, false);
}

}  // namespace

void registerBcd(HandlerTable& t) {
  t.set(ZYDIS_MNEMONIC_DAA, &handleDaa);
  t.set(ZYDIS_MNEMONIC_DAS, &handleDas);
  t.set(ZYDIS_MNEMONIC_AAA, &handleAsciiAdjust<true>);
  t.set(ZYDIS_MNEMONIC_AAS, &handleAsciiAdjust<false>);
  t.set(ZYDIS_MNEMONIC_AAM, &handleAam);
  t.set(ZYDIS_MNEMONIC_AAD, &handleAad);
}

}  // namespace sv
