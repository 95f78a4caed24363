#include "tests/conformance/engine_agreement.h"

#include <cstring>
#include <string>

#include "memory/physical_memory.h"

namespace sv::conformance {

namespace {

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
const char* const kSegNames[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

void compareValue(Diff& d, const std::string& what, uint64_t interp, uint64_t jit) {
  if (interp != jit) d.add(what + ": interpreter " + hex(interp, 8) + " jit " + hex(jit, 8));
}

}  // namespace

void compareEngineStates(Diff& d, const CpuState& a, const CpuState& b) {
  for (unsigned r = 0; r < 16; ++r) compareValue(d, kGprNames[r], a.gpr[r], b.gpr[r]);
  for (unsigned s = 0; s < 6; ++s) {
    const std::string n = kSegNames[s];
    compareValue(d, n + ".selector", a.seg[s].selector, b.seg[s].selector);
    compareValue(d, n + ".base", a.seg[s].base, b.seg[s].base);
    compareValue(d, n + ".limit", a.seg[s].limit, b.seg[s].limit);
    compareValue(d, n + ".attr", a.seg[s].attr, b.seg[s].attr);
  }
  compareValue(d, "rip", a.rip, b.rip);
  compareValue(d, "rflags", a.rflags, b.rflags);
  compareValue(d, "halted", a.halted, b.halted);
  compareValue(d, "fcw", a.x87.fcw, b.x87.fcw);
  compareValue(d, "fsw", a.x87.fsw, b.x87.fsw);
}

void compareEngineMemory(Diff& d, const uint8_t* a, const uint8_t* b, const std::vector<uint32_t>& pages) {
  for (uint32_t p : pages) {
    const uint64_t base = static_cast<uint64_t>(p) * kPageSize;
    if (std::memcmp(a + base, b + base, kPageSize) == 0) continue;
    for (uint64_t i = 0; i < kPageSize; ++i)
      if (a[base + i] != b[base + i])
        d.add("memory " + hex(base + i, 6) + ": interpreter " + hex(a[base + i], 2) + " jit " + hex(b[base + i], 2));
    if (d.done()) return;
  }
}

}  // namespace sv::conformance
