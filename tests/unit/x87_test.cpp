// x87 execution in real mode: stack, tags, status word, exceptions (#MF,
// #NM), load/store formats and the environment/save images. The arithmetic
// itself is checked against the host FPU in float80_test.cpp.
#include <doctest/doctest.h>

#include <cstring>
#include <array>
#include <cstdio>
#include <initializer_list>

#include "cpu/cpu.h"
#include "cpu/x87/x87_state.h"
#include "memory/physical_memory.h"
#include "tests/unit/real_mode_rig.h"

using namespace sv;
using namespace sv::x87;

namespace {

struct Rig : sv::testing::RealModeRig {
  Stack st() { return Stack{cpu.state.x87}; }
  uint16_t fsw() const { return cpu.state.x87.fsw; }
};

constexpr Float80 kTwo{0x8000000000000000ull, 0x4000};

}  // namespace

TEST_CASE("x87 reset and FNINIT state") {
  Rig r;
  CHECK(r.cpu.state.x87.fcw == 0x0040);
  CHECK(r.exec({0xDB, 0xE3}) == -1);  // FNINIT
  CHECK(r.cpu.state.x87.fcw == 0x037F);
  CHECK(r.cpu.state.x87.fsw == 0);
  CHECK(r.cpu.state.x87.ftw == 0xFFFF);
}

TEST_CASE("x87 push, arithmetic, pop, tags and pointers") {
  Rig r;
  // FNINIT; FLD1; FLD1; FADDP ST(1); FSTP m80 [0100]
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xDE, 0xC1}) == -1);
  CHECK(r.st().top() == 7);
  CHECK(r.st().get(0) == kTwo);
  CHECK(r.cpu.state.x87.ftw == 0x3FFF);  // R7 valid, the rest empty
  CHECK(r.cpu.state.x87.fop == 0x6C1);
  CHECK(r.cpu.state.x87.fip == 6);
  CHECK(r.cpu.state.x87.fcs == 0x1000);
  CHECK(r.exec({0xDB, 0x3E, 0x00, 0x01}) == -1);
  CHECK(r.read<uint64_t>(0x100) == kTwo.sig);
  CHECK(r.read<uint16_t>(0x108) == kTwo.se);
  CHECK(r.cpu.state.x87.fdp == 0x100);
  CHECK(r.cpu.state.x87.fds == 0x3000);
  CHECK(r.st().top() == 0);
  CHECK(r.cpu.state.x87.ftw == 0xFFFF);
  // FLD m80 back; FLDZ gives the zero tag.
  CHECK(r.exec({0xDB, 0x2E, 0x00, 0x01, 0xD9, 0xEE}) == -1);
  CHECK(r.cpu.state.x87.ftw == 0x1FFF);  // R6 zero, R7 valid
}

TEST_CASE("x87 stack overflow and underflow (masked)") {
  Rig r;
  r.exec({0xDB, 0xE3});
  for (int i = 0; i < 8; ++i) r.exec({0xD9, 0xE8});
  CHECK((r.fsw() & (fsw::IE | fsw::SF)) == 0);
  r.exec({0xD9, 0xE8});  // ninth push
  CHECK((r.fsw() & (fsw::IE | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF | fsw::C1));
  CHECK(r.st().get(0) == kIndefinite);
  r.exec({0xDB, 0xE3, 0xD8, 0xC1});  // FNINIT; FADD ST(0), ST(1) on an empty stack
  CHECK((r.fsw() & (fsw::IE | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF));
  CHECK(r.st().get(0) == kIndefinite);
}

TEST_CASE("x87 unmasked exception: ES/B, #MF at the next waiting instruction") {
  Rig r;
  r.write<uint16_t>(0x14, 0x037B);  // ZE unmasked
  // FNINIT; FLDCW [14]; FLD1; FLDZ; FDIVP ST(1) (1/0)
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0x2E, 0x14, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9}) == -1);
  CHECK((r.fsw() & (fsw::ZE | fsw::ES | fsw::B)) == (fsw::ZE | fsw::ES | fsw::B));
  CHECK(r.st().top() == 6);                   // no pop: the destination is unchanged
  CHECK(r.st().get(1) == kOne);
  CHECK(r.exec({0xDF, 0xE0}) == -1);          // FNSTSW AX does not wait
  CHECK((r.cpu.state.gpr[RAX] & 0xFFFF) == r.fsw());
  CHECK(r.exec({0x9B}) == vec::MF);           // FWAIT
  CHECK(r.exec({0xD9, 0xE8}) == vec::MF);     // FLD1
  CHECK(r.exec({0xDB, 0xE2, 0xD9, 0xE8}) == -1);  // FNCLEX clears it
  CHECK((r.fsw() & (fsw::ES | fsw::B | fsw::ZE)) == 0);
  // Again, then FNSTENV: it masks everything, which clears ES/B but keeps ZE.
  CHECK(r.exec({0xD9, 0x2E, 0x14, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9}) == -1);
  CHECK((r.fsw() & (fsw::ES | fsw::B)) == (fsw::ES | fsw::B));
  CHECK(r.exec({0xD9, 0x36, 0x00, 0x03}) == -1);
  CHECK((r.fsw() & (fsw::ES | fsw::B | fsw::ZE)) == fsw::ZE);
  CHECK(r.cpu.state.x87.fcw == 0x037F);
  CHECK(r.exec({0xD9, 0xE8}) == -1);  // nothing pending any more
  // FLDCW that unmasks a raised exception makes it pending (and FLDCW waits).
  CHECK(r.exec({0xD9, 0x2E, 0x14, 0x00}) == -1);
  CHECK((r.fsw() & (fsw::ES | fsw::B)) == (fsw::ES | fsw::B));
  CHECK(r.exec({0xD9, 0x2E, 0x14, 0x00}) == vec::MF);
}

TEST_CASE("x87 with CR0.NE=0 still reports #MF (FERR#/IRQ13 is not modelled)") {
  Rig r;
  r.cpu.state.cr0 &= ~cr0::NE;
  r.write<uint16_t>(0x14, 0x037B);
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0x2E, 0x14, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9}) == -1);
  CHECK(r.exec({0x9B}) == vec::MF);
}

TEST_CASE("x87 CR0.EM / CR0.TS raise #NM; WAIT only with MP") {
  Rig r;
  r.cpu.state.cr0 |= cr0::EM;
  CHECK(r.exec({0xD9, 0xE8}) == vec::NM);
  CHECK(r.exec({0x9B}) == -1);
  r.cpu.state.cr0 &= ~cr0::EM;
  r.cpu.state.cr0 |= cr0::TS;
  CHECK(r.exec({0xDB, 0xE3}) == vec::NM);
  CHECK(r.exec({0x9B}) == -1);
  r.cpu.state.cr0 |= cr0::MP;
  CHECK(r.exec({0x9B}) == vec::NM);
}

TEST_CASE("x87 memory operand past the segment limit faults before any change") {
  Rig r;
  r.exec({0xDB, 0xE3, 0xD9, 0xE8});
  X87State before = r.cpu.state.x87;
  CHECK(r.exec({0xD8, 0x06, 0xFF, 0xFF}) == vec::GP);  // FADD m32 [FFFF]
  CHECK(std::memcmp(&before, &r.cpu.state.x87, sizeof before) == 0);
}

TEST_CASE("x87 integer and BCD loads/stores") {
  Rig r;
  r.write<int16_t>(0x20, -1234);
  // FNINIT; FILD m16 [20]; FISTP m32 [24]
  CHECK(r.exec({0xDB, 0xE3, 0xDF, 0x06, 0x20, 0x00, 0xDB, 0x1E, 0x24, 0x00}) == -1);
  CHECK(r.read<int32_t>(0x24) == -1234);
  // FBLD of -987654321012345678, FBSTP back.
  const uint8_t bcd[10] = {0x78, 0x56, 0x34, 0x12, 0x10, 0x32, 0x54, 0x76, 0x98, 0x80};
  std::memcpy(r.data() + 0x30, bcd, 10);
  CHECK(r.exec({0xDF, 0x26, 0x30, 0x00, 0xDF, 0x36, 0x40, 0x00}) == -1);
  CHECK(std::memcmp(r.data() + 0x40, bcd, 10) == 0);
  CHECK(r.st().top() == 0);
}

TEST_CASE("x87 compare into EFLAGS and FCMOV") {
  Rig r;
  // FNINIT; FLD1; FLDZ; FCOMI ST(1): 0 < 1 -> CF
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xEE, 0xDB, 0xF1}) == -1);
  CHECK((r.cpu.state.rflags & (flag::CF | flag::ZF | flag::PF)) == flag::CF);
  CHECK(r.exec({0xDA, 0xC1}) == -1);  // FCMOVB ST(0), ST(1): CF set -> ST0 = 1
  CHECK(r.st().get(0) == kOne);
  // FCOM ST(1): equal -> C3
  CHECK(r.exec({0xD8, 0xD1}) == -1);
  CHECK((r.fsw() & (fsw::C0 | fsw::C2 | fsw::C3)) == fsw::C3);
  // FXAM of +1: C2 (normal), C1 = sign 0
  CHECK(r.exec({0xD9, 0xE5}) == -1);
  CHECK((r.fsw() & (fsw::C0 | fsw::C1 | fsw::C2 | fsw::C3)) == fsw::C2);
}

TEST_CASE("x87 FPREM, FSCALE, FXTRACT, FSQRT on the stack") {
  Rig r;
  r.write<int16_t>(0x20, 3);
  r.write<int16_t>(0x22, 11);
  // FNINIT; FILD 3; FILD 11; FPREM -> 11 mod 3 = 2, q = 3 (C3=1, C1=1)
  CHECK(r.exec({0xDB, 0xE3, 0xDF, 0x06, 0x20, 0x00, 0xDF, 0x06, 0x22, 0x00, 0xD9, 0xF8}) == -1);
  CHECK(r.st().get(0) == kTwo);
  CHECK((r.fsw() & (fsw::C0 | fsw::C1 | fsw::C2 | fsw::C3)) == (fsw::C3 | fsw::C1));
  // FSCALE: 2 * 2^trunc(3) = 16
  CHECK(r.exec({0xD9, 0xFD}) == -1);
  CHECK(r.st().get(0) == (Float80{0x8000000000000000ull, 0x4003}));
  // FXTRACT: exponent 4, significand 1.0
  CHECK(r.exec({0xD9, 0xF4}) == -1);
  CHECK(r.st().get(0) == kOne);
  CHECK(r.st().get(1) == fromInt(4));
  // FSQRT of 1 is exact.
  CHECK(r.exec({0xD9, 0xFA}) == -1);
  CHECK(r.st().get(0) == kOne);
  CHECK((r.fsw() & fsw::PE) == 0);
}

TEST_CASE("x87 FPREM/FPREM1: an unmasked invalid operand or stack fault clears C2 and C1, keeps C3 and C0") {
  // Found by the host oracle: these paths left C2 as it was, so an
  // "FPREM until C2 = 0" loop over a bad operand never ended.
  constexpr uint16_t kCC = fsw::C0 | fsw::C1 | fsw::C2 | fsw::C3;
  for (uint8_t op : {uint8_t{0xF8}, uint8_t{0xF5}}) {
    for (unsigned depth : {2u, 1u, 0u}) {  // 1 rem 0; ST(1) empty; ST(0) empty
      INFO("op " << int(op) << " depth " << depth);
      Rig r;
      r.write<uint16_t>(0x14, 0x037E);  // IE unmasked
      CHECK(r.exec({0xDB, 0xE3, 0xD9, 0x2E, 0x14, 0x00}) == -1);  // FNINIT; FLDCW [14]
      if (depth == 2) CHECK(r.exec({0xD9, 0xEE}) == -1);         // FLDZ
      if (depth >= 1) CHECK(r.exec({0xD9, 0xE8}) == -1);         // FLD1
      r.cpu.state.x87.fsw |= kCC;
      CHECK(r.exec({0xD9, op}) == -1);
      CHECK((r.fsw() & fsw::IE) != 0);
      CHECK((r.fsw() & kCC) == (fsw::C3 | fsw::C0));
      if (depth >= 1) CHECK(r.st().get(0) == kOne);  // unmasked: no result written
    }
  }
}

TEST_CASE("x87 transcendentals on the stack: C2 out of range, FPTAN/FSINCOS push, FPATAN/FYL2X pop") {
  Rig r;
  const Float80 big{0x8000000000000000ull, 0x3FFF + 63};  // 2^63: beyond the trig range
  r.write<uint64_t>(0x20, big.sig);
  r.write<uint16_t>(0x28, big.se);
  // FNINIT; FLD tword [0x20]; FSIN -> unchanged, C2 = 1
  CHECK(r.exec({0xDB, 0xE3, 0xDB, 0x2E, 0x20, 0x00, 0xD9, 0xFE}) == -1);
  CHECK(r.st().get(0) == big);
  CHECK((r.fsw() & fsw::C2) != 0);
  // FPTAN out of range: no push either.
  CHECK(r.exec({0xD9, 0xF2}) == -1);
  CHECK(((r.fsw() >> 11) & 7) == 7);
  CHECK((r.fsw() & fsw::C2) != 0);
  // FLDZ; FPTAN -> ST(0) = 1.0 pushed, ST(1) = tan(0) = +0, C2 cleared, exact.
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEE, 0xD9, 0xF2}) == -1);
  CHECK(r.st().get(0) == kOne);
  CHECK(r.st().get(1) == kZero);
  CHECK((r.fsw() & (fsw::C2 | fsw::PE)) == 0);
  // FLDZ; FSINCOS -> ST(0) = cos 0 = 1, ST(1) = sin 0 = 0.
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEE, 0xD9, 0xFB}) == -1);
  CHECK(r.st().get(0) == kOne);
  CHECK(r.st().get(1) == kZero);
  // FLD1; FLD1; FPATAN -> atan2(1, 1) = pi/4 in ST(0) after the pop.
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xF3}) == -1);
  CHECK(((r.fsw() >> 11) & 7) == 7);
  CHECK(r.st().get(0) == (Float80{0xC90FDAA22168C235ull, 0x3FFE}));
  CHECK((r.fsw() & fsw::PE) != 0);
  // FILD 3 (y); FILD 8 (x); FYL2X -> 3 * log2(8) = 9, exact.
  r.write<int16_t>(0x30, 3);
  r.write<int16_t>(0x32, 8);
  CHECK(r.exec({0xDB, 0xE3, 0xDF, 0x06, 0x30, 0x00, 0xDF, 0x06, 0x32, 0x00, 0xD9, 0xF1}) == -1);
  CHECK(r.st().get(0) == fromInt(9));
  CHECK((r.fsw() & fsw::PE) == 0);
  // FLDZ; F2XM1 of +0 is +0; FLD1; F2XM1 -> 2^1 - 1 = 1 exactly.
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEE, 0xD9, 0xF0}) == -1);
  CHECK(r.st().get(0) == kZero);
  CHECK(r.exec({0xD9, 0xE8, 0xD9, 0xF0}) == -1);
  CHECK(r.st().get(0) == kOne);
  // A full stack: FPTAN is a stack overflow (IE, SF, C1) with the masked response.
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEE, 0xD9, 0xEE, 0xD9, 0xEE, 0xD9, 0xEE, 0xD9, 0xEE, 0xD9, 0xEE, 0xD9, 0xEE,
                0xD9, 0xEE, 0xD9, 0xF2}) == -1);
  CHECK((r.fsw() & (fsw::IE | fsw::SF | fsw::C1)) == (fsw::IE | fsw::SF | fsw::C1));
  CHECK(isNaN(r.st().get(0)));
}

TEST_CASE("x87 FNSTENV/FLDENV 16-bit real-mode image") {
  Rig r;
  // FNINIT; FLD1; FSTP m80 [0100]; FNSTENV [0300]
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0x3E, 0x00, 0x01, 0xD9, 0x36, 0x00, 0x03}) == -1);
  CHECK(r.read<uint16_t>(0x300) == 0x037F);
  CHECK(r.read<uint16_t>(0x304) == 0xFFFF);
  uint32_t ip = 0x10000 + 4;  // linear address of the FSTP
  CHECK(r.read<uint16_t>(0x306) == (ip & 0xFFFF));
  CHECK(r.read<uint16_t>(0x308) == (((ip >> 4) & 0xF000) | 0x33E));  // FOP of DB 3E
  uint32_t dp = 0x30000 + 0x100;
  CHECK(r.read<uint16_t>(0x30A) == (dp & 0xFFFF));
  CHECK(r.read<uint16_t>(0x30C) == ((dp >> 4) & 0xF000));
  CHECK(r.cpu.state.x87.fcw == 0x037F);  // all exceptions masked afterwards (already were)
  r.write<uint16_t>(0x300, 0x0C7F);      // RC = zero
  CHECK(r.exec({0xD9, 0x26, 0x00, 0x03}) == -1);  // FLDENV
  CHECK(r.cpu.state.x87.fcw == 0x0C7F);
}

TEST_CASE("x87 FNSTENV/FLDENV 32-bit real-mode image (operand-size prefix)") {
  Rig r;
  // FNINIT; FLD1; FSTP m80 [0100]; 66 FNSTENV [0300]
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0x3E, 0x00, 0x01, 0x66, 0xD9, 0x36, 0x00, 0x03}) == -1);
  CHECK(r.read<uint32_t>(0x300) == 0xFFFF037Fu);
  CHECK(r.read<uint32_t>(0x308) == 0xFFFFFFFFu);
  uint32_t ip = 0x10000 + 4, dp = 0x30000 + 0x100;
  CHECK((r.read<uint32_t>(0x30C) & 0xFFFF) == (ip & 0xFFFF));
  CHECK(r.read<uint32_t>(0x310) == (((ip >> 16) << 12) | 0x33E));
  CHECK((r.read<uint32_t>(0x314) & 0xFFFF) == (dp & 0xFFFF));
  CHECK(r.read<uint32_t>(0x318) == ((dp >> 16) << 12));
  // Reload it: the pointers come back as linear addresses.
  r.write<uint32_t>(0x300, 0x0000027F);
  CHECK(r.exec({0x66, 0xD9, 0x26, 0x00, 0x03}) == -1);
  CHECK(r.cpu.state.x87.fcw == 0x027F);
  CHECK(r.cpu.state.x87.fip == ip);
  CHECK(r.cpu.state.x87.fdp == dp);
  CHECK(r.cpu.state.x87.fop == 0x33E);
}

TEST_CASE("x87 FNSAVE/FRSTOR and FXSAVE/FXRSTOR round trips") {
  Rig r;
  // FNINIT; FLDPI; FLD1; FLDZ; FNSAVE [0200]
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEB, 0xD9, 0xE8, 0xD9, 0xEE}) == -1);
  X87State saved = r.cpu.state.x87;
  CHECK(r.exec({0xDD, 0x36, 0x00, 0x02}) == -1);
  CHECK(r.cpu.state.x87.ftw == 0xFFFF);  // FNSAVE reinitialises
  CHECK(r.read<uint16_t>(0x204) == saved.ftw);
  CHECK(r.read<uint64_t>(0x200 + 14) == 0);  // ST0 = +0
  CHECK(r.read<uint64_t>(0x200 + 24) == kOne.sig);
  CHECK(r.exec({0xDD, 0x26, 0x00, 0x02}) == -1);  // FRSTOR
  CHECK(r.st().get(0) == kZero);
  CHECK(r.st().get(1) == kOne);
  CHECK(r.cpu.state.x87.ftw == saved.ftw);
  CHECK(r.st().top() == 5);
  // FXSAVE [0400]: abridged tag has R5..R7 set.
  CHECK(r.exec({0x0F, 0xAE, 0x06, 0x00, 0x04}) == -1);
  CHECK(r.read<uint8_t>(0x404) == 0xE0);
  CHECK(r.read<uint64_t>(0x400 + 48) == kOne.sig);  // ST1
  CHECK(r.exec({0xDB, 0xE3, 0x0F, 0xAE, 0x0E, 0x00, 0x04}) == -1);  // FNINIT; FXRSTOR
  CHECK(r.cpu.state.x87.ftw == saved.ftw);
  CHECK(r.st().get(2).se == 0x4000);  // pi
  CHECK(r.exec({0x0F, 0xAE, 0x06, 0x08, 0x04}) == vec::GP);  // misaligned
}

TEST_CASE("x87 constants follow the rounding control") {
  Rig r;
  r.write<uint16_t>(0x14, 0x077F);  // round down
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0x2E, 0x14, 0x00, 0xD9, 0xEB}) == -1);
  CHECK(r.st().get(0).sig == 0xC90FDAA22168C234ull);
  CHECK(r.exec({0xDB, 0xE3, 0xD9, 0xEB}) == -1);
  CHECK(r.st().get(0).sig == 0xC90FDAA22168C235ull);
  CHECK((r.fsw() & fsw::PE) == 0);
}

// Differential test against the host FPU: random sequences of x87
// instructions (register forms are encoded identically in real and 64-bit
// mode; memory forms use [SI+d8] / [RSI+d8]) run on the emulator and natively
// from the same random register file and data; the resulting stack, tags,
// status word and memory must be identical.
#if defined(__x86_64__)
#include <sys/mman.h>

#include <random>
#include <vector>

namespace {

struct HostRunner {
  uint8_t* code = nullptr;
  bool rwx = true;
  HostRunner() {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      rwx = false;
      p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    code = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~HostRunner() {
    if (code) munmap(code, 4096);
  }
  // FRSTOR [rdi]; body; FNSAVE [rdi]; RET — the image is the 108-byte
  // 32-bit protected-mode format.
  // The body runs with EFLAGS = `flags` (PUSH imm32; POPFQ) and the final
  // EFLAGS are stored after the 108-byte image (PUSHFQ; POP RAX; MOV [RDI+108], EAX).
  bool run(const std::vector<uint8_t>& body, uint8_t* image, uint8_t* data, uint32_t flags) {
    if (!code) return false;
    if (!rwx) mprotect(code, 4096, PROT_READ | PROT_WRITE);
    size_t n = 0;
    code[n++] = 0xDD;
    code[n++] = 0x27;
    code[n++] = 0x68;
    std::memcpy(code + n, &flags, 4);
    n += 4;
    code[n++] = 0x9D;
    for (uint8_t b : body) code[n++] = b;
    for (uint8_t b : {0x9C, 0x58, 0x89, 0x47, 0x6C}) code[n++] = b;
    code[n++] = 0xDD;
    code[n++] = 0x37;
    code[n++] = 0xC3;
    if (!rwx && mprotect(code, 4096, PROT_READ | PROT_EXEC) != 0) return false;
    reinterpret_cast<void (*)(void*, void*)>(code)(image, data);
    return true;
  }
};

// Register-form instructions whose effects are all in the x87 state.
void randomInsn(std::mt19937_64& rng, std::vector<uint8_t>& out) {
  static const uint8_t kD9[] = {0xD0, 0xE0, 0xE1, 0xE4, 0xE5, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED,
                                0xEE, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xFA, 0xFC, 0xFD};
  unsigned i = static_cast<unsigned>(rng() & 7);
  switch (rng() % 14) {
    case 0:
    case 1: out.insert(out.end(), {0xD8, static_cast<uint8_t>(0xC0 + (rng() % 64))}); break;
    case 2: {
      static const uint8_t kRows[] = {0xC0, 0xC8, 0xE0, 0xE8, 0xF0, 0xF8};  // no FCOM2/FCOMP3 aliases
      out.insert(out.end(), {0xDC, static_cast<uint8_t>(kRows[rng() % 6] + i)});
      break;
    }
    case 3: {
      static const uint8_t kRows[] = {0xC0, 0xC8, 0xE0, 0xE8, 0xF0, 0xF8};
      out.insert(out.end(), {0xDE, static_cast<uint8_t>(rng() % 8 == 0 ? 0xD9 : kRows[rng() % 6] + i)});
      break;
    }
    case 4: out.insert(out.end(), {0xD9, static_cast<uint8_t>(0xC0 + (rng() % 16))}); break;  // FLD/FXCH
    case 5:
    case 6:
    case 7: out.insert(out.end(), {0xD9, kD9[rng() % sizeof kD9]}); break;
    case 8: out.insert(out.end(), {0xDD, static_cast<uint8_t>(0xC0 + i)}); break;           // FFREE
    case 9: out.insert(out.end(), {0xDD, static_cast<uint8_t>(0xD0 + (rng() % 16))}); break;  // FST(P)
    case 10: out.insert(out.end(), {0xDD, static_cast<uint8_t>(0xE0 + (rng() % 16))}); break; // FUCOM(P)
    case 11: out.insert(out.end(), {0xDA, 0xE9}); break;                                       // FUCOMPP
    case 12: {  // FCOMI/FUCOMI(P)
      static const uint8_t kOps[][2] = {{0xDB, 0xF0}, {0xDB, 0xE8}, {0xDF, 0xF0}, {0xDF, 0xE8}};
      const uint8_t* o = kOps[rng() % 4];
      out.insert(out.end(), {o[0], static_cast<uint8_t>(o[1] + i)});
      break;
    }
    default:  // FCMOVcc
      out.insert(out.end(), {static_cast<uint8_t>((rng() & 1) ? 0xDA : 0xDB), static_cast<uint8_t>(0xC0 + (rng() % 32))});
      break;
  }
}

// Memory forms: [SI+disp8] in real mode is ModRM rm=100, [RSI+disp8] in
// 64-bit mode is rm=110; everything else is encoded identically.
void randomMemInsn(std::mt19937_64& rng, std::vector<uint8_t>& emu, std::vector<uint8_t>& hostCode) {
  static const uint8_t kForms[][2] = {
      {0xD8, 0}, {0xD8, 1}, {0xD8, 2}, {0xD8, 3}, {0xD8, 4}, {0xD8, 5}, {0xD8, 6}, {0xD8, 7},
      {0xDC, 0}, {0xDC, 1}, {0xDC, 2}, {0xDC, 3}, {0xDC, 4}, {0xDC, 5}, {0xDC, 6}, {0xDC, 7},
      {0xDA, 0}, {0xDA, 1}, {0xDA, 2}, {0xDA, 3}, {0xDA, 4}, {0xDA, 5}, {0xDA, 6}, {0xDA, 7},
      {0xDE, 0}, {0xDE, 1}, {0xDE, 2}, {0xDE, 3}, {0xDE, 4}, {0xDE, 5}, {0xDE, 6}, {0xDE, 7},
      {0xD9, 0}, {0xD9, 2}, {0xD9, 3}, {0xDD, 0}, {0xDD, 1}, {0xDD, 2}, {0xDD, 3},
      {0xDB, 0}, {0xDB, 1}, {0xDB, 2}, {0xDB, 3}, {0xDB, 5}, {0xDB, 7},
      {0xDF, 0}, {0xDF, 1}, {0xDF, 2}, {0xDF, 3}, {0xDF, 5}, {0xDF, 6}, {0xDF, 7},
  };
  const uint8_t* f = kForms[rng() % (sizeof kForms / sizeof kForms[0])];
  uint8_t disp = static_cast<uint8_t>(rng() % 118);
  emu.insert(emu.end(), {f[0], static_cast<uint8_t>(0x44 | (f[1] << 3)), disp});
  hostCode.insert(hostCode.end(), {f[0], static_cast<uint8_t>(0x46 | (f[1] << 3)), disp});
}

Float80 randomValue(std::mt19937_64& rng) {
  uint16_t sign = (rng() & 1) ? 0x8000 : 0;
  uint64_t sig = rng() | (1ull << 63);
  switch (rng() % 16) {
    case 0: return Float80{0, sign};
    case 1: return Float80{1ull << 63, static_cast<uint16_t>(sign | 0x7FFF)};
    case 2: return Float80{sig | (1ull << 62), static_cast<uint16_t>(sign | 0x7FFF)};
    case 3: return Float80{sig >> (1 + rng() % 40), sign};
    case 4: return fromInt(static_cast<int64_t>(rng() % 2000) - 1000);
    case 5: return Float80{sig, static_cast<uint16_t>(sign | (1 + rng() % 0x7FFE))};
    default: return Float80{sig, static_cast<uint16_t>(sign | (0x3FFF - 70 + rng() % 140))};
  }
}

}  // namespace

TEST_CASE("x87 random instruction sequences match the host FPU") {
  HostRunner host;
  REQUIRE(host.code != nullptr);
  Rig r;
  std::mt19937_64 rng(2024);
  int bad = 0;
  constexpr int kSequences = 30000;
  struct Start {
    uint16_t fcw, fsw, ftw;
    uint32_t flags;
    Float80 regs[8];  // ST(i) order
  };
  // Runs `body` from `s` on both; fills the host image and returns whether
  // stack, tags and status word agree.
  uint8_t data0[128] = {};
  auto runBoth = [&](const Start& s, const std::vector<uint8_t>& body, const std::vector<uint8_t>& hostBody,
                     bool verbose) {
    uint8_t hostData[128];
    std::memcpy(hostData, data0, 128);
    std::memcpy(r.data(), data0, 128);
    r.cpu.state.gpr[RSI] = 0;
    uint8_t image[112] = {};
    std::memcpy(image + 0, &s.fcw, 2);
    std::memcpy(image + 4, &s.fsw, 2);
    std::memcpy(image + 8, &s.ftw, 2);
    for (unsigned i = 0; i < 8; ++i) {
      std::memcpy(image + 28 + 10 * i, &s.regs[i].sig, 8);
      std::memcpy(image + 36 + 10 * i, &s.regs[i].se, 2);
    }
    X87State& x = r.cpu.state.x87;
    x = X87State{};
    x.fcw = s.fcw;
    x.fsw = s.fsw;
    x.ftw = s.ftw;
    unsigned top = (s.fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; ++i) {
      unsigned p = (top + i) & 7;
      x.st[p].mantissa = s.regs[i].sig;
      x.st[p].sign_exponent = s.regs[i].se;
    }
    uint64_t at = Rig::kCode;
    for (uint8_t b : body) r.mem.ramHost()[at++] = b;
    r.mem.ramHost()[at] = 0xF4;
    r.cpu.state.rip = 0;
    r.cpu.state.halted = 0;
    r.cpu.state.rflags = s.flags;
    r.cpu.run(64);
    if (r.cpu.state.rip != body.size() + 1) return false;  // ran every instruction up to the HLT
    if (!host.run(hostBody, image, hostData, s.flags)) return false;
    uint32_t hflags;
    std::memcpy(&hflags, image + 108, 4);
    constexpr uint32_t kArith = 0x8D5;  // CF PF AF ZF SF OF
    uint16_t hfsw, hftw;
    std::memcpy(&hfsw, image + 4, 2);
    std::memcpy(&hftw, image + 8, 2);
    Stack st = r.st();
    bool same = hfsw == x.fsw && hftw == x.ftw && std::memcmp(hostData, r.data(), 128) == 0 &&
                (hflags & kArith) == (r.cpu.state.rflags & kArith);
    if (!same && verbose) std::printf("  eflags host %03X emu %03X\n", hflags & kArith,
                                      static_cast<unsigned>(r.cpu.state.rflags & kArith));
    for (unsigned i = 0; i < 8 && same; ++i) {
      if (((hftw >> (2 * st.phys(i))) & 3) == 3) continue;  // empty: contents unobservable
      Float80 hv;
      std::memcpy(&hv.sig, image + 28 + 10 * i, 8);
      std::memcpy(&hv.se, image + 36 + 10 * i, 2);
      same = hv == st.get(i);
    }
    if (!same && verbose) {
      std::printf("  host fsw %04X ftw %04X / emu fsw %04X ftw %04X\n", hfsw, hftw, x.fsw, x.ftw);
      for (unsigned i = 0; i < 8; ++i) {
        Float80 hv;
        std::memcpy(&hv.sig, image + 28 + 10 * i, 8);
        std::memcpy(&hv.se, image + 36 + 10 * i, 2);
        Float80 ev = st.get(i);
        std::printf("  ST%u host %04X:%016llX emu %04X:%016llX\n", i, hv.se, (unsigned long long)hv.sig, ev.se,
                    (unsigned long long)ev.sig);
      }
    }
    return same;
  };
  for (int n = 0; n < kSequences; ++n) {
    Start s{};
    s.fcw = static_cast<uint16_t>(0x7F | ((rng() % 4) << 10) | (std::array<int, 3>{0, 2, 3}[rng() % 3] << 8));
    unsigned top = static_cast<unsigned>(rng() & 7);
    s.fsw = static_cast<uint16_t>(top << 11);
    s.flags = static_cast<uint32_t>(0x2 | (rng() & 0x8D5));
    for (unsigned i = 0; i < 8; ++i) {
      s.regs[i] = randomValue(rng);
      bool empty = rng() % 4 == 0;
      unsigned p = (top + i) & 7;
      s.ftw = static_cast<uint16_t>(s.ftw | ((empty ? 3 : tagOf(s.regs[i])) << (2 * p)));
    }
    for (unsigned k = 0; k < 128; k += 8) {
      uint64_t v = rng();
      if (rng() % 3 == 0) {
        Float80 f = randomValue(rng);  // sometimes an 80-bit value's bytes
        v = f.sig;
      } else if (rng() % 3 == 0) {
        v = static_cast<uint64_t>(static_cast<int64_t>(rng() % 200000) - 100000);
      }
      std::memcpy(data0 + k, &v, 8);
    }
    std::vector<uint8_t> body, hostBody;
    std::vector<size_t> ends, hostEnds;
    int count = 1 + static_cast<int>(rng() % 12);
    if (rng() % 3 == 0) {
      // One instruction with random exception masks: an unmasked exception
      // stays pending, and the FNSAVE that follows does not trap.
      count = 1;
      s.fcw = static_cast<uint16_t>((s.fcw & ~0x3F) | (rng() & 0x3F));
    }
    for (int k = 0; k < count; ++k) {
      if (rng() % 3 == 0) {
        randomMemInsn(rng, body, hostBody);
      } else {
        randomInsn(rng, body);
        hostBody.insert(hostBody.end(), body.end() - 2, body.end());
      }
      ends.push_back(body.size());
      hostEnds.push_back(hostBody.size());
    }
    if (runBoth(s, body, hostBody, false)) continue;
    if (++bad > 5) continue;
    // Find the first diverging instruction.
    for (size_t k = 0; k < ends.size(); ++k) {
      std::vector<uint8_t> prefix(body.begin(), body.begin() + static_cast<long>(ends[k]));
      std::vector<uint8_t> hprefix(hostBody.begin(), hostBody.begin() + static_cast<long>(hostEnds[k]));
      if (!runBoth(s, prefix, hprefix, false)) {
        std::printf("x87 sequence %d (fcw %04X fsw %04X ftw %04X): diverges at", n, s.fcw, s.fsw, s.ftw);
        for (size_t b = k ? ends[k - 1] : 0; b < ends[k]; ++b) std::printf(" %02X", body[b]);
        std::printf(" after");
        for (size_t b = 0; b < (k ? ends[k - 1] : 0); ++b) std::printf(" %02X", body[b]);
        std::printf("\n");
        runBoth(s, prefix, hprefix, true);
        break;
      }
    }
  }
  CHECK(bad == 0);
}
#endif
