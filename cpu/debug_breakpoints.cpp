// DR0-DR3 breakpoints (Intel SDM Vol. 3B, 18.2 and 18.3): instruction
// breakpoints are faults checked before an instruction runs (suppressed by
// EFLAGS.RF), data and I/O breakpoints are traps taken after the instruction
// that made the matching access. The hot paths only test the armed_* flags
// that debugRegistersChanged() derives from DR7 and CR4.DE.
#include "cpu/cpu.h"

namespace sv {

namespace {

struct Breakpoint {
  bool enabled;
  unsigned rw;   // 0 execute, 1 write, 2 I/O (CR4.DE), 3 read/write
  uint64_t len;  // 1, 2, 8 or 4 bytes (LEN 00, 01, 10, 11)
};

Breakpoint breakpoint(const CpuState& s, unsigned i) {
  uint64_t dr7 = s.dr[7];
  static constexpr uint64_t kLen[] = {1, 2, 8, 4};
  return {((dr7 >> (2 * i)) & 3) != 0, static_cast<unsigned>((dr7 >> (16 + 4 * i)) & 3),
          kLen[(dr7 >> (18 + 4 * i)) & 3]};
}

// A data breakpoint matches an access that touches any byte of its
// naturally aligned range (the CPU ignores the low address bits covered by
// LEN, SDM 18.2.5).
bool overlaps(uint64_t bp_addr, uint64_t bp_len, uint64_t addr, unsigned size) {
  uint64_t lo = bp_addr & ~(bp_len - 1);
  return addr < lo + bp_len && lo < addr + size;
}

}  // namespace

void Cpu::debugRegistersChanged() {
  bp_exec_armed_ = bp_data_armed_ = bp_io_armed_ = false;
  for (unsigned i = 0; i < 4; ++i) {
    Breakpoint b = breakpoint(state, i);
    if (!b.enabled) continue;
    if (b.rw == 0) bp_exec_armed_ = true;
    else if (b.rw == 2) bp_io_armed_ = (state.cr4 & cr4::DE) != 0;
    else bp_data_armed_ = true;
  }
}

void Cpu::checkInstructionBreakpoint() {
  uint64_t linear = wrapLinear(state.seg[CS].base + state.rip);
  uint64_t hits = 0;
  for (unsigned i = 0; i < 4; ++i) {
    Breakpoint b = breakpoint(state, i);
    if (b.enabled && b.rw == 0 && wrapLinear(state.dr[i]) == linear) hits |= 1u << i;
  }
  if (!hits) return;
  state.dr[6] = (state.dr[6] & ~0xFull) | hits;
  insn_breakpoint_fault_ = true;  // the one fault that does not push RF = 1
  raise(vec::DB);
}

// One #DB for everything the instruction reports: a single-step trap (BS)
// and the data/I/O breakpoints it hit (B0-B3) share it (SDM 17.2.3, 17.3.1.2).
void Cpu::deliverBreakpointTrap(bool single_step) {
  uint64_t dr6 = state.dr[6];
  if (pending_bp_hits_) dr6 = (dr6 & ~0xFull) | pending_bp_hits_;
  if (single_step) dr6 |= 0x4000;  // BS
  state.dr[6] = dr6;
  pending_bp_hits_ = 0;
  deliverEvent(vec::DB, EventKind::Exception, false, 0, state.rip);
}

void Cpu::noteDataAccess(uint64_t linear, unsigned size, bool write) {
  for (unsigned i = 0; i < 4; ++i) {
    Breakpoint b = breakpoint(state, i);
    if (!b.enabled || b.rw == 0 || b.rw == 2 || (b.rw == 1 && !write)) continue;
    if (overlaps(wrapLinear(state.dr[i]), b.len, linear, size)) pending_bp_hits_ |= 1u << i;
  }
}

void Cpu::noteIoAccess(uint16_t port, unsigned size) {
  for (unsigned i = 0; i < 4; ++i) {
    Breakpoint b = breakpoint(state, i);
    if (b.enabled && b.rw == 2 && overlaps(state.dr[i] & 0xFFFF, b.len, port, size)) pending_bp_hits_ |= 1u << i;
  }
}

}  // namespace sv
