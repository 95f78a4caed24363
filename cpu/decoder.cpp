#include "cpu/decoder.h"

#include <array>

#include "cpu/interp/handler_table.h"

namespace sv {

namespace {

constexpr ZydisMachineMode kZydisMode[] = {
    ZYDIS_MACHINE_MODE_REAL_16,        ZYDIS_MACHINE_MODE_LEGACY_16,
    ZYDIS_MACHINE_MODE_LEGACY_32,      ZYDIS_MACHINE_MODE_LONG_COMPAT_16,
    ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_MACHINE_MODE_LONG_64,
};
constexpr ZydisStackWidth kZydisStack[] = {
    ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_32,
    ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_32, ZYDIS_STACK_WIDTH_64,
};

uint8_t segFromZydis(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return ES;
    case ZYDIS_REGISTER_CS: return CS;
    case ZYDIS_REGISTER_SS: return SS;
    case ZYDIS_REGISTER_DS: return DS;
    case ZYDIS_REGISTER_FS: return FS;
    case ZYDIS_REGISTER_GS: return GS;
    default: return DS;
  }
}

// Table from ZydisRegister to RegId, built once.
struct RegMap {
  std::array<RegId, ZYDIS_REGISTER_MAX_VALUE + 1> map{};
  RegMap() {
    for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; ++r) {
      auto reg = static_cast<ZydisRegister>(r);
      RegId id;
      switch (ZydisRegisterGetClass(reg)) {
        case ZYDIS_REGCLASS_GPR8:
          if (reg >= ZYDIS_REGISTER_AH && reg <= ZYDIS_REGISTER_BH) {
            static constexpr uint8_t kHigh[] = {0 /*AH*/, 1 /*CH*/, 2 /*DH*/, 3 /*BH*/};
            id = {RegClass::GprHigh, kHigh[reg - ZYDIS_REGISTER_AH]};
            break;
          }
          [[fallthrough]];
        case ZYDIS_REGCLASS_GPR16:
        case ZYDIS_REGCLASS_GPR32:
        case ZYDIS_REGCLASS_GPR64: {
          ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
          id = {RegClass::Gpr, static_cast<uint8_t>(full - ZYDIS_REGISTER_RAX)};
          break;
        }
        case ZYDIS_REGCLASS_SEGMENT: id = {RegClass::Seg, segFromZydis(reg)}; break;
        case ZYDIS_REGCLASS_CONTROL: id = {RegClass::Cr, static_cast<uint8_t>(reg - ZYDIS_REGISTER_CR0)}; break;
        case ZYDIS_REGCLASS_DEBUG: id = {RegClass::Dr, static_cast<uint8_t>(reg - ZYDIS_REGISTER_DR0)}; break;
        case ZYDIS_REGCLASS_X87: id = {RegClass::St, static_cast<uint8_t>(reg - ZYDIS_REGISTER_ST0)}; break;
        case ZYDIS_REGCLASS_MMX: id = {RegClass::Mmx, static_cast<uint8_t>(reg - ZYDIS_REGISTER_MM0)}; break;
        case ZYDIS_REGCLASS_XMM: id = {RegClass::Xmm, static_cast<uint8_t>(reg - ZYDIS_REGISTER_XMM0)}; break;
        case ZYDIS_REGCLASS_IP: id = {RegClass::Rip, 0}; break;
        default: break;
      }
      map[r] = id;
    }
  }
};

const RegMap& regMap() {
  static const RegMap m;
  return m;
}

uint64_t maskBytes(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

}  // namespace

RegId regIdFromZydis(ZydisRegister reg) { return regMap().map[reg]; }

Decoder::Decoder() {
  for (int i = 0; i < 6; ++i) ZydisDecoderInit(&zydis_[i], kZydisMode[i], kZydisStack[i]);
  (void)regMap();
}

// 8F with ModRM.reg != 0 is AMD's XOP escape, which Zydis always decodes.
// Our CPU is Intel-like: there, 8F /1../7 is an invalid POP form (#UD).
static DecodeStatus checkXopEscape(CodeMode mode, const uint8_t* bytes, size_t len) {
  size_t i = 0;
  while (i < len && i < 15) {
    uint8_t b = bytes[i];
    bool legacy = b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x26 ||
                  b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
    bool rex = mode == CodeMode::Long64 && (b & 0xF0) == 0x40;
    if (!legacy && !rex) break;
    ++i;
  }
  if (i >= len || bytes[i] != 0x8F) return DecodeStatus::Ok;
  if (i + 1 >= len) return DecodeStatus::NeedMoreBytes;
  return ((bytes[i + 1] >> 3) & 7) != 0 ? DecodeStatus::Invalid : DecodeStatus::Ok;
}

DecodeStatus Decoder::decode(CodeMode mode, const uint8_t* bytes, size_t len, DecodedInsn& out) const {
  if (DecodeStatus xop = checkXopEscape(mode, bytes, len); xop != DecodeStatus::Ok) return xop;
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus st = ZydisDecoderDecodeFull(&zydis_[static_cast<int>(mode)], bytes, len, &zi, zo);
  if (!ZYAN_SUCCESS(st)) {
    if (st == ZYDIS_STATUS_NO_MORE_DATA) return DecodeStatus::NeedMoreBytes;
    if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::TooLong;
    return DecodeStatus::Invalid;
  }

  out = DecodedInsn{};
  const HandlerTable& handlers = interpreterHandlers();
  out.handler = handlers.by_mnemonic[zi.mnemonic];
  if (zi.opcode_map == ZYDIS_OPCODE_MAP_0F) {
    if (zi.mnemonic == ZYDIS_MNEMONIC_MOV) out.handler = handlers.mov_control_debug;
    if (zi.mnemonic == ZYDIS_MNEMONIC_MOVSD) out.handler = handlers.movsd_sse;  // SSE2, not the string MOVSD
    if (zi.mnemonic == ZYDIS_MNEMONIC_CMPSD) out.handler = handlers.cmpsd_sse;
  }
  out.mnemonic = static_cast<uint16_t>(zi.mnemonic);
  out.length = zi.length;
  out.opsize = static_cast<uint8_t>(zi.operand_width / 8);
  out.addrsize = static_cast<uint8_t>(zi.address_width / 8);
  out.opcode = zi.opcode;
  out.opcode_map = static_cast<uint8_t>(zi.opcode_map);
  out.has_modrm = (zi.attributes & ZYDIS_ATTRIB_HAS_MODRM) != 0;
  if (out.has_modrm)
    out.modrm = static_cast<uint8_t>((zi.raw.modrm.mod << 6) | (zi.raw.modrm.reg << 3) | zi.raw.modrm.rm);

  uint16_t p = 0;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_LOCK) p |= prefix::LOCK;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) p |= prefix::OPSIZE;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_ADDRESSSIZE) p |= prefix::ADDRSIZE;
  if (zi.raw.rex.W) p |= prefix::REX_W;
  // The last of F2/F3 decides (Zydis only reports them for instructions that
  // accept them, but REPNE on MOVS acts as REP on real CPUs).
  for (int i = 0; i < zi.raw.prefix_count; ++i) {
    uint8_t v = zi.raw.prefixes[i].value;
    if (v == 0xF3) p = (p & ~prefix::REPNE) | prefix::REP;
    if (v == 0xF2) p = (p & ~prefix::REP) | prefix::REPNE;
  }
  out.seg_override = DecodedInsn::kNoSeg;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT) {
    p |= prefix::SEG;
    if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_ES) out.seg_override = ES;
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_CS) out.seg_override = CS;
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_SS) out.seg_override = SS;
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_DS) out.seg_override = DS;
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_FS) out.seg_override = FS;
    else if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT_GS) out.seg_override = GS;
  }
  // CET reads 3E before an indirect CALL/JMP as NOTRACK and Zydis then drops
  // it as a segment override; without CET (our CPU) it is a plain DS prefix.
  bool notrack_ds = (zi.attributes & ZYDIS_ATTRIB_HAS_NOTRACK) && out.seg_override == DecodedInsn::kNoSeg;
  if (notrack_ds) {
    p |= prefix::SEG;
    out.seg_override = DS;
  }
  out.prefixes = p;

  unsigned n = 0;
  for (unsigned i = 0; i < zi.operand_count_visible && n < 4; ++i) {
    const ZydisDecodedOperand& z = zo[i];
    Operand& o = out.ops[n++];
    o.size = static_cast<uint8_t>(z.size / 8);
    switch (z.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        o.kind = OpKind::Reg;
        o.reg = regIdFromZydis(z.reg.value);
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY:
        o.kind = OpKind::Mem;
        o.seg = notrack_ds ? uint8_t{DS} : segFromZydis(z.mem.segment);
        if (z.mem.base != ZYDIS_REGISTER_NONE) {
          RegId b = regIdFromZydis(z.mem.base);
          o.base = b.cls == RegClass::Rip ? 16 : b.index;
        }
        if (z.mem.index != ZYDIS_REGISTER_NONE) {
          o.index = regIdFromZydis(z.mem.index).index;
          o.scale = z.mem.scale;
        }
        o.disp = z.mem.disp.has_displacement ? z.mem.disp.value : 0;
        break;
      case ZYDIS_OPERAND_TYPE_POINTER:
        o.kind = OpKind::FarPtr;
        o.imm = z.ptr.offset;
        o.imm2 = z.ptr.segment;
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        if (z.imm.is_relative) {
          o.kind = OpKind::Rel;
          o.imm = static_cast<uint64_t>(z.imm.value.s);  // displacement from next RIP
        } else if (z.imm.is_signed && out.opsize > o.size) {
          // imm8/imm32 sign-extended to the operand size (83 /r, 6A, 6B ...).
          o.kind = OpKind::Imm;
          o.size = out.opsize;
          o.imm = static_cast<uint64_t>(z.imm.value.s) & maskBytes(o.size);
        } else {
          o.kind = OpKind::Imm;
          o.imm = z.imm.value.u & maskBytes(o.size ? o.size : 8);
        }
        break;
      default:
        o.kind = OpKind::None;
        break;
    }
  }
  out.operand_count = static_cast<uint8_t>(n);
  // ENTER's second immediate travels in imm2 of the first operand too, so a
  // handler need not care how many immediates the decoder reported.
  if (zi.mnemonic == ZYDIS_MNEMONIC_ENTER && n >= 2) out.ops[0].imm2 = static_cast<uint16_t>(out.ops[1].imm);
  return DecodeStatus::Ok;
}

}  // namespace sv
