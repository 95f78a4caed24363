// One x86 vCPU: architectural state plus the reference interpreter's
// execution loop, memory access path and event delivery.
//
// Faults use longjmp, not C++ exceptions: a fault raised deep inside a handler
// (or, later, inside a helper called from translated code, which has no
// unwind tables) returns straight to the run loop with the state exactly as
// it was at the start of the faulting instruction. Handlers therefore keep no
// objects with destructors across memory accesses.
#pragma once

#include <csetjmp>
#include <cstdint>

#include "cpu/block_executor.h"
#include "cpu/cpu_state.h"
#include "cpu/decoded_insn.h"
#include "cpu/decoder.h"
#include "cpu/descriptor.h"
#include "cpu/exception.h"
#include "cpu/platform.h"
#include "memory/shadow_tlb.h"

namespace sv {

class CodePageMap;
class PhysicalMemory;

// Implicit accesses (descriptor tables, IDT, TSS) are supervisor accesses
// whatever the CPL (SDM Vol. 3A, 4.6).
enum class Access : uint8_t { Read, Write, Execute, ImplicitRead, ImplicitWrite };

// What started a task switch (SDM Vol. 3A, 7.3, Table 7-2): it decides the
// busy bits, NT and the previous-task link.
enum class TaskSwitchReason : uint8_t { Jump, Call, Iret, Interrupt };

struct CpuStats {
  uint64_t retired = 0;     // instructions completed
  uint64_t exceptions = 0;  // exceptions delivered
  uint64_t interrupts = 0;  // external interrupts taken
  uint64_t undefined = 0;   // #UD raised for instructions we decode but do not implement
};

class Cpu {
 public:
  // `code` (owned by the Machine, may be null) is the map of pages holding
  // translated code; the shadow TLB keeps stores to them off its fast path.
  Cpu(PhysicalMemory& mem, PortIo& io, TimeSource& time, CodePageMap* code = nullptr);
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  // Power-on/RESET state (SDM Vol. 3A, 9.1.1): CS:IP = F000:FFF0 with CS base
  // 0xFFFF0000, real mode, A20 open.
  void reset();

  enum class Exit : uint8_t {
    Budget,    // executed the requested number of instructions
    Halted,    // HLT with no interrupt to wake it
    Stopped,   // requestStop() (debug-exit, monitor, ...)
    Shutdown,  // triple fault
  };
  // Runs up to `budget` instructions (an event delivery counts as one).
  Exit run(uint64_t budget);

  // Board interface.
  void setInterruptRequest(bool level) {
    if (level) {
      event_lines_ |= kEventIntr;
      block_exit_ = 1;  // a running block lets Cpu::run look at it
    } else {
      event_lines_ &= ~kEventIntr;
    }
  }
  // An NMI (edge): delivered at the next instruction boundary unless NMIs
  // are blocked (SDM Vol. 3A, 6.7.1); one stays pending while blocked.
  void raiseNmi() {
    event_lines_ |= kEventNmi;
    block_exit_ = 1;
  }
  // INTR is high or an unblocked NMI waits: a halted CPU with interrupts
  // enabled wakes for it.
  bool eventPending() const {
    return (event_lines_ & kEventIntr) || ((event_lines_ & kEventNmi) && !state.nmi_blocked);
  }
  void setLocalApic(LocalApicPort* apic) { local_apic_ = apic; }
  LocalApicPort* localApic() const { return local_apic_; }
  void setInterruptAcknowledge(InterruptAcknowledge* ack) { intr_ack_ = ack; }
  void requestStop() {
    stop_requested_ = true;
    block_exit_ = 1;
  }
  void setA20(bool enabled);
  const CpuStats& stats() const { return stats_; }

  CpuState state{};

  // ---- Services for a block translator (jit/) ----

  // Runs blocks through `exec` instead of executeOne (nullptr: interpreter).
  void setBlockExecutor(BlockExecutor* exec) { executor_ = exec; }
  // Told before a store reaches a page that holds translated code.
  void setCodeWriteListener(CodeWriteListener* l) { code_listener_ = l; }
  // Executes one instruction exactly as the interpreter's loop does.
  void step() { executeOne(); }
  // executeOne without the fetch: an instruction decoded earlier (by the
  // translator) with the same next_rip, TF, interrupt-shadow and retired
  // bookkeeping. The one implementation both paths use.
  void executeDecoded(const DecodedInsn& insn);
  // The decoder configuration the current code segment implies.
  CodeMode codeMode() const;
  // Linear -> physical for an instruction fetch, without raising: false
  // when the fetch would fault (the caller then lets step() raise it).
  bool probeCode(uint64_t linear, Translation& out);
  // Host pointer of a code byte when the shadow TLB has it on its fast
  // path, else nullptr (then use probeCode).
  const uint8_t* codeHostFast(uint64_t linear) {
    return tlb_.lookup(wrapLinear(linear), AccessKind::Execute, privilegeOf(Access::Execute));
  }
  // A flag the translated code tests after each instruction: set when the
  // block must return to Cpu::run early (stop request, interrupt line
  // raised, translated code or paging/mode changed under it).
  const uint8_t* blockExitFlag() const { return &block_exit_; }
  // The retired counter, which translated code advances for the
  // instructions it runs natively (stats().retired reads it).
  uint64_t* retiredCounter() { return &stats_.retired; }
  void requestBlockExit() { block_exit_ = 1; }
  void clearBlockExit() { block_exit_ = 0; }

  // ---- Services for instruction handlers (cpu/interp) ----

  // RIP after the current instruction; branch handlers overwrite it.
  uint64_t next_rip = 0;

  CpuMode mode() const { return mode_; }
  // Real mode runs at privilege 0 and virtual-8086 mode at 3, whatever the
  // low bits of the CS selector (SDM Vol. 3A, 20.1 and 20.2).
  unsigned cpl() const {
    return mode_ == CpuMode::Real ? 0 : mode_ == CpuMode::Virtual86 ? 3 : (state.seg[CS].selector & 3);
  }
  bool realMode() const { return mode_ == CpuMode::Real; }
  bool longMode() const { return mode_ == CpuMode::Long64; }
  // Width in bytes of the code segment's default operand size (2, 4, 8).
  unsigned codeSize() const;
  // Stack pointer width: 2 (SP), 4 (ESP) or 8 (RSP).
  unsigned stackAddrSize() const;
  // Called after any change to CR0, EFER, CS or EFLAGS.VM.
  void updateMode();

  // Registers. size in bytes; 8-bit writes keep the other bits, 16-bit writes
  // keep bits 16..63, 32-bit writes zero-extend (SDM Vol. 1, 3.4.1.1).
  uint64_t gpr(unsigned index, unsigned size) const;
  void setGpr(unsigned index, unsigned size, uint64_t value);
  uint64_t readReg(RegId reg, unsigned size) const;
  void writeReg(RegId reg, unsigned size, uint64_t value);

  // Operands of the current instruction.
  uint64_t effectiveAddress(const DecodedInsn& insn, const Operand& op) const;
  uint64_t readOp(const DecodedInsn& insn, unsigned i);
  void writeOp(const DecodedInsn& insn, unsigned i, uint64_t value);

  // The base a memory operand through `seg` adds: in 64-bit mode only FS
  // and GS have one (SDM Vol. 3A, 3.2.4); CS, DS, ES and SS count as 0.
  uint64_t segmentBase(uint8_t seg) const {
    return (mode_ != CpuMode::Long64 || seg == FS || seg == GS) ? state.seg[seg].base : 0;
  }
  // Memory through a segment: limit/rights checks (in 64-bit mode the
  // canonical check, #SS(0) for SS, #GP(0) otherwise), then linear access.
  uint64_t readMem(uint8_t seg, uint64_t offset, unsigned size);
  void writeMem(uint8_t seg, uint64_t offset, unsigned size, uint64_t value);
  // Raises #GP/#SS unless [offset, offset+size) is accessible through `seg`.
  void checkSegmentAccess(uint8_t seg, uint64_t offset, unsigned size, Access access);
  // The same test against a descriptor cache not (yet) loaded.
  bool segmentAllows(const SegmentCache& sc, uint64_t offset, unsigned size, Access access) const;

  // Linear (post-segmentation) accesses through the shadow TLB; split at
  // page boundaries, both pages translated before any byte is touched.
  uint64_t readLinear(uint64_t linear, unsigned size, Access access = Access::Read);
  void writeLinear(uint64_t linear, unsigned size, uint64_t value, Access access = Access::Write);
  // Linear -> physical for one access, raising #PF (with CR2) on a fault.
  Translation translate(uint64_t linear, Access access);

  // Paging control: commits new CR0/CR3/CR4/EFER values after the caller's
  // reserved-bit checks, loading the PAE PDPTE registers when PAE paging is
  // on (#GP(0) and nothing changes if they are invalid), and keeps the
  // shadow TLB coherent exactly as x86 flushes its TLB.
  void setPagingRegisters(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer);
  void invalidatePage(uint64_t linear) {  // INVLPG
    tlb_.flushPage(wrapLinear(linear));
    block_exit_ = 1;  // the rest of a block may now map elsewhere
  }
  ShadowTlb& tlb() { return tlb_; }
  // During event delivery the new stack is written at the new privilege.
  void setAccessCpl(int cpl) { access_cpl_ = cpl; }

  // Stack, sized pushes/pops through SS with the current stack width.
  void push(uint64_t value, unsigned size);
  uint64_t pop(unsigned size);
  // Reads the stack at SP+offset without moving SP (for RET imm, IRET ...).
  uint64_t peekStack(uint64_t offset, unsigned size);

  // Flags. setFlags writes only the bits in `mask` that the current mode lets
  // the instruction change (IOPL, IF, VM ... rules of POPF/IRET).
  uint64_t flags() const { return state.rflags; }
  void writeFlags(uint64_t value, uint64_t mask);

  // Segment register loads (MOV/POP Sreg, LDS ...): real/v86 base =
  // selector << 4; protected mode with every check of SDM Vol. 3A 5.x
  // (cpu/segmentation.cpp).
  void loadSegment(uint8_t seg, uint16_t selector);
  // CS:RIP change for far JMP/CALL/RET/IRET in real mode.
  void loadCodeSegmentReal(uint16_t selector, uint64_t rip);

  // Descriptor tables. readDescriptor returns false when the selector lies
  // outside its table (the caller raises the fault it implies).
  bool readDescriptor(uint16_t selector, Descriptor& out);
  // The upper half of a 16-byte system descriptor in IA-32e mode (LDT, TSS,
  // call gate): bits 63:32 of the base/offset. False when the 16 bytes do
  // not fit the table or the upper type field is not 0 (SDM Vol. 3A, 3.5.2).
  bool readDescriptorHigh(uint16_t selector, uint32_t& high);
  void setDescriptorAccessed(uint16_t selector, Descriptor& d);
  [[noreturn]] void raiseSelector(uint8_t vector, uint16_t selector) { raise(vector, selector & 0xFFFC); }

  // Far control transfers in every mode (cpu/far_transfer.cpp). They set
  // next_rip; the handlers only decode operands.
  void farJump(uint16_t selector, uint64_t offset, unsigned opsize);
  void farCall(uint16_t selector, uint64_t offset, unsigned opsize);
  void farReturn(unsigned opsize, uint16_t release_bytes);
  void interruptReturn(unsigned opsize);
  // SYSCALL/SYSRET/SYSENTER/SYSEXIT (cpu/fast_system_call.cpp): flat CS/SS
  // caches built from the MSRs, as the SDM's operation sections load them.
  void loadFlatCode(uint16_t selector, unsigned dpl, bool long64);
  void loadFlatStack(uint16_t selector, unsigned dpl);

  // Hardware task switch to the TSS `selector` names (cpu/task_switch.cpp):
  // the caller has made the JMP/CALL/IRET/gate checks and passes the TSS
  // descriptor as read; return_rip is the EIP saved in the old TSS.
  // `has_error`: push error_code on the new task's stack (exceptions).
  void taskSwitch(uint16_t selector, const Descriptor& tss_desc, TaskSwitchReason reason, bool has_error,
                  uint32_t error_code, uint64_t return_rip);

  // I/O ports (permission checks per CPL/IOPL and the TSS bitmap).
  void checkIoPermission(uint16_t port, unsigned size);
  uint32_t portRead(uint16_t port, unsigned size);
  void portWrite(uint16_t port, unsigned size, uint32_t value);
  uint64_t tscNow() { return time_.tscNow() + state.tsc_offset; }

  // INT n, INT3, INTO, INT1: delivers the event with the next instruction's
  // RIP as the return address; ends the instruction.
  void softwareInterrupt(uint8_t vector, EventKind kind);
  // INT n (CD ib): the virtual-8086 rules of SDM 20.3.3 (IOPL, CR4.VME and
  // the TSS redirection bitmap, cpu/virtual_interrupts.cpp), then delivery.
  void interruptInstruction(uint8_t vector);

  // Faults. The instruction is abandoned; the state is as at its start.
  [[noreturn]] void raise(uint8_t vector);
  [[noreturn]] void raise(uint8_t vector, uint32_t error_code);
  // #UD for an instruction the decoder knows but no handler implements;
  // counted so a run can report what its guest missed.
  [[noreturn]] void raiseUnimplemented() {
    ++stats_.undefined;
    raise(vec::UD);
  }
  // Enters the HLT state at the end of the current instruction.
  void halt() { state.halted = 1; }
  // Re-derives which breakpoints are armed after DR7 or CR4.DE changed
  // (MOV DR7, MOV CR4, task switch, reset).
  void debugRegistersChanged();
  // Any DR0-DR3 breakpoint enabled: instructions then run one at a time
  // through executeOne, which checks them (blocks are not run).
  bool breakpointsArmed() const { return bp_exec_armed_ || bp_data_armed_ || bp_io_armed_; }

 private:
  void executeOne();
  uint64_t wrapLinear(uint64_t linear) const {
    return (mode_ == CpuMode::Long64 || mode_ == CpuMode::Compat) ? linear : (linear & 0xFFFFFFFFull);
  }
  Privilege privilegeOf(Access access) const;
  void checkAlignment(Access access);  // #AC when CR0.AM and CPL 3 (EFLAGS.AC and misalignment tested by the caller)
  uint64_t readLinearSlow(uint64_t linear, unsigned size, Access access);
  void writeLinearSlow(uint64_t linear, unsigned size, uint64_t value, Access access);
  void syncTlbControl();
  void fetchDecode(DecodedInsn& insn);
  void deliverPendingFault();
  void deliverEvent(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code,
                    uint64_t return_rip);
  void deliverRealMode(uint8_t vector, uint64_t return_rip);
  void deliverProtectedMode(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code,
                            uint64_t return_rip);
  // IA-32e mode (cpu/long_mode_transfer.cpp): 16-byte IDT gates, IST, the
  // always-pushed SS:RSP frame; far transfers through 64-bit call gates;
  // IRET and RETF with 64-bit frames.
  void deliverLongMode(uint8_t vector, EventKind kind, bool has_error, uint32_t error_code, uint64_t return_rip);
  uint64_t longModeStack(unsigned dpl, unsigned ist);
  void farJumpLong(uint16_t selector, uint64_t offset, unsigned opsize, bool call);
  void farReturnLong(unsigned opsize, uint16_t release_bytes, bool iret);
  void checkLongModeCodeTarget(const Descriptor& d, uint16_t selector, uint64_t offset);
  void writeStackFrame(uint64_t rsp, const uint64_t* values, unsigned count, unsigned size, uint32_t ss_error);
  // INT n redirection in virtual-8086 mode with CR4.VME (SDM 20.3.3).
  bool redirectionBitSet(uint8_t vector);
  void deliverThroughV86Ivt(uint8_t vector);
  // Stack for privilege level `dpl` from the current TSS.
  void innerStackFromTss(unsigned dpl, uint16_t& ss, uint32_t& esp);
  void loadCodeSegmentProtected(uint16_t selector, const Descriptor& d, unsigned new_cpl);
  void loadStackSegmentProtected(uint16_t selector, const Descriptor& d);
  void nullifyDataSegmentsForOuterLevel();
  void farJumpProtected(uint16_t selector, uint64_t offset, unsigned opsize, bool call);
  void checkDirectCodeTarget(uint16_t selector, const Descriptor& d);
  void checkReturnCodeSegment(uint16_t cs, Descriptor& d);
  void checkReturnStackSegment(uint16_t ss, unsigned rpl, Descriptor& d);
  uint64_t iretSettableFlags(unsigned opsize) const;
  void farReturnProtected(unsigned opsize, uint16_t release_bytes);
  void interruptReturnProtected(unsigned opsize);
  // Task switches from JMP/CALL (task gate or TSS), IRET with NT, and an
  // IDT task gate (cpu/task_switch.cpp).
  void farTaskTransfer(uint16_t selector, const Descriptor& d, bool call);
  void taskReturn();
  void interruptTaskGate(const Descriptor& gate, bool push_error, uint32_t error_code, uint64_t return_rip,
                         uint32_t ext);
  bool takeInterruptIfAny();
  // DR0-DR3 breakpoints (cpu/debug_breakpoints.cpp).
  void checkInstructionBreakpoint();
  void noteDataAccess(uint64_t linear, unsigned size, bool write);
  void noteIoAccess(uint16_t port, unsigned size);
  void deliverBreakpointTrap(bool single_step);
  [[noreturn]] void fault(uint8_t vector, bool has_error, uint32_t error_code);

  PhysicalMemory& mem_;
  PortIo& io_;
  TimeSource& time_;
  InterruptAcknowledge* intr_ack_ = nullptr;
  Decoder decoder_;
  ShadowTlb tlb_;
  int access_cpl_ = -1;  // >= 0: privilege for stack writes during delivery

  CpuMode mode_ = CpuMode::Real;
  // INTR level and pending NMI: one byte, so the check at every
  // instruction boundary is a single test.
  static constexpr uint8_t kEventIntr = 1, kEventNmi = 2;
  uint8_t event_lines_ = 0;
  LocalApicPort* local_apic_ = nullptr;
  bool stop_requested_ = false;
  uint8_t block_exit_ = 0;  // see blockExitFlag()
  BlockExecutor* executor_ = nullptr;
  CodeWriteListener* code_listener_ = nullptr;

  // Pending fault, set by raise() before the longjmp.
  uint8_t fault_vector_ = 0;
  bool fault_has_error_ = false;
  uint32_t fault_error_ = 0;
  bool fault_pending_ = false;
  bool shutdown_ = false;
  bool event_in_insn_ = false;  // the current instruction delivered an event (INT n ...)
  // Vector being delivered, or -1: a fault during delivery escalates to #DF
  // and a fault while delivering #DF shuts the CPU down (SDM 6.15, Int 8).
  int delivering_ = -1;
  static constexpr int kDeliveringBenign = 0x100;  // INT n / external: no escalation

  // DR7 (and CR4.DE) digested for the hot paths: which kinds of breakpoint
  // are enabled. Set by debugRegistersChanged().
  bool bp_exec_armed_ = false;
  bool bp_data_armed_ = false;
  bool bp_io_armed_ = false;
  uint8_t pending_bp_hits_ = 0;        // B0-B3 of data/I/O breakpoints the current instruction hit
  bool insn_breakpoint_fault_ = false; // the pending #DB is an instruction breakpoint (pushes RF = 0)

  std::jmp_buf fault_jmp_;
  CpuStats stats_;
};

}  // namespace sv
