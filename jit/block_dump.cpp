#include "jit/block_dump.h"

#include <Zydis/Zydis.h>

#include <cinttypes>

namespace sv {

namespace {
void initDecoder(ZydisDecoder& d, CodeMode mode) {
  switch (mode) {
    case CodeMode::Real16: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16); break;
    case CodeMode::Prot16: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16); break;
    case CodeMode::Prot32: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32); break;
    case CodeMode::Compat16: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16); break;
    case CodeMode::Compat32: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32); break;
    case CodeMode::Long64: ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64); break;
  }
}
}  // namespace

void dumpBlock(std::FILE* out, const Block& b, CodeMode mode, const uint8_t* bytes, bool host_code) {
  ZydisDecoder dec;
  initDecoder(dec, mode);
  ZydisFormatter fmt;
  ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
  std::fprintf(out, "jit: block phys %08" PRIx64 " rip %08" PRIx64 ": %u insns, %u host bytes%s\n", b.paddr, b.rip,
               b.count, b.code_size, b.tracked ? "" : " (ROM)");
  // The block's bytes again (it keeps no decode of its own): last_rip is
  // the offset of its last byte, and a block never wraps IP.
  const size_t span = b.last_rip - b.rip + 1;
  size_t off = 0;
  for (uint32_t i = 0; i < b.count && off < span; ++i) {
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[128] = "?";
    uint64_t rip = b.rip + off;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, bytes + off, span - off, &insn, ops))) break;
    ZydisFormatterFormatInstruction(&fmt, &insn, ops, insn.operand_count_visible, text, sizeof text, rip, nullptr);
    std::fprintf(out, "  %08" PRIx64 "  %s\n", rip, text);
    off += insn.length;
  }
  if (!host_code) return;
  // The host code (x86-64), for reading what the emitters made of it.
  ZydisDecoder host;
  ZydisDecoderInit(&host, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  const auto* code = reinterpret_cast<const uint8_t*>(b.fn);
  for (size_t at = 0; at < b.code_size;) {
    ZydisDecodedInstruction insn;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    char text[128] = "?";
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&host, code + at, b.code_size - at, &insn, ops))) break;
    ZydisFormatterFormatInstruction(&fmt, &insn, ops, insn.operand_count_visible, text, sizeof text,
                                    reinterpret_cast<uint64_t>(code + at), nullptr);
    std::fprintf(out, "    host %04zx  %s\n", at, text);
    at += insn.length;
  }
}

}  // namespace sv
