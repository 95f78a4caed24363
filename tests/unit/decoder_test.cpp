#include <doctest/doctest.h>

#include <Zydis/Zydis.h>

#include <initializer_list>
#include <vector>

#include "cpu/decoder.h"

using namespace sv;

namespace {
DecodeStatus decodeBytes(std::initializer_list<uint8_t> b, DecodedInsn& out, CodeMode mode = CodeMode::Real16) {
  static const Decoder decoder;
  std::vector<uint8_t> v(b);
  return decoder.decode(mode, v.data(), v.size(), out);
}
}  // namespace

TEST_CASE("memory operand with default DS segment and a byte register") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x00, 0x5F, 0x0E}, d) == DecodeStatus::Ok);  // add [bx+0Eh], bl
  CHECK(d.mnemonic == ZYDIS_MNEMONIC_ADD);
  CHECK(d.length == 3);
  CHECK(d.opsize == 1);
  CHECK(d.addrsize == 2);
  REQUIRE(d.operand_count == 2);
  CHECK(d.ops[0].kind == OpKind::Mem);
  CHECK(d.ops[0].seg == DS);
  CHECK(d.ops[0].base == RBX);
  CHECK(d.ops[0].index == kNoGpr);
  CHECK(d.ops[0].disp == 0x0E);
  CHECK(d.ops[0].size == 1);
  CHECK(d.ops[1].kind == OpKind::Reg);
  CHECK(d.ops[1].reg == RegId{RegClass::Gpr, RBX});
  CHECK(reinterpret_cast<void*>(d.handler) != nullptr);
  CHECK(d.seg_override == DecodedInsn::kNoSeg);
}

TEST_CASE("BP-based addressing defaults to SS, an override wins") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x8B, 0x46, 0x02}, d) == DecodeStatus::Ok);  // mov ax, [bp+2]
  CHECK(d.ops[1].seg == SS);
  REQUIRE(decodeBytes({0x26, 0x8B, 0x46, 0x02}, d) == DecodeStatus::Ok);  // mov ax, es:[bp+2]
  CHECK(d.ops[1].seg == ES);
  CHECK(d.seg_override == ES);
  CHECK(d.hasPrefix(prefix::SEG));
  // With several overrides the last one counts.
  REQUIRE(decodeBytes({0x26, 0x2E, 0x8B, 0x07}, d) == DecodeStatus::Ok);
  CHECK(d.ops[1].seg == CS);
}

TEST_CASE("high byte registers are distinct from low ones") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x88, 0xE0}, d) == DecodeStatus::Ok);  // mov al, ah
  CHECK(d.ops[0].reg == RegId{RegClass::Gpr, RAX});
  CHECK(d.ops[1].reg == RegId{RegClass::GprHigh, 0});
  REQUIRE(decodeBytes({0x88, 0xFB}, d) == DecodeStatus::Ok);  // mov bl, bh
  CHECK(d.ops[1].reg == RegId{RegClass::GprHigh, 3});
}

TEST_CASE("operand- and address-size prefixes in real mode") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x66, 0xB8, 0x78, 0x56, 0x34, 0x12}, d) == DecodeStatus::Ok);  // mov eax, imm32
  CHECK(d.opsize == 4);
  CHECK(d.ops[1].imm == 0x12345678);
  CHECK(d.hasPrefix(prefix::OPSIZE));
  REQUIRE(decodeBytes({0x67, 0x8B, 0x04, 0x48}, d) == DecodeStatus::Ok);  // mov ax, [eax+ecx*2]
  CHECK(d.addrsize == 4);
  CHECK(d.ops[1].base == RAX);
  CHECK(d.ops[1].index == RCX);
  CHECK(d.ops[1].scale == 2);
}

TEST_CASE("sign-extended imm8 is widened to the operand size") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x83, 0xC0, 0xFF}, d) == DecodeStatus::Ok);  // add ax, -1
  CHECK(d.ops[1].kind == OpKind::Imm);
  CHECK(d.ops[1].imm == 0xFFFF);
  REQUIRE(decodeBytes({0x6A, 0x80}, d) == DecodeStatus::Ok);  // push -128
  CHECK(d.ops[0].imm == 0xFF80);
}

TEST_CASE("relative branches carry a signed displacement, far pointers a selector") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0xEB, 0xFE}, d) == DecodeStatus::Ok);
  CHECK(d.ops[0].kind == OpKind::Rel);
  CHECK(static_cast<int64_t>(d.ops[0].imm) == -2);
  REQUIRE(decodeBytes({0xEA, 0x00, 0x10, 0x00, 0xF0}, d) == DecodeStatus::Ok);
  CHECK(d.ops[0].kind == OpKind::FarPtr);
  CHECK(d.ops[0].imm == 0x1000);
  CHECK(d.ops[0].imm2 == 0xF000);
  REQUIRE(decodeBytes({0xC8, 0x10, 0x00, 0x02}, d) == DecodeStatus::Ok);  // enter 16, 2
  CHECK(d.ops[0].imm == 0x10);
  CHECK(d.ops[0].imm2 == 2);
}

TEST_CASE("REP prefixes: the last of F2/F3 decides") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0xF3, 0xA4}, d) == DecodeStatus::Ok);
  CHECK(d.hasPrefix(prefix::REP));
  CHECK_FALSE(d.hasPrefix(prefix::REPNE));
  REQUIRE(decodeBytes({0xF3, 0xF2, 0xA6}, d) == DecodeStatus::Ok);
  CHECK(d.hasPrefix(prefix::REPNE));
  CHECK_FALSE(d.hasPrefix(prefix::REP));
}

TEST_CASE("invalid, truncated and over-long instructions") {
  DecodedInsn d;
  CHECK(decodeBytes({0x8F, 0xC8}, d) == DecodeStatus::Invalid);   // POP r/m with reg=1
  CHECK(decodeBytes({0xF0, 0x90}, d) == DecodeStatus::Invalid);   // LOCK NOP
  CHECK(decodeBytes({0x0F, 0x0B}, d) == DecodeStatus::Ok);        // UD2 decodes; executing it faults
  CHECK(decodeBytes({0xB8, 0x12}, d) == DecodeStatus::NeedMoreBytes);
  CHECK(decodeBytes({0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
                     0x26, 0x90},
                    d) == DecodeStatus::TooLong);
}

TEST_CASE("64-bit mode: REX, RIP-relative, 64-bit operand size") {
  DecodedInsn d;
  REQUIRE(decodeBytes({0x48, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00}, d, CodeMode::Long64) == DecodeStatus::Ok);
  CHECK(d.opsize == 8);
  CHECK(d.hasPrefix(prefix::REX_W));
  CHECK(d.ops[1].base == 16);  // RIP-relative
  CHECK(d.ops[1].disp == 0x10);
  REQUIRE(decodeBytes({0x41, 0x50}, d, CodeMode::Long64) == DecodeStatus::Ok);  // push r8
  CHECK(d.ops[0].reg == RegId{RegClass::Gpr, R8});
}
