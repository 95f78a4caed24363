#include "cpu/cpu.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "cpu/cpuid.h"
#include "memory/physical_memory.h"

namespace sv {

namespace {
constexpr uint64_t maskBytes(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }
}  // namespace

Cpu::Cpu(PhysicalMemory& mem, PortIo& io, TimeSource& time, CodePageMap* code)
    : mem_(mem), io_(io), time_(time), tlb_(mem, code) {
  reset();
}

void Cpu::reset() {
  state = CpuState{};
  state.rflags = flag::FIXED1;
  state.rip = 0xFFF0;
  for (auto& s : state.seg) s = SegmentCache{0, 0xFFFF, 0, segattr::REAL_DATA};
  state.seg[CS] = SegmentCache{0xFFFF0000, 0xFFFF, 0xF000, segattr::REAL_CODE};
  state.ldtr = SegmentCache{0, 0xFFFF, 0, 0x82};  // present LDT
  state.tr = SegmentCache{0, 0xFFFF, 0, 0x8B};    // busy 32-bit TSS
  state.gdtr = TableRegister{0, 0xFFFF, 0};
  state.idtr = TableRegister{0, 0xFFFF, 0};
  state.cr0 = cr0::ET | cr0::CD | cr0::NW;  // 0x60000010
  state.gpr[RDX] = cpuidSignature();         // family/model/stepping (SDM 9.1.4)
  state.dr[6] = 0xFFFF0FF0;
  state.dr[7] = 0x400;
  state.x87.fcw = 0x40;
  state.mxcsr = 0x1F80;
  state.msr.pat = 0x0007040600070406ull;
  state.msr.apic_base = 0xFEE00900;  // enabled, BSP
  state.a20_mask = ~0ull;
  fault_pending_ = false;
  event_lines_ &= ~kEventNmi;  // INTR is a wire and keeps its level
  shutdown_ = false;
  delivering_ = -1;
  access_cpl_ = -1;
  insn_breakpoint_fault_ = false;
  debugRegistersChanged();
  updateMode();
  syncTlbControl();
  tlb_.flushAll();
}

void Cpu::setA20(bool enabled) {
  state.a20_mask = enabled ? ~0ull : ~(1ull << 20);
  block_exit_ = 1;  // linear -> physical changed under a running block
  syncTlbControl();
}

void Cpu::syncTlbControl() {
  PagingControl ctl = PagingControl::fromRegisters(state.cr0, state.cr3, state.cr4, state.efer, state.a20_mask);
  if (ctl.mode == PagingMode::Pae) std::copy(std::begin(tlb_.control().pdpte), std::end(tlb_.control().pdpte), ctl.pdpte);
  tlb_.setControl(ctl);
}

void Cpu::setPagingRegisters(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer) {
  PagingControl ctl = PagingControl::fromRegisters(cr0, cr3, cr4, efer, state.a20_mask);
  if (ctl.mode == PagingMode::Pae) {
    // PDPTEs are loaded when PAE paging is (re)configured: MOV CR3, and MOV
    // CR0/CR4 while or when entering PAE paging (SDM Vol. 3A, 4.4.1).
    if (!loadPdptes(mem_, cr3, ctl.pdpte, ctl.maxphyaddr, state.a20_mask)) raise(vec::GP, 0);
  }
  bool only_cr3 = cr0 == state.cr0 && cr4 == state.cr4 && efer == state.efer;
  state.cr0 = cr0;
  state.cr3 = cr3;
  state.cr4 = cr4;
  state.efer = efer;
  updateMode();
  debugRegistersChanged();  // CR4.DE arms I/O breakpoints
  block_exit_ = 1;  // linear -> physical (or decoding) changed under a running block
  if (only_cr3) tlb_.loadCr3(cr3, ctl.mode == PagingMode::Pae ? ctl.pdpte : nullptr);
  else tlb_.setControl(ctl);
}

void Cpu::updateMode() {
  CpuMode old = mode_;
  if (!(state.cr0 & cr0::PE)) mode_ = CpuMode::Real;
  else if (state.efer & efer::LMA) mode_ = (state.seg[CS].attr & segattr::L) ? CpuMode::Long64 : CpuMode::Compat;
  else if (state.rflags & flag::VM) mode_ = CpuMode::Virtual86;
  else mode_ = CpuMode::Protected;
  if (mode_ != old) block_exit_ = 1;  // blocks are translated for one mode
}

unsigned Cpu::codeSize() const {
  if (mode_ == CpuMode::Long64) return 8;
  if (mode_ == CpuMode::Virtual86) return 2;
  return (state.seg[CS].attr & segattr::DB) ? 4 : 2;
}

unsigned Cpu::stackAddrSize() const {
  if (mode_ == CpuMode::Long64) return 8;
  if (mode_ == CpuMode::Virtual86) return 2;
  return (state.seg[SS].attr & segattr::DB) ? 4 : 2;
}

// ---------------------------------------------------------------- registers

uint64_t Cpu::gpr(unsigned index, unsigned size) const { return state.gpr[index] & maskBytes(size); }

void Cpu::setGpr(unsigned index, unsigned size, uint64_t value) {
  uint64_t& r = state.gpr[index];
  switch (size) {
    case 1: r = (r & ~0xFFull) | (value & 0xFF); break;
    case 2: r = (r & ~0xFFFFull) | (value & 0xFFFF); break;
    case 4: r = value & 0xFFFFFFFFull; break;
    default: r = value; break;
  }
}

uint64_t Cpu::readReg(RegId reg, unsigned size) const {
  switch (reg.cls) {
    case RegClass::Gpr: return gpr(reg.index, size);
    case RegClass::GprHigh: return (state.gpr[reg.index] >> 8) & 0xFF;
    case RegClass::Seg: return state.seg[reg.index].selector;
    case RegClass::Cr:
      switch (reg.index) {
        case 0: return state.cr0;
        case 2: return state.cr2;
        case 3: return state.cr3;
        case 4: return state.cr4;
        case 8: return local_apic_ ? local_apic_->taskPriorityCr8() : state.cr8;
        default: return 0;
      }
    case RegClass::Dr: return state.dr[reg.index & 7];
    default: return 0;
  }
}

void Cpu::writeReg(RegId reg, unsigned size, uint64_t value) {
  switch (reg.cls) {
    case RegClass::Gpr: setGpr(reg.index, size, value); break;
    case RegClass::GprHigh:
      state.gpr[reg.index] = (state.gpr[reg.index] & ~0xFF00ull) | ((value & 0xFF) << 8);
      break;
    case RegClass::Seg: loadSegment(reg.index, static_cast<uint16_t>(value)); break;
    default: raise(vec::UD);  // control/debug registers go through their own handlers
  }
}

// ---------------------------------------------------------------- operands

uint64_t Cpu::effectiveAddress(const DecodedInsn& insn, const Operand& op) const {
  uint64_t ea = static_cast<uint64_t>(op.disp);
  if (op.base == 16) ea += next_rip;  // RIP-relative: relative to the next instruction
  else if (op.base != kNoGpr) ea += state.gpr[op.base];
  if (op.index != kNoGpr) ea += state.gpr[op.index] * op.scale;
  return ea & maskBytes(insn.addrsize);
}

uint64_t Cpu::readOp(const DecodedInsn& insn, unsigned i) {
  const Operand& op = insn.ops[i];
  switch (op.kind) {
    case OpKind::Reg: return readReg(op.reg, op.size);
    case OpKind::Mem: return readMem(op.seg, effectiveAddress(insn, op), op.size);
    case OpKind::Imm: return op.imm;
    default: return 0;
  }
}

void Cpu::writeOp(const DecodedInsn& insn, unsigned i, uint64_t value) {
  const Operand& op = insn.ops[i];
  switch (op.kind) {
    case OpKind::Reg: writeReg(op.reg, op.size, value); break;
    case OpKind::Mem: writeMem(op.seg, effectiveAddress(insn, op), op.size, value); break;
    default: break;
  }
}

// ---------------------------------------------------------------- memory

bool Cpu::segmentAllows(const SegmentCache& sc, uint64_t offset, unsigned size, Access access) const {
  if (mode_ == CpuMode::Long64) return true;  // canonical checks arrive with long mode
  uint64_t last = offset + size - 1;
  bool ok;
  if ((sc.attr & segattr::EXPAND_DOWN) && !(sc.attr & segattr::CODE)) {
    uint64_t upper = (sc.attr & segattr::DB) ? 0xFFFFFFFFull : 0xFFFFull;
    ok = offset > sc.limit && last <= upper;
  } else {
    ok = last <= sc.limit;
  }
  if (mode_ != CpuMode::Real && mode_ != CpuMode::Virtual86) {
    // Rights of the cached descriptor (SDM Vol. 3A, 5.5); null selectors
    // leave P clear in the cache.
    if (!(sc.attr & segattr::P)) ok = false;
    else if (access == Access::Write && ((sc.attr & segattr::CODE) || !(sc.attr & segattr::WRITABLE))) ok = false;
    else if (access == Access::Read && (sc.attr & segattr::CODE) && !(sc.attr & segattr::WRITABLE)) ok = false;
  }
  return ok;
}

void Cpu::checkSegmentAccess(uint8_t seg, uint64_t offset, unsigned size, Access access) {
  if (mode_ == CpuMode::Long64) {
    // 64-bit mode has no limits; the first and last byte must be canonical
    // (SDM Vol. 3A, 3.3.7.1; #SS(0) for stack references).
    uint64_t lin = segmentBase(seg) + offset;
    if (!isCanonical(lin) || !isCanonical(lin + size - 1)) raise(seg == SS ? vec::SS : vec::GP, 0);
    return;
  }
  if (!segmentAllows(state.seg[seg], offset, size, access)) raise(seg == SS ? vec::SS : vec::GP, 0);
}

namespace {
AccessKind kindOf(Access a) {
  switch (a) {
    case Access::Write:
    case Access::ImplicitWrite: return AccessKind::Write;
    case Access::Execute: return AccessKind::Execute;
    default: return AccessKind::Read;
  }
}
}  // namespace

Privilege Cpu::privilegeOf(Access access) const {
  bool implicit = access == Access::ImplicitRead || access == Access::ImplicitWrite;
  unsigned level = access_cpl_ >= 0 ? static_cast<unsigned>(access_cpl_) : cpl();
  return privilegeFor(level == 3, implicit, (state.rflags & flag::AC) != 0, (state.cr4 & cr4::SMAP) != 0);
}

Translation Cpu::translate(uint64_t linear, Access access) {
  linear = wrapLinear(linear);
  Translation t = tlb_.translate(linear, kindOf(access), privilegeOf(access));
  if (t.fault) {
    state.cr2 = linear;
    raise(vec::PF, t.error_code);
  }
  return t;
}

// #AC (SDM Vol. 3A, 6.15 "Interrupt 17"): with CR0.AM and EFLAGS.AC, an
// explicit data access at CPL 3 that is not aligned to its size. The hot
// paths only test EFLAGS.AC and the address bits.
void Cpu::checkAlignment(Access access) {
  if ((state.cr0 & cr0::AM) && cpl() == 3 && (access == Access::Read || access == Access::Write))
    raise(vec::AC, 0);
}

uint64_t Cpu::readLinear(uint64_t linear, unsigned size, Access access) {
  linear = wrapLinear(linear);
  if ((state.rflags & flag::AC) && (linear & (size - 1))) checkAlignment(access);
  if (bp_data_armed_ && access != Access::Execute) noteDataAccess(linear, size, false);
  if (const uint8_t* h = tlb_.lookup(linear, kindOf(access), privilegeOf(access), size)) {
    uint64_t v = 0;
    std::memcpy(&v, h, size);
    return v;
  }
  return readLinearSlow(linear, size, access);
}

uint64_t Cpu::readLinearSlow(uint64_t linear, unsigned size, Access access) {
  unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPageSize - (linear & kPageMask)));
  Translation t0 = translate(linear, access);
  Translation t1 = first < size ? translate(linear + first, access) : Translation{};
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const Translation& t = i < first ? t0 : t1;
    uint64_t off = i < first ? i : i - first;
    uint64_t b = t.host ? t.host[off] : mem_.read(t.paddr + off, 1);
    v |= b << (8 * i);
  }
  return v;
}

void Cpu::writeLinear(uint64_t linear, unsigned size, uint64_t value, Access access) {
  linear = wrapLinear(linear);
  if ((state.rflags & flag::AC) && (linear & (size - 1))) checkAlignment(access);
  if (bp_data_armed_) noteDataAccess(linear, size, true);
  if (uint8_t* h = tlb_.lookup(linear, kindOf(access), privilegeOf(access), size)) {
    std::memcpy(h, &value, size);
    return;
  }
  writeLinearSlow(linear, size, value, access);
}

void Cpu::writeLinearSlow(uint64_t linear, unsigned size, uint64_t value, Access access) {
  unsigned first = static_cast<unsigned>(std::min<uint64_t>(size, kPageSize - (linear & kPageMask)));
  Translation t0 = translate(linear, access);
  Translation t1 = first < size ? translate(linear + first, access) : Translation{};
  // Self-modifying code: both pages are translated (no fault can follow),
  // so the translated code of the page goes before the store lands.
  if (code_listener_) {
    if (t0.code_page) code_listener_->codeWritten(t0.paddr, first);
    if (t1.code_page) code_listener_->codeWritten(t1.paddr, size - first);
  }
  // Whole accesses to one MMIO page keep their width (device registers
  // care); split accesses go byte by byte.
  if (first == size && !t0.host) {
    mem_.write(t0.paddr, size, value);
    return;
  }
  for (unsigned i = 0; i < size; ++i) {
    const Translation& t = i < first ? t0 : t1;
    uint64_t off = i < first ? i : i - first;
    uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    if (t.host) t.host[off] = b;
    else mem_.write(t.paddr + off, 1, b);
  }
}

uint64_t Cpu::readMem(uint8_t seg, uint64_t offset, unsigned size) {
  checkSegmentAccess(seg, offset, size, Access::Read);
  return readLinear(segmentBase(seg) + offset, size, Access::Read);
}

void Cpu::writeMem(uint8_t seg, uint64_t offset, unsigned size, uint64_t value) {
  checkSegmentAccess(seg, offset, size, Access::Write);
  writeLinear(segmentBase(seg) + offset, size, value);
}

// ---------------------------------------------------------------- stack

void Cpu::push(uint64_t value, unsigned size) {
  unsigned w = stackAddrSize();
  uint64_t sp = (state.gpr[RSP] - size) & maskBytes(w);
  writeMem(SS, sp, size, value);
  setGpr(RSP, w, sp);
}

uint64_t Cpu::pop(unsigned size) {
  unsigned w = stackAddrSize();
  uint64_t sp = state.gpr[RSP] & maskBytes(w);
  uint64_t v = readMem(SS, sp, size);
  setGpr(RSP, w, sp + size);
  return v;
}

uint64_t Cpu::peekStack(uint64_t offset, unsigned size) {
  unsigned w = stackAddrSize();
  return readMem(SS, (state.gpr[RSP] + offset) & maskBytes(w), size);
}

// ---------------------------------------------------------------- flags, segments

void Cpu::writeFlags(uint64_t value, uint64_t mask) {
  // Bits that never change through POPF/IRET (SDM Vol. 1, 3.4.3): reserved
  // bits, VM (only IRET/task switch), RF, VIF/VIP.
  mask &= flag::ARITH | flag::TF | flag::IF | flag::DF | flag::IOPL | flag::NT | flag::AC | flag::ID;
  if (mode_ != CpuMode::Real) {
    if (cpl() > 0) mask &= ~flag::IOPL;
    if (cpl() > ((state.rflags & flag::IOPL) >> 12)) mask &= ~flag::IF;
  }
  state.rflags = (state.rflags & ~mask) | (value & mask) | flag::FIXED1;
}

void Cpu::loadCodeSegmentReal(uint16_t selector, uint64_t rip) {
  state.seg[CS].selector = selector;
  state.seg[CS].base = static_cast<uint64_t>(selector) << 4;
  next_rip = rip;
}

// ---------------------------------------------------------------- I/O

void Cpu::checkIoPermission(uint16_t port, unsigned size) {
  if (mode_ == CpuMode::Real) return;
  if (mode_ != CpuMode::Virtual86 && cpl() <= ((state.rflags & flag::IOPL) >> 12)) return;
  // The TSS I/O permission bitmap decides (SDM Vol. 1, 19.5.2): every bit
  // of the accessed ports must be clear; a 16-bit TSS has no bitmap, and a
  // bitmap beyond the TSS limit denies access.
  uint8_t type = state.tr.attr & segattr::TYPE;
  bool tss32 = type == 0x9 || type == 0xB;
  if (!tss32 || state.tr.limit < 103) raise(vec::GP, 0);
  uint64_t map = readLinear(state.tr.base + 102, 2, Access::ImplicitRead);
  uint64_t byte = map + port / 8;
  if (byte + 1 > state.tr.limit) raise(vec::GP, 0);
  uint64_t bits = readLinear(state.tr.base + byte, 2, Access::ImplicitRead);
  uint64_t want = ((1u << size) - 1) << (port & 7);
  if (bits & want) raise(vec::GP, 0);
}

uint32_t Cpu::portRead(uint16_t port, unsigned size) {
  checkIoPermission(port, size);
  if (bp_io_armed_) noteIoAccess(port, size);
  return io_.portRead(port, size);
}

void Cpu::portWrite(uint16_t port, unsigned size, uint32_t value) {
  checkIoPermission(port, size);
  if (bp_io_armed_) noteIoAccess(port, size);
  io_.portWrite(port, size, value);
}

// ---------------------------------------------------------------- faults and events

void Cpu::raise(uint8_t vector) { fault(vector, false, 0); }
void Cpu::raise(uint8_t vector, uint32_t error_code) { fault(vector, true, error_code); }

void Cpu::fault(uint8_t vector, bool has_error, uint32_t error_code) {
  if (delivering_ >= 0 && delivering_ != kDeliveringBenign) {
    // A fault while delivering another (SDM Vol. 3A, 6.15, Table 6-5).
    FaultClass first = faultClass(static_cast<uint8_t>(delivering_));
    FaultClass second = faultClass(vector);
    if (delivering_ == vec::DF) {
      shutdown_ = true;
    } else if ((first == FaultClass::Contributory && second == FaultClass::Contributory) ||
               (first == FaultClass::PageFault && second != FaultClass::Benign)) {
      vector = vec::DF;
      has_error = true;
      error_code = 0;
    }
  }
  fault_vector_ = vector;
  fault_has_error_ = has_error;
  fault_error_ = error_code;
  fault_pending_ = true;
  std::longjmp(fault_jmp_, 1);
}

void Cpu::deliverPendingFault() {
  fault_pending_ = false;
  ++stats_.exceptions;
  uint8_t v = fault_vector_;
  // Fault-class exceptions push RF = 1 so the handler's IRET does not hit an
  // instruction breakpoint on the restarted instruction again; the
  // instruction-breakpoint #DB itself pushes RF = 0 (SDM Vol. 3A, 17.3.1.1).
  if (isFaultClass(v) && !insn_breakpoint_fault_) state.rflags |= flag::RF;
  insn_breakpoint_fault_ = false;
  deliverEvent(v, EventKind::Exception, fault_has_error_, fault_error_, state.rip);
}

bool Cpu::takeInterruptIfAny() {
  if (!event_lines_) return false;
  // NMI before INTR (SDM Vol. 3A, 6.9, Table 6-2); blocked after an NMI
  // until IRET and for one instruction after MOV SS/POP SS (6.8.3).
  if ((event_lines_ & kEventNmi) && !state.nmi_blocked && !(state.interrupt_shadow & kShadowDebug)) {
    event_lines_ &= ~kEventNmi;
    ++stats_.interrupts;
    deliverEvent(vec::NMI, EventKind::Nmi, false, 0, state.rip);
    state.nmi_blocked = 1;
    return true;
  }
  if (!(event_lines_ & kEventIntr) || !(state.rflags & flag::IF) || state.interrupt_shadow || !intr_ack_) return false;
  uint8_t vector = intr_ack_->acknowledgeInterrupt();
  ++stats_.interrupts;
  deliverEvent(vector, EventKind::External, false, 0, state.rip);
  return true;
}

// ---------------------------------------------------------------- execution

CodeMode Cpu::codeMode() const {
  switch (mode_) {
    case CpuMode::Real:
    case CpuMode::Virtual86: return CodeMode::Real16;
    case CpuMode::Protected: return (state.seg[CS].attr & segattr::DB) ? CodeMode::Prot32 : CodeMode::Prot16;
    case CpuMode::Compat: return (state.seg[CS].attr & segattr::DB) ? CodeMode::Compat32 : CodeMode::Compat16;
    default: return CodeMode::Long64;
  }
}

bool Cpu::probeCode(uint64_t linear, Translation& out) {
  out = tlb_.translate(wrapLinear(linear), AccessKind::Execute, privilegeOf(Access::Execute));
  return !out.fault;
}

void Cpu::fetchDecode(DecodedInsn& insn) {
  CodeMode cm = codeMode();
  // Fetch up to 15 bytes, but no further than the CS limit: a decode that
  // needs bytes beyond the limit is a #GP, not a #UD.
  uint8_t bytes[16];
  uint64_t ip = state.rip;
  unsigned avail = 15;
  if (mode_ != CpuMode::Long64) {
    uint64_t limit = state.seg[CS].limit;
    avail = ip > limit ? 0 : static_cast<unsigned>(std::min<uint64_t>(15, limit - ip + 1));
  }
  if (avail == 0) raise(vec::GP, 0);
  // A 64-bit RIP that ran off the canonical range (SDM Vol. 3A, 6.15, #GP).
  if (mode_ == CpuMode::Long64 && !isCanonical(ip)) raise(vec::GP, 0);
  uint64_t lin = state.seg[CS].base + ip;
  // Bytes on the next page are fetched only if the instruction needs them,
  // so a fault there is not raised for an instruction that ends before it.
  unsigned on_page = static_cast<unsigned>(std::min<uint64_t>(avail, kPageSize - (lin & kPageMask)));
  // The shadow TLB's execute entry, when it has one, gives the page's bytes
  // at once (what readLinear would return byte by byte).
  if (const uint8_t* host = codeHostFast(lin)) {
    std::memcpy(bytes, host, on_page);
  } else {
    for (unsigned i = 0; i < on_page; ++i) bytes[i] = static_cast<uint8_t>(readLinear(lin + i, 1, Access::Execute));
  }
  DecodeStatus st = decoder_.decode(cm, bytes, on_page, insn);
  if (st == DecodeStatus::NeedMoreBytes && on_page < avail) {
    for (unsigned i = on_page; i < avail; ++i) bytes[i] = static_cast<uint8_t>(readLinear(lin + i, 1, Access::Execute));
    st = decoder_.decode(cm, bytes, avail, insn);
  }
  switch (st) {
    case DecodeStatus::Ok: return;
    case DecodeStatus::NeedMoreBytes: raise(vec::GP, 0);  // ran into the CS limit
    case DecodeStatus::TooLong: raise(vec::GP, 0);
    case DecodeStatus::Invalid: raise(vec::UD);
  }
}

void Cpu::executeOne() {
  // Instruction breakpoints are faults with priority over fetch faults
  // (SDM Vol. 3A, 6.9, Table 6-2); RF suppresses them for one instruction.
  if (bp_exec_armed_ && !(state.rflags & flag::RF)) checkInstructionBreakpoint();
  DecodedInsn insn;
  fetchDecode(insn);
  executeDecoded(insn);
}

void Cpu::executeDecoded(const DecodedInsn& insn) {
  uint64_t ip_mask = maskBytes(codeSize());
  next_rip = (state.rip + insn.length) & ip_mask;
  // TF is sampled before the instruction: a POPF that sets TF traps after
  // the next instruction, one that clears it still traps (SDM Vol. 3A, 17.3.1.4).
  bool single_step = (state.rflags & flag::TF) != 0;
  state.interrupt_shadow = 0;
  event_in_insn_ = false;
  pending_bp_hits_ = 0;
  // RF lasts one instruction; IRET and task switches may load it again
  // (SDM Vol. 3A, 17.3.1.1).
  state.rflags &= ~flag::RF;
  insn.handler(*this, insn);
  state.rip = next_rip;
  ++stats_.retired;
  // No trap after an instruction that delivered an event (its handler runs
  // with TF clear), nor after MOV SS/POP SS (the shadow also holds #DB).
  if ((single_step || pending_bp_hits_) && !event_in_insn_ && !(state.interrupt_shadow & kShadowDebug))
    deliverBreakpointTrap(single_step);
}

Cpu::Exit Cpu::run(uint64_t budget) {
  // Members, not locals, carry state across the longjmp back to here.
  uint64_t start = stats_.retired + stats_.exceptions;
  setjmp(fault_jmp_);
  access_cpl_ = -1;  // a fault may have left delivery half-way
  for (;;) {
    if (shutdown_) return Exit::Shutdown;
    if (fault_pending_) deliverPendingFault();
    if (stats_.retired + stats_.exceptions - start >= budget) return Exit::Budget;
    if (stop_requested_) {
      stop_requested_ = false;
      return Exit::Stopped;
    }
    if (takeInterruptIfAny()) continue;
    if (state.halted) return Exit::Halted;
    if (executor_) executor_->runBlock(*this, budget - (stats_.retired + stats_.exceptions - start));
    else executeOne();
  }
}

}  // namespace sv
