// MMX/SSE/SSE2 execution in real mode: the availability rules (#UD, #NM),
// 16-byte alignment (#GP), #XM and its #UD form, MXCSR, the scalar
// MOVSD/CMPSD that share the string mnemonics, integer and float element
// rules with hand-computed values, MMX's effect on the x87 tags.
#include <doctest/doctest.h>

#include <cstring>

#include "cpu/cpu.h"
#include "cpu/simd/soft_float.h"
#include "cpu/x87/x87_state.h"
#include "tests/unit/real_mode_rig.h"

using namespace sv;

namespace {

constexpr int kUD = 6, kNM = 7, kGP = 13, kXM = 19;

struct SseRig : sv::testing::RealModeRig {
  SseRig() { cpu.state.cr4 |= cr4::OSFXSR | cr4::OSXMMEXCPT; }
  void setX(unsigned i, uint64_t lo, uint64_t hi = 0) { cpu.state.xmm[i] = XmmRegister{lo, hi}; }
  uint64_t lo(unsigned i) const { return cpu.state.xmm[i].lo; }
  uint64_t hi(unsigned i) const { return cpu.state.xmm[i].hi; }
  uint32_t ps(unsigned i, unsigned lane) const {
    uint32_t v[4];
    std::memcpy(v, &cpu.state.xmm[i], 16);
    return v[lane];
  }
  void setPs(unsigned i, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    uint32_t v[4] = {a, b, c, d};
    std::memcpy(&cpu.state.xmm[i], v, 16);
  }
};

constexpr uint32_t kOneF = 0x3F800000, kTwoF = 0x40000000, kThreeF = 0x40400000;
constexpr uint64_t kOneD = 0x3FF0000000000000ull;

}  // namespace

TEST_CASE("SSE availability: CR0.EM and CR4.OSFXSR give #UD, CR0.TS #NM") {
  SseRig r;
  r.cpu.state.cr4 &= ~cr4::OSFXSR;
  CHECK(r.exec({0x0F, 0x28, 0xC1}) == kUD);  // movaps xmm0, xmm1
  r.cpu.state.cr4 |= cr4::OSFXSR;
  r.cpu.state.cr0 |= cr0::EM;
  CHECK(r.exec({0x0F, 0x28, 0xC1}) == kUD);
  r.cpu.state.cr0 &= ~cr0::EM;
  r.cpu.state.cr0 |= cr0::TS;
  CHECK(r.exec({0x0F, 0x28, 0xC1}) == kNM);
  // MMX needs no OSFXSR but honours TS and EM.
  r.cpu.state.cr4 &= ~cr4::OSFXSR;
  CHECK(r.exec({0x0F, 0x77}) == kNM);  // emms
  r.cpu.state.cr0 &= ~cr0::TS;
  CHECK(r.exec({0x0F, 0x77}) == -1);
  r.cpu.state.cr0 |= cr0::EM;
  CHECK(r.exec({0x0F, 0x77}) == kUD);
}

TEST_CASE("SSE moves: alignment #GP for MOVAPS, none for MOVUPS; MOVSD is the SSE2 scalar move") {
  SseRig r;
  for (unsigned i = 0; i < 32; ++i) r.data()[0x100 + i] = static_cast<uint8_t>(i);
  CHECK(r.exec({0x0F, 0x28, 0x06, 0x08, 0x01}) == kGP);  // movaps xmm0, [0x108]
  CHECK(r.exec({0x0F, 0x10, 0x06, 0x08, 0x01}) == -1);   // movups xmm0, [0x108]
  CHECK(r.lo(0) == 0x0F0E0D0C0B0A0908ull);
  CHECK(r.hi(0) == 0x1716151413121110ull);
  CHECK(r.exec({0x0F, 0x28, 0x06, 0x00, 0x01}) == -1);  // movaps xmm0, [0x100]
  CHECK(r.lo(0) == 0x0706050403020100ull);
  r.setX(2, 1, 2);
  CHECK(r.exec({0xF2, 0x0F, 0x10, 0x16, 0x00, 0x01}) == -1);  // movsd xmm2, [0x100]: upper cleared
  CHECK(r.lo(2) == 0x0706050403020100ull);
  CHECK(r.hi(2) == 0);
  r.setX(1, 0xAAAA, 0xBBBB);
  CHECK(r.exec({0xF2, 0x0F, 0x10, 0xD1}) == -1);  // movsd xmm2, xmm1: upper kept
  CHECK(r.lo(2) == 0xAAAA);
  CHECK(r.hi(2) == 0);
  CHECK(r.exec({0xF2, 0x0F, 0x11, 0x16, 0x08, 0x02}) == -1);  // movsd [0x208], xmm2
  CHECK(r.read<uint64_t>(0x208) == 0xAAAA);
  r.cpu.state.gpr[RAX] = 0x12345678;
  CHECK(r.exec({0x66, 0x0F, 0xC4, 0xC0, 0x07}) == -1);  // pinsrw xmm0, eax, 7
  CHECK((r.hi(0) >> 48) == 0x5678);
  CHECK(r.exec({0x66, 0x0F, 0x7E, 0xC0}) == -1);  // movd eax, xmm0
  CHECK(r.cpu.state.gpr[RAX] == 0x03020100);
  CHECK(r.exec({0xF3, 0x0F, 0x7E, 0x1E, 0x00, 0x01}) == -1);  // movq xmm3, [0x100]
  CHECK(r.lo(3) == 0x0706050403020100ull);
  CHECK(r.hi(3) == 0);
}

TEST_CASE("SSE float arithmetic, MXCSR flags and #XM") {
  SseRig r;
  r.setPs(0, kOneF, kTwoF, 0xFF800000u /* -inf */, 0x7FC00001u /* QNaN */);
  r.setPs(1, kTwoF, kOneF, 0x7F800000u, 0xFF800001u /* SNaN */);
  CHECK(r.exec({0x0F, 0x58, 0xC1}) == -1);  // addps xmm0, xmm1
  CHECK(r.ps(0, 0) == kThreeF);
  CHECK(r.ps(0, 1) == kThreeF);
  CHECK(r.ps(0, 2) == 0xFFC00000u);  // -inf + inf: default NaN
  CHECK(r.ps(0, 3) == 0x7FC00001u);  // QNaN first source wins over SNaN
  CHECK((r.cpu.state.mxcsr & 0x3F) == simd::mxcsr::IE);
  // Unmask ZE: DIVSS by zero raises #XM, sets ZE and leaves xmm0 alone.
  r.write<uint32_t>(0x300, 0x1F80 & ~(simd::mxcsr::ZE << 7));
  CHECK(r.exec({0x0F, 0xAE, 0x16, 0x00, 0x03}) == -1);  // ldmxcsr [0x300]
  r.setPs(0, kOneF, 0, 0, 0);
  r.setPs(1, 0, 0, 0, 0);
  CHECK(r.exec({0xF3, 0x0F, 0x5E, 0xC1}) == kXM);  // divss xmm0, xmm1
  CHECK(r.ps(0, 0) == kOneF);
  CHECK((r.cpu.state.mxcsr & simd::mxcsr::ZE) != 0);
  r.cpu.state.cr4 &= ~cr4::OSXMMEXCPT;
  CHECK(r.exec({0xF3, 0x0F, 0x5E, 0xC1}) == kUD);
  // STMXCSR, and LDMXCSR with a reserved bit -> #GP(0).
  CHECK(r.exec({0x0F, 0xAE, 0x1E, 0x04, 0x03}) == -1);
  CHECK(r.read<uint32_t>(0x304) == r.cpu.state.mxcsr);
  r.write<uint32_t>(0x300, 0x10000);
  CHECK(r.exec({0x0F, 0xAE, 0x16, 0x00, 0x03}) == kGP);
}

TEST_CASE("SSE float conversions and compares") {
  SseRig r;
  r.setPs(0, 0x4F000000u /* 2^31 */, 0, 0, 0);
  CHECK(r.exec({0xF3, 0x0F, 0x2C, 0xC0}) == -1);  // cvttss2si eax, xmm0: out of range
  CHECK(r.cpu.state.gpr[RAX] == 0x80000000u);
  CHECK((r.cpu.state.mxcsr & simd::mxcsr::IE) != 0);
  r.cpu.state.mxcsr = 0x1F80;
  r.cpu.state.gpr[RAX] = static_cast<uint32_t>(-3);
  CHECK(r.exec({0xF2, 0x0F, 0x2A, 0xC0}) == -1);  // cvtsi2sd xmm0, eax
  CHECK(r.lo(0) == 0xC008000000000000ull);
  CHECK(r.exec({0xF2, 0x0F, 0x5A, 0xC8}) == -1);  // cvtsd2ss xmm1, xmm0
  CHECK(r.ps(1, 0) == 0xC0400000u);
  r.setX(1, kOneD, 0x4010000000000000ull);  // 1.0, 4.0
  CHECK(r.exec({0x66, 0x0F, 0x51, 0xC1}) == -1);  // sqrtpd xmm0, xmm1
  CHECK(r.lo(0) == kOneD);
  CHECK(r.hi(0) == 0x4000000000000000ull);
  r.setPs(0, kOneF, kTwoF, 0x7FC00000u, kOneF);
  r.setPs(1, kTwoF, kOneF, kOneF, kOneF);
  CHECK(r.exec({0x0F, 0xC2, 0xC1, 0x01}) == -1);  // cmpltps xmm0, xmm1
  CHECK(r.ps(0, 0) == 0xFFFFFFFFu);
  CHECK(r.ps(0, 1) == 0);
  CHECK(r.ps(0, 2) == 0);
  CHECK(r.ps(0, 3) == 0);
  CHECK((r.cpu.state.mxcsr & simd::mxcsr::IE) != 0);  // LT signals on a QNaN
  r.setPs(0, kOneF, 0, 0, 0);
  r.setPs(1, kTwoF, 0, 0, 0);
  r.cpu.state.rflags |= flag::OF | flag::SF | flag::ZF;
  CHECK(r.exec({0x0F, 0x2F, 0xC1}) == -1);  // comiss xmm0, xmm1: less
  CHECK((r.cpu.state.rflags & flag::ARITH) == flag::CF);
  r.setX(0, 0x7FF8000000000000ull);
  r.cpu.state.mxcsr = 0x1F80;
  CHECK(r.exec({0x66, 0x0F, 0x2E, 0xC1}) == -1);  // ucomisd xmm0, xmm1: unordered, quiet
  CHECK((r.cpu.state.rflags & flag::ARITH) == (flag::ZF | flag::PF | flag::CF));
  CHECK((r.cpu.state.mxcsr & simd::mxcsr::IE) == 0);
  r.setPs(1, kOneF, 0xBF800000u, 0, 0);
  CHECK(r.exec({0x0F, 0x5A, 0xC1}) == -1);  // cvtps2pd xmm0, xmm1
  CHECK(r.lo(0) == kOneD);
  CHECK(r.hi(0) == 0xBFF0000000000000ull);
  r.setX(1, 0x4004000000000000ull /* 2.5 */, 0xC00C000000000000ull /* -3.5 */);
  CHECK(r.exec({0xF2, 0x0F, 0xE6, 0xC1}) == -1);  // cvtpd2dq: nearest-even
  CHECK(r.lo(0) == ((uint64_t{0xFFFFFFFCu} << 32) | 2));
  CHECK(r.hi(0) == 0);
}

TEST_CASE("SSE2 integer element rules") {
  SseRig r;
  r.setX(0, 0xFF0180FF00000001ull, 0);
  r.setX(1, 0x0101010101010101ull, 0);
  CHECK(r.exec({0x66, 0x0F, 0xDC, 0xC1}) == -1);  // paddusb
  CHECK(r.lo(0) == 0xFF0281FF01010102ull);
  r.setX(0, 0x00020001'7FFF8000ull, 0);
  r.setX(1, 0x00040003'80008000ull, 0);
  CHECK(r.exec({0x66, 0x0F, 0xF5, 0xC1}) == -1);  // pmaddwd
  CHECK(r.lo(0) == ((uint64_t{2 * 4 + 1 * 3} << 32) | 0x8000u));  // 2^30 - 32767 * 32768
  r.setX(0, 0x0000000000000A05ull, 0x00000000000000FFull);
  r.setX(1, 0x0000000000000307ull, 0);
  CHECK(r.exec({0x66, 0x0F, 0xF6, 0xC1}) == -1);  // psadbw
  CHECK(r.lo(0) == 7 + 2);
  CHECK(r.hi(0) == 255);
  r.setX(0, 0x0080FF7F8000007Full, 0);
  r.setX(1, 0, 0);
  CHECK(r.exec({0x66, 0x0F, 0x63, 0xC1}) == -1);  // packsswb
  CHECK(r.lo(0) == 0x7F80807F);  // 7F, 80->-128.. saturated words: 007F, 8000, FF7F, 0080
  r.setPs(1, 1, 2, 3, 4);
  CHECK(r.exec({0x66, 0x0F, 0x70, 0xC1, 0x1B}) == -1);  // pshufd xmm0, xmm1, 0x1B: reversed
  CHECK(r.ps(0, 0) == 4);
  CHECK(r.ps(0, 3) == 1);
  r.setX(0, 0x8000000000000080ull, 0x80);
  CHECK(r.exec({0x66, 0x0F, 0xD7, 0xC0}) == -1);  // pmovmskb eax, xmm0
  CHECK(r.cpu.state.gpr[RAX] == 0x0181);
  CHECK(r.exec({0x66, 0x0F, 0x73, 0xD0, 0x40}) == -1);  // psrlq xmm0, 64: cleared
  CHECK(r.lo(0) == 0);
  CHECK(r.hi(0) == 0);
  r.setX(0, 0, 0);
  r.setX(1, 0xFFFF, 0xFFFF);
  r.cpu.state.gpr[RDI] = 0x400;
  r.write<uint64_t>(0x400, ~0ull);
  r.write<uint64_t>(0x408, ~0ull);
  CHECK(r.exec({0x66, 0x0F, 0xF7, 0xC1}) == -1);  // maskmovdqu xmm0, xmm1 -> DS:DI
  CHECK(r.read<uint64_t>(0x400) == 0xFFFFFFFFFFFF0000ull);
  CHECK(r.read<uint64_t>(0x408) == 0xFFFFFFFFFFFF0000ull);
}

TEST_CASE("MMX: register aliasing onto the x87, tags, EMMS") {
  SseRig r;
  r.write<uint64_t>(0x100, 0x0001000200030004ull);
  r.write<uint64_t>(0x108, 0xFFFF000100010001ull);
  r.cpu.state.x87.fsw = 5u << 11;  // TOP = 5
  CHECK(r.exec({0x0F, 0x6F, 0x06, 0x00, 0x01,     // movq mm0, [0x100]
                0x0F, 0xFD, 0x06, 0x08, 0x01,     // paddw mm0, [0x108]
                0x0F, 0x7F, 0x06, 0x00, 0x02}) == -1);  // movq [0x200], mm0
  CHECK(r.read<uint64_t>(0x200) == 0x0000000300040005ull);
  CHECK(r.cpu.state.x87.st[0].mantissa == 0x0000000300040005ull);
  CHECK(r.cpu.state.x87.st[0].sign_exponent == 0xFFFF);
  CHECK(((r.cpu.state.x87.fsw >> 11) & 7) == 0);
  CHECK(r.cpu.state.x87.ftw == 0);
  CHECK(r.exec({0x0F, 0x77}) == -1);  // emms
  CHECK(r.cpu.state.x87.ftw == 0xFFFF);
  // A pending unmasked x87 exception is #MF for MMX instructions.
  r.cpu.state.x87.fsw |= x87::fsw::ES;
  CHECK(r.exec({0x0F, 0xFD, 0xC1}) == 16);
}
