// Guest general-purpose registers held in host registers inside a block.
//
// Write-through: every guest register write still lands in CpuState, and
// the cached copy is updated with it, so CpuState is exact at every point
// of the block. Leaving the block, calling the interpreter or faulting
// needs no flush; what the cache saves is the reload (a store-to-load
// forward on every use of a register the previous instruction wrote).
//
// Only `use` allocates, and emitters call it at their start, before any
// branch of their own, so the cache state is the same on every path
// through an instruction. Reads and writes never allocate; a write to a
// cached register updates both copies on whatever path it runs.
//
// Code that does not know the cache (an emitter that has not called
// activate, a handler call) reads CpuState and may write it directly; the
// translator drops the whole cache after such an instruction. Calls
// clobber r10/r11 and the interpreter may change any register, so a slow
// path reloads the registers cached at its resume point (Snapshot).
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "cpu/decoded_insn.h"

namespace sv {

class RegCache {
 public:
  static constexpr unsigned kPool = 6;  // rbp, r12, r13, r15, r10, r11 (emit_context.h)
  static constexpr unsigned kGprs = 16;
  // RFLAGS' slot: emitters that merge flags use() it, emitMergeFlags
  // updates it (write-through like the registers).
  static constexpr unsigned kFlags = 16;
  static constexpr unsigned kGuestRegs = 17;

  struct Snapshot {
    uint8_t count = 0;
    uint8_t guest[kPool] = {};
    uint8_t host[kPool] = {};  // pool slot
  };

  explicit RegCache(asmjit::x86::Assembler& a) : a_(a) {}

  // Per instruction (translator): unpins everything, leaves the cache
  // unused until the emitter calls activate().
  void beginInsn() {
    active_ = false;
    for (auto& s : slots_) s.pinned = false;
  }
  // The emitter reads and writes guest registers through the cache.
  void activate() { active_ = true; }
  bool active() const { return active_; }
  // Drops every cached copy (nothing is emitted).
  void clear();

  // Loads guest register `index` (0-15, or kFlags) into a host register if it is not
  // there yet, pinned for this instruction. Without a free host register
  // it stays in CpuState (reads and writes then go there).
  void use(unsigned index);
  // As use(), for a register the instruction writes whole (4 or 8 bytes)
  // on every path without reading it first: nothing is loaded.
  void define(unsigned index);
  // use() for every general-purpose register `insn`'s explicit operands
  // name (registers, memory bases and indexes); with `defines_first`,
  // define() for operand 0 when it is a 4- or 8-byte register that no
  // other operand reads.
  void useOperands(const DecodedInsn& insn, bool defines_first = false);

  // The host register holding guest `index`'s 64-bit value (kFlags:
  // RFLAGS), or nullptr.
  const asmjit::x86::Gp* host(unsigned index) const;
  // The host register of a cached Gpr operand (not AH..BH), or nullptr:
  // an emitter may compute on it in place (with the guest's operand size,
  // whose partial-register rules are the host's) and then commit().
  const asmjit::x86::Gp* gpr(const RegId& reg) const {
    return reg.cls == RegClass::Gpr && reg.index < kGprs ? host(reg.index) : nullptr;
  }
  // Writes the cached copy of `reg` (changed in place with operand size
  // `size`) through to CpuState.
  void commit(const RegId& reg, unsigned size);

  // r64 = the guest register (Gpr or GprHigh) of `size` bytes, zero-
  // extended (as loadZx from CpuState).
  void read(const asmjit::x86::Gp& r64, const RegId& reg, unsigned size);
  // The guest register = sized(r64, size), as Cpu::setGpr: a 4-byte
  // write zero-extends (r64's upper half must be zero), 1 and 2 keep the
  // bits above. Written to CpuState and to the cached copy.
  void write(const RegId& reg, unsigned size, const asmjit::x86::Gp& r64);
  // CpuState's copy of guest `index` was written directly: drop the cached one.
  void forget(unsigned index);

  Snapshot snapshot() const;
  // Emits the loads that make the snapshot's host registers hold CpuState's values.
  void reload(const Snapshot& s);

 private:
  struct Slot {
    int8_t guest = -1;
    bool pinned = false;
    uint32_t stamp = 0;  // last use (least recently used goes first)
  };
  void take(unsigned index, bool load);
  int slotOf(unsigned index) const { return index < kGuestRegs ? where_[index] : -1; }
  void touch(int slot) { slots_[slot].stamp = ++clock_; }

  asmjit::x86::Assembler& a_;
  Slot slots_[kPool];
  int8_t where_[kGuestRegs] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  uint32_t clock_ = 0;
  bool active_ = false;
};

}  // namespace sv
