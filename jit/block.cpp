#include "jit/block.h"

#include <algorithm>

#include "cpu/cpu.h"

namespace sv {

namespace {

bool flatDataSegments(const Cpu& cpu) {
  if (cpu.mode() != CpuMode::Protected) return false;
  constexpr uint16_t kMask = segattr::P | segattr::CODE | segattr::EXPAND_DOWN | segattr::WRITABLE;
  for (uint8_t r : {DS, ES, SS}) {
    const SegmentCache& s = cpu.state.seg[r];
    if (s.base != 0 || s.limit != 0xFFFFFFFFu || (s.attr & kMask) != (segattr::P | segattr::WRITABLE)) return false;
  }
  return (cpu.state.seg[SS].attr & segattr::DB) != 0;  // a 32-bit stack: no stack-width guard either
}

}  // namespace

uint64_t blockModeKey(const Cpu& cpu) {
  const CpuState& s = cpu.state;
  // CR0/CR4 bits that change decoding or what a handler may do with the
  // instructions of a block; handlers read the rest at run time anyway.
  constexpr uint64_t kCr0 = cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::WP | cr0::PG;
  constexpr uint64_t kCr4 = cr4::VME | cr4::PVI | cr4::TSD | cr4::DE | cr4::PSE | cr4::PAE | cr4::PGE |
                            cr4::OSFXSR | cr4::OSXMMEXCPT | cr4::SMEP | cr4::SMAP;
  uint64_t k = static_cast<uint64_t>(cpu.mode());                           // bits 0-2
  k |= static_cast<uint64_t>((s.seg[CS].attr & segattr::DB) != 0) << 3;   // CS.D
  k |= static_cast<uint64_t>((s.seg[CS].attr & segattr::L) != 0) << 4;    // CS.L
  k |= static_cast<uint64_t>(cpu.cpl()) << 5;                             // bits 5-6
  k |= static_cast<uint64_t>((s.efer & efer::LMA) != 0) << 7;
  k |= static_cast<uint64_t>((s.efer & efer::NXE) != 0) << 8;
  k |= static_cast<uint64_t>(s.a20_mask == ~0ull) << 9;                   // A20 open
  if (flatDataSegments(cpu)) k |= kModeFlatData;                          // bit 10
  if (cpu.mode() != CpuMode::Long64 && s.seg[CS].limit == 0xFFFFFFFFu) k |= kModeFlatCode;  // bit 12
  // Under SMAP at CPL < 3, EFLAGS.AC picks the shadow-TLB entry set of
  // data accesses (SDM Vol. 3A, 4.6.1), which the memory fast path bakes
  // in. Only instructions that end a block change AC there (STAC, CLAC,
  // POPF, IRET, SYSCALL's mask, events).
  k |= static_cast<uint64_t>((s.cr4 & cr4::SMAP) && cpu.cpl() < 3 && (s.rflags & flag::AC)) << 11;
  k |= (s.cr0 & 0xF & kCr0) << 16;                                         // PE MP EM TS
  k |= static_cast<uint64_t>((s.cr0 & cr0::WP) != 0) << 20;
  k |= static_cast<uint64_t>((s.cr0 & cr0::PG) != 0) << 21;
  k |= (s.cr4 & kCr4) << 24;                                               // CR4 bits 0-21 -> 24-45
  return k;
}

void linkChain(ChainExit& e, Block& target) {
  if (e.target == &target) return;
  if (e.target) {  // relinked elsewhere: leave the old target's list
    auto& in = e.target->incoming;
    in.erase(std::remove(in.begin(), in.end(), &e), in.end());
  }
  e.target = &target;
  e.slot = target.chain_entry;
  target.incoming.push_back(&e);
}

void unlinkChains(Block& b) {
  // Exits into b go back to their link-request stubs.
  for (ChainExit* e : b.incoming) {
    if (e->target != &b) continue;
    e->target = nullptr;
    e->slot = e->unlinked;
  }
  b.incoming.clear();
  // b's own exits leave their targets' incoming lists (b's memory goes soon).
  for (ChainExit& e : b.exits) {
    if (!e.target) continue;
    auto& in = e.target->incoming;
    in.erase(std::remove(in.begin(), in.end(), &e), in.end());
    e.target = nullptr;
    e.slot = e.unlinked;
  }
}

}  // namespace sv
