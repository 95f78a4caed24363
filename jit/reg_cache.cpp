#include "jit/reg_cache.h"

#include "jit/emit_context.h"

namespace sv {

using namespace asmjit;
using namespace asmjit::x86;

namespace {
// No emitter that uses the cache touches these (the string emitters use
// r10, r11 and rbp, but they do not use the cache, and the translator
// drops it after them).
const Gp kPoolRegs[RegCache::kPool] = {rbp, r12, r13, r15, r10, r11};

// CpuState's home of cache slot `index`.
Mem homeOf(unsigned index) { return index == RegCache::kFlags ? rflagsMem() : gprMem(index, 8); }
}  // namespace

void RegCache::clear() {
  for (auto& s : slots_) s.guest = -1;
  for (auto& w : where_) w = -1;
}

void RegCache::use(unsigned index) { take(index, true); }

void RegCache::define(unsigned index) { take(index, false); }

void RegCache::take(unsigned index, bool load) {
  if (index >= kGuestRegs) return;
  int s = where_[index];
  if (s >= 0) {
    slots_[s].pinned = true;
    touch(s);
    return;
  }
  s = -1;
  for (unsigned i = 0; i < kPool; ++i) {
    if (slots_[i].guest < 0) {
      s = static_cast<int>(i);
      break;
    }
    if (!slots_[i].pinned && (s < 0 || slots_[i].stamp < slots_[s].stamp)) s = static_cast<int>(i);
  }
  if (s < 0) return;  // every host register holds an operand of this instruction
  if (slots_[s].guest >= 0) where_[slots_[s].guest] = -1;  // evicted: CpuState has its value
  slots_[s].guest = static_cast<int8_t>(index);
  slots_[s].pinned = true;
  where_[index] = static_cast<int8_t>(s);
  touch(s);
  if (load) a_.mov(kPoolRegs[s], homeOf(index));
}

void RegCache::useOperands(const DecodedInsn& insn, bool defines_first) {
  const Operand& first = insn.ops[0];
  bool define_first = defines_first && insn.operand_count > 0 && first.kind == OpKind::Reg &&
                      first.reg.cls == RegClass::Gpr && (first.size == 4 || first.size == 8);
  for (unsigned i = 1; define_first && i < insn.operand_count; ++i) {
    const Operand& op = insn.ops[i];
    const unsigned r = first.reg.index;
    if ((op.kind == OpKind::Reg && (op.reg.cls == RegClass::Gpr || op.reg.cls == RegClass::GprHigh) &&
         op.reg.index == r) ||
        (op.kind == OpKind::Mem && (op.base == r || op.index == r)))
      define_first = false;
  }
  for (unsigned i = define_first ? 1 : 0; i < insn.operand_count; ++i) {
    const Operand& op = insn.ops[i];
    if (op.kind == OpKind::Reg && (op.reg.cls == RegClass::Gpr || op.reg.cls == RegClass::GprHigh)) {
      use(op.reg.index);
    } else if (op.kind == OpKind::Mem) {
      if (op.base != kNoGpr) use(op.base);  // (16, RIP-relative, is no register)
      if (op.index != kNoGpr) use(op.index);
    }
  }
  if (define_first) define(first.reg.index);
}

const Gp* RegCache::host(unsigned index) const {
  const int s = slotOf(index);
  return active_ && s >= 0 ? &kPoolRegs[s] : nullptr;
}

void RegCache::read(const Gp& r64, const RegId& reg, unsigned size) {
  const bool gpr = (reg.cls == RegClass::Gpr && reg.index < kGprs) || reg.cls == RegClass::GprHigh;
  const Gp* h = gpr ? host(reg.index) : nullptr;
  if (reg.cls == RegClass::GprHigh) {  // AH..BH: bits 15:8
    if (h) {
      a_.movzx(r64.r32(), h->r16());
      a_.shr(r64.r32(), 8);
    } else {
      a_.movzx(r64.r32(), stateMem(offsetof(CpuState, gpr) + 8 * reg.index + 1, 1));
    }
    return;
  }
  if (!h) {
    loadZx(a_, r64, gprMem(reg.index, size), size);
    return;
  }
  touch(where_[reg.index]);
  switch (size) {
    case 1: a_.movzx(r64.r32(), h->r8()); break;
    case 2: a_.movzx(r64.r32(), h->r16()); break;
    case 4: a_.mov(r64.r32(), h->r32()); break;
    default: a_.mov(r64, *h); break;
  }
}

void RegCache::write(const RegId& reg, unsigned size, const Gp& r64) {
  if (reg.cls == RegClass::GprHigh) {
    a_.mov(stateMem(offsetof(CpuState, gpr) + 8 * reg.index + 1, 1), r64.r8());
    forget(reg.index);
    return;
  }
  const Gp* h = gpr(reg);
  if (!h) {
    storeGuestReg(a_, gprMem(reg.index, size), size, r64);
    forget(reg.index);  // (a writer that does not know the cache)
    return;
  }
  touch(where_[reg.index]);
  switch (size) {
    case 1:
      a_.mov(h->r8(), r64.r8());
      a_.mov(gprMem(reg.index, 1), r64.r8());
      break;
    case 2:
      a_.mov(h->r16(), r64.r16());
      a_.mov(gprMem(reg.index, 2), r64.r16());
      break;
    case 4:
      a_.mov(h->r32(), r64.r32());  // zero-extends, as Cpu::setGpr
      a_.mov(gprMem(reg.index, 8), *h);
      break;
    default:
      a_.mov(*h, r64);
      a_.mov(gprMem(reg.index, 8), *h);
      break;
  }
}

void RegCache::commit(const RegId& reg, unsigned size) {
  const Gp* h = gpr(reg);
  if (!h) return;
  touch(where_[reg.index]);
  switch (size) {
    case 1: a_.mov(gprMem(reg.index, 1), h->r8()); break;
    case 2: a_.mov(gprMem(reg.index, 2), h->r16()); break;
    default: a_.mov(gprMem(reg.index, 8), *h); break;  // a 4-byte result has cleared the upper half
  }
}

void RegCache::forget(unsigned index) {
  const int s = slotOf(index);
  if (s < 0) return;
  slots_[s].guest = -1;
  where_[index] = -1;
}

RegCache::Snapshot RegCache::snapshot() const {
  Snapshot snap;
  for (unsigned i = 0; i < kPool; ++i) {
    if (slots_[i].guest < 0) continue;
    snap.guest[snap.count] = static_cast<uint8_t>(slots_[i].guest);
    snap.host[snap.count] = static_cast<uint8_t>(i);
    ++snap.count;
  }
  return snap;
}

void RegCache::reload(const Snapshot& snap) {
  for (unsigned i = 0; i < snap.count; ++i) a_.mov(kPoolRegs[snap.host[i]], homeOf(snap.guest[i]));
}

}  // namespace sv
