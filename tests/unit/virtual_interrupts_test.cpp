// CR4.VME corner cases the guest test vme_pvi does not reach: where the
// redirection bitmap may lie, faults while pushing a redirected frame,
// single-step over a redirected INT n, and INT3 never being redirected.
#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>

#include "cpu/cpu.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

using namespace sv;
using sv::testing::FixedClock;
using sv::testing::NullPorts;

namespace {

// Virtual-8086 mode with CR4.VME and IOPL 0: v86 code at 1000:0000, stack
// 2000:FFF0. Every IDT vector v is a DPL-3 interrupt gate to ring-0 HLT at
// 0x500+v, so the vector of a fault can be read off the final EIP. The
// 8086 program's IVT maps INT 0x21 to 1000:0100. TSS at 0x3000 with ESP0;
// its redirection bitmap (below the I/O map base 136) redirects only 0x21.
struct V86Rig {
  static constexpr uint32_t kGdt = 0x1000, kIdt = 0x2000, kTss = 0x3000, kTraps = 0x500;
  static constexpr uint16_t kIoMap = 136;
  PhysicalMemory mem{2 << 20};
  NullPorts ports;
  FixedClock clock;
  Cpu cpu{mem, ports, clock};

  uint8_t* ram() { return mem.ramHost(); }
  void put32(uint32_t at, uint32_t v) { std::memcpy(ram() + at, &v, 4); }
  void put16(uint32_t at, uint16_t v) { std::memcpy(ram() + at, &v, 2); }

  V86Rig() {
    cpu.reset();
    put32(kGdt + 8, 0x0000FFFF);  // 0x08: flat 32-bit ring-0 code
    put32(kGdt + 12, 0x00CF9B00);
    put32(kGdt + 16, 0x0000FFFF);  // 0x10: flat ring-0 data
    put32(kGdt + 20, 0x00CF9300);
    for (unsigned v = 0; v < 256; ++v) {
      uint32_t handler = kTraps + v;
      put32(kIdt + v * 8, (0x08u << 16) | (handler & 0xFFFF));
      put32(kIdt + v * 8 + 4, (handler & 0xFFFF0000) | 0xEE00);
      ram()[kTraps + v] = 0xF4;
    }
    put32(kTss + 4, 0x9000);  // ESP0
    put32(kTss + 8, 0x10);    // SS0
    put16(kTss + 102, kIoMap);
    std::memset(ram() + kTss + kIoMap - 32, 0xFF, 33);
    ram()[kTss + kIoMap - 32 + 0x21 / 8] &= ~(1u << (0x21 & 7));
    put32(0x21 * 4, (0x1000u << 16) | 0x0100);
    ram()[0x10100] = 0xF4;  // the 8086 handler: HLT (#GP at CPL 3, vector 13)

    CpuState& s = cpu.state;
    s.gdtr = {kGdt, 0x1F, 0};
    s.idtr = {kIdt, 256 * 8 - 1, 0};
    s.tr = SegmentCache{kTss, kIoMap, 0x18, static_cast<uint16_t>(segattr::P | 0xB)};
    s.cr0 |= cr0::PE;
    s.cr4 = cr4::VME;
    s.rflags = flag::VM | flag::FIXED1;
    cpu.updateMode();
    s.seg[CS] = SegmentCache{0x10000, 0xFFFF, 0x1000, static_cast<uint16_t>(segattr::REAL_CODE | (3 << 5))};
    auto data = [&](SegReg r, uint16_t sel) {
      s.seg[r] = SegmentCache{static_cast<uint64_t>(sel) << 4, 0xFFFF, sel,
                              static_cast<uint16_t>(segattr::REAL_DATA | (3 << 5))};
    };
    data(SS, 0x2000);
    data(DS, 0);
    data(ES, 0);
    s.rip = 0;
    s.gpr[RSP] = 0xFFF0;
  }

  // Runs `code` at 1000:0000 until the CPU halts; returns the vector of the
  // event delivered through the IDT, or -1 if none was.
  int exec(std::initializer_list<uint8_t> code, uint64_t budget = 16) {
    uint32_t at = 0x10000;
    for (uint8_t b : code) ram()[at++] = b;
    cpu.run(budget);
    const CpuState& s = cpu.state;
    if (s.seg[CS].selector == 0x08 && s.rip > kTraps && s.rip <= kTraps + 256)
      return static_cast<int>(s.rip - kTraps - 1);
    return -1;
  }
  uint16_t word(uint32_t linear) {
    uint16_t v;
    std::memcpy(&v, ram() + linear, 2);
    return v;
  }
};

}  // namespace

TEST_CASE("VME: a redirected INT n pushes FLAGS/CS/IP on the v86 stack and enters the 8086 handler") {
  V86Rig r;
  r.cpu.state.rflags |= flag::VIF;
  CHECK(r.exec({0xCD, 0x21}) == vec::GP);  // the 8086 handler's HLT faults at CPL 3
  CHECK(r.word(0x9000 - 10 * 4 + 4) == 0x0100);  // ... at 1000:0100
  CHECK((r.cpu.state.rflags & flag::VIF) == 0);
  // The v86 frame below 2000:FFF0: IP 0002, CS 1000, FLAGS with VIF as IF and IOPL 3.
  CHECK(r.word(0x2FFEA) == 0x0002);
  CHECK(r.word(0x2FFEC) == 0x1000);
  CHECK(r.word(0x2FFEE) == 0x3202);
}

TEST_CASE("VME: the redirection bitmap must lie inside a 32-bit TSS, else #GP(0)") {
  V86Rig beyond;
  beyond.cpu.state.tr.limit = V86Rig::kIoMap - 32 + 3;  // the byte of vector 0x21 (byte 4) is outside
  CHECK(beyond.exec({0xCD, 0x21}) == vec::GP);
  CHECK(beyond.cpu.state.gpr[RSP] == 0x9000 - 10 * 4);  // v86 frame + error code at ESP0

  V86Rig low_base;
  low_base.put16(V86Rig::kTss + 102, 16);  // I/O map base below 32: no room for the bitmap
  CHECK(low_base.exec({0xCD, 0x21}) == vec::GP);

  V86Rig inside;
  inside.cpu.state.tr.limit = V86Rig::kIoMap - 32 + 4;  // exactly reaches that byte: redirected
  inside.exec({0xCD, 0x21}, 1);
  CHECK(inside.cpu.state.seg[CS].selector == 0x1000);
  CHECK(inside.cpu.state.rip == 0x0100);
}

TEST_CASE("VME: a redirected frame that would wrap the v86 stack segment is #SS(0), SP untouched") {
  V86Rig r;
  r.cpu.state.gpr[RSP] = 0x0003;  // slots at 0001, FFFF (straddles the limit), FFFD
  CHECK(r.exec({0xCD, 0x21}) == vec::SS);
  uint32_t frame = 0x9000 - 10 * 4;  // error code, EIP, CS, EFLAGS, ESP ...
  CHECK(r.word(frame + 4) == 0x0000);  // EIP of the INT
  CHECK(r.word(frame + 16) == 0x0003);  // the v86 SP as it was
}

TEST_CASE("VME: no single-step trap after a redirected INT n, TF is clear in the 8086 handler") {
  V86Rig r;
  r.cpu.state.rflags |= flag::TF;
  r.exec({0xCD, 0x21}, 1);
  CHECK(r.cpu.state.seg[CS].selector == 0x1000);  // still in v86 mode, in the handler
  CHECK(r.cpu.state.rip == 0x0100);
  CHECK((r.cpu.state.rflags & flag::TF) == 0);
  CHECK((r.word(0x2FFEE) & flag::TF) != 0);  // the pushed image keeps it
}

TEST_CASE("VME: INT3 and INTO are never redirected, a set bitmap bit with IOPL 0 is #GP(0)") {
  V86Rig r;
  r.put32(3 * 4, (0x1000u << 16) | 0x0100);  // a v86 vector 3 that must not be used
  r.ram()[V86Rig::kTss + V86Rig::kIoMap - 32] = 0;  // bits 0-7 clear
  CHECK(r.exec({0xCC}) == vec::BP);
  V86Rig o;
  o.cpu.state.rflags |= flag::OF;
  o.ram()[V86Rig::kTss + V86Rig::kIoMap - 32] = 0;
  CHECK(o.exec({0xCE}) == vec::OF);
  V86Rig g;
  CHECK(g.exec({0xCD, 0x22}) == vec::GP);
}

// #AC applies at CPL 3, so virtual-8086 code shows it (SDM Vol. 3A, 6.15,
// Interrupt 17): CR0.AM and EFLAGS.AC both needed, misaligned explicit
// data accesses only.
TEST_CASE("Alignment check: misaligned word/dword at CPL 3 with CR0.AM and EFLAGS.AC is #AC(0)") {
  // mov ax, [0x0101]
  V86Rig on;
  on.cpu.state.cr0 |= cr0::AM;
  on.cpu.state.rflags |= flag::AC;
  CHECK(on.exec({0xA1, 0x01, 0x01}) == vec::AC);
  CHECK(on.cpu.state.gpr[RSP] == 0x9000 - 10 * 4);  // v86 frame + error code 0
  V86Rig aligned;
  aligned.cpu.state.cr0 |= cr0::AM;
  aligned.cpu.state.rflags |= flag::AC;
  CHECK(aligned.exec({0xA1, 0x00, 0x01, 0x88, 0x06, 0x01, 0x01, 0xF4}) == vec::GP);  // byte store fine; HLT then #GP
  V86Rig no_am;
  no_am.cpu.state.rflags |= flag::AC;
  CHECK(no_am.exec({0xA1, 0x01, 0x01, 0xF4}) == vec::GP);  // runs on to the HLT
  V86Rig no_ac;
  no_ac.cpu.state.cr0 |= cr0::AM;
  CHECK(no_ac.exec({0x66, 0xA3, 0x02, 0x01, 0xF4}) == vec::GP);  // mov [0x0102], eax: misaligned dword, AC clear
}
