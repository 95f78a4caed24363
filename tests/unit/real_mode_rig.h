// A Cpu in real mode for instruction tests: code at 1000:0000, stack
// 2000:FFF0, data at 3000:0; vector v points at 0000:0500+v, which holds
// HLT, so a fault's vector is the final IP. Used by the x87 and SSE tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "cpu/cpu.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

namespace sv::testing {

struct RealModeRig {
  static constexpr uint64_t kCode = 0x10000, kData = 0x30000, kTraps = 0x500;
  PhysicalMemory mem{2 << 20};
  NullPorts ports;
  FixedClock clock;
  Cpu cpu{mem, ports, clock};

  RealModeRig() {
    cpu.reset();
    CpuState& s = cpu.state;
    auto seg = [&](SegReg r, uint16_t sel) {
      s.seg[r].selector = sel;
      s.seg[r].base = static_cast<uint64_t>(sel) << 4;
      s.seg[r].limit = 0xFFFF;
    };
    seg(CS, 0x1000);
    seg(SS, 0x2000);
    seg(DS, 0x3000);
    seg(ES, 0x3000);
    s.rip = 0;
    s.gpr[RSP] = 0xFFF0;
    s.cr0 |= cr0::NE;
    cpu.updateMode();
    uint8_t* ram = mem.ramHost();
    for (unsigned v = 0; v < 256; ++v) {
      uint32_t entry = kTraps + v;
      std::memcpy(ram + v * 4, &entry, 4);
      ram[kTraps + v] = 0xF4;
    }
  }
  uint8_t* data() { return mem.ramHost() + kData; }
  // Runs `code` + HLT from 1000:0000; returns the delivered vector or -1.
  int exec(std::initializer_list<uint8_t> code) {
    CpuState& s = cpu.state;
    s.seg[CS].selector = 0x1000;
    s.seg[CS].base = kCode;
    s.rip = 0;
    s.halted = 0;
    uint64_t at = kCode;
    for (uint8_t b : code) mem.ramHost()[at++] = b;
    mem.ramHost()[at] = 0xF4;
    cpu.run(64);
    if (s.seg[CS].selector == 0 && s.rip > kTraps && s.rip <= kTraps + 256) return static_cast<int>(s.rip - kTraps - 1);
    return -1;
  }
  template <typename T>
  T read(unsigned off) {
    T v;
    std::memcpy(&v, data() + off, sizeof v);
    return v;
  }
  template <typename T>
  void write(unsigned off, T v) {
    std::memcpy(data() + off, &v, sizeof v);
  }
};

}  // namespace sv::testing
