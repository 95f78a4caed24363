// Differential tests aimed at the JIT's guest-register cache (jit/reg_cache.h):
// registers kept in host registers across a block must agree with the
// interpreter after slow paths that run the interpreter mid-block (a TLB
// miss the first time a page is touched), faults, handler calls, AH..DH
// writes next to cached full registers, evictions when a block uses more
// registers than the cache holds, and conditional writes (CMOVcc).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/jit_diff_rig.h"

using namespace sv;
using namespace sv::testing::jitdiff;

namespace {

void cacheCase(RigPair& rigs, Mode mode, const std::vector<uint8_t>& body, uint64_t a, uint64_t b,
               const std::string& name) {
  std::vector<uint8_t> code = body;
  code.push_back(0xF4);  // HLT
  const uint64_t regs[8] = {a, 0x11, 0x22, b, 0x8000, 0x0F00, 0x100, 0x200};
  runAndCompare(rigs, mode, code, regs, 0, 200, name + " a=" + std::to_string(a) + " b=" + std::to_string(b));
}

}  // namespace

TEST_CASE("jit register cache: slow paths, faults and handler calls between cached uses") {
  const std::vector<std::vector<uint8_t>> kCode = {
      // mov ecx, eax ; add ecx, [0x100] (first touch: TLB miss, the interpreter runs it) ;
      // add ecx, ecx ; mov edx, ecx ; add [0x104], edx ; imul esi, ecx, 3 ; sub esi, [0x104]
      {0x89, 0xC1, 0x03, 0x0D, 0x00, 0x01, 0x00, 0x00, 0x01, 0xC9, 0x89, 0xCA, 0x01, 0x15, 0x04, 0x01, 0x00,
       0x00, 0x6B, 0xF1, 0x03, 0x2B, 0x35, 0x04, 0x01, 0x00, 0x00},
      // mov ecx, eax ; add ecx, ebx ; mov edx, [0xF010] (#PF: the frame and CR2 see ecx written) ; inc ecx
      {0x89, 0xC1, 0x01, 0xD9, 0x8B, 0x15, 0x10, 0xF0, 0x00, 0x00, 0x41},
      // mov ecx, 7 ; add eax, ebx ; xor edx, edx ; div ecx (a handler call) ; add eax, edx ;
      // lea esi, [eax+edx*2+1] ; mov [0x108], esi ; mov edi, [0x108]
      {0xB9, 0x07, 0x00, 0x00, 0x00, 0x01, 0xD8, 0x31, 0xD2, 0xF7, 0xF1, 0x01, 0xD0, 0x8D, 0x74, 0x50, 0x01,
       0x89, 0x35, 0x08, 0x01, 0x00, 0x00, 0x8B, 0x3D, 0x08, 0x01, 0x00, 0x00},
      // push eax ; push ebx ; pop ecx ; pop edx ; push esp ; pop esi ; add esi, ecx ; lea edi, [esp+edx]
      {0x50, 0x53, 0x59, 0x5A, 0x54, 0x5E, 0x01, 0xCE, 0x8D, 0x3C, 0x14},
      // mov [0x200], eax ; mov ebx, 0x200 ; add eax, [ebx] ; mov ebx, eax ; sub eax, [ebx*2+0x100]
      {0x89, 0x05, 0x00, 0x02, 0x00, 0x00, 0xBB, 0x00, 0x02, 0x00, 0x00, 0x03, 0x03, 0x89, 0xC3, 0x2B, 0x04,
       0x5D, 0x00, 0x01, 0x00, 0x00},
  };
  const uint64_t kValues[] = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x1234};
  RigPair rigs;
  for (size_t c = 0; c < kCode.size(); ++c)
    for (uint64_t a : kValues)
      for (uint64_t b : {uint64_t{0}, uint64_t{0x80}, uint64_t{0xFFFFFFF0}})
        cacheCase(rigs, Mode::Prot32Paging, kCode[c], a, b, "sequence " + std::to_string(c));
}

TEST_CASE("jit register cache: AH..DH next to cached full registers, byte and word writes") {
  const std::vector<std::vector<uint8_t>> kCode = {
      // add eax, ebx ; mov ah, cl ; add al, ah ; xchg ah, al ; add eax, 1 ; mov dh, al ;
      // movzx esi, dh ; movsx edi, ah ; add dl, dh
      {0x01, 0xD8, 0x88, 0xCC, 0x00, 0xE0, 0x86, 0xE0, 0x83, 0xC0, 0x01, 0x88, 0xC6, 0x0F, 0xB6, 0xF6, 0x0F,
       0xBE, 0xFC, 0x00, 0xF2},
      // mov ecx, eax ; inc ch ; mov cl, bl ; add cx, bx ; shl ecx, 4 ; neg ch ; mov edx, ecx ; setc dh
      {0x89, 0xC1, 0xFE, 0xC5, 0x88, 0xD9, 0x66, 0x01, 0xD9, 0xC1, 0xE1, 0x04, 0xF6, 0xDD, 0x89, 0xCA, 0x0F,
       0x92, 0xC6},
      // xor eax, eax ; mov al, bl ; mov ah, bh ; cbw ; cwde ; cdq ; bswap edx ; mul dh ; add ax, dx
      {0x31, 0xC0, 0x88, 0xD8, 0x88, 0xFC, 0x66, 0x98, 0x98, 0x99, 0x0F, 0xCA, 0xF6, 0xE6, 0x66, 0x01, 0xD0},
  };
  const uint64_t kValues[] = {0, 0x80, 0x7F7F, 0xFFFFFFFF, 0x12345678};
  RigPair rigs;
  for (size_t c = 0; c < kCode.size(); ++c)
    for (uint64_t a : kValues)
      for (uint64_t b : kValues) cacheCase(rigs, Mode::Prot32, kCode[c], a, b, "byte sequence " + std::to_string(c));
}

TEST_CASE("jit register cache: more registers than host registers, and conditional writes") {
  // 64-bit code touching all sixteen registers in turn (the cache holds
  // six): evictions must leave CpuState exact.
  std::vector<uint8_t> many;
  for (unsigned r = 0; r < 16; ++r) {
    if (r == 4) continue;  // not RSP
    // mov r, imm32 (REX.W C7 /0) then add r, rax (REX.W 01 /r)
    many.insert(many.end(), {static_cast<uint8_t>(0x48 | (r >> 3)), 0xC7, static_cast<uint8_t>(0xC0 | (r & 7)),
                             static_cast<uint8_t>(r * 17), 0x01, 0x00, 0x00});
    many.insert(many.end(), {static_cast<uint8_t>(0x48 | (r >> 3)), 0x01, static_cast<uint8_t>(0xC0 | (r & 7))});
  }
  for (unsigned r = 15; r > 0; --r) {
    if (r == 4) continue;
    // add rax, r (REX.W 01 /r with reg = r)
    many.insert(many.end(), {static_cast<uint8_t>(0x48 | ((r >> 3) << 2)), 0x01, static_cast<uint8_t>(0xC0 | ((r & 7) << 3))});
  }
  RigPair rigs;
  for (uint64_t a : {uint64_t{0}, uint64_t{0x7FFFFFFF}, uint64_t{0xFFFFFFFF}})
    cacheCase(rigs, Mode::Long64, many, a, 3, "sixteen registers");

  // cmp eax, ebx ; cmovl ecx, ebx ; cmovg dx, ax ; cmovz esi, eax ; add ecx, edx ; add esi, ecx
  const std::vector<uint8_t> cmov = {0x39, 0xD8, 0x0F, 0x4C, 0xCB, 0x66, 0x0F, 0x4F, 0xD0,
                                     0x0F, 0x44, 0xF0, 0x01, 0xD1, 0x01, 0xCE};
  for (uint64_t a : {uint64_t{0}, uint64_t{5}, uint64_t{0xFFFFFFFF}})
    for (uint64_t b : {uint64_t{0}, uint64_t{5}, uint64_t{0x80000000}}) {
      cacheCase(rigs, Mode::Prot32, cmov, a, b, "cmov 32");
      // The same with REX.W on the 32-bit CMOVs: 64-bit destinations keep or replace all bits.
      std::vector<uint8_t> wide = {0x48, 0x39, 0xD8, 0x48, 0x0F, 0x4C, 0xCB, 0x66, 0x0F, 0x4F, 0xD0,
                                   0x48, 0x0F, 0x44, 0xF0, 0x48, 0x01, 0xD1, 0x48, 0x01, 0xCE};
      cacheCase(rigs, Mode::Long64, wide, a, b, "cmov 64");
    }
}
