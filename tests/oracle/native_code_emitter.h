// Emits the host code that runs a batch of oracle cases natively, as one
// 64-bit function: for each case, load the scratch window and all GPRs +
// RFLAGS from its CaseRecord, execute the case's host bytes, store them back.
//
// This sandbox cannot run 16- or 32-bit code (a far transfer to Linux's
// compatibility segment 0x23 or to an LDT code segment raises #GP: the
// hypervisor under this kernel has no such segments). 16- and 32-bit forms
// therefore run as their 64-bit equivalents (see Case::host_bytes).
#pragma once

#include <cstdint>
#include <vector>

#include "tests/oracle/oracle_case.h"

namespace sv::oracle {

// Fixed host layout around kDataBase (offsets in the scratch data area).
inline constexpr uint32_t kStackTop = 0xFF00;     // the harness's own stack (PUSHFQ/POPFQ)
inline constexpr uint32_t kCurrentCase = 0xFF80;  // index of the running case (for the signal handler)
inline constexpr uint32_t kSavedRsp = 0xFF88;     // the C++ caller's RSP
inline constexpr uint32_t kRecordsOffset = kDataSegmentBytes;
inline constexpr uint64_t kCodeBase = 0x02000000;  // the batch function

class NativeCodeEmitter {
 public:
  NativeCodeEmitter();  // emits the prologue

  // Appends case `index`'s code; its record is at `record` (linear).
  void emitCase(uint32_t index, uint64_t record, const Case& c);
  // Appends the epilogue (back to the C++ caller).
  void emitExit();
  // Address of the next byte emitted (where a faulting case resumes).
  uint64_t here() const { return kCodeBase + code_.size(); }
  const std::vector<uint8_t>& code() const { return code_; }

 private:
  void byte(uint8_t b) { code_.push_back(b); }
  void bytes(std::initializer_list<uint8_t> b) { code_.insert(code_.end(), b); }
  void dword(uint32_t v);
  // opcode + ModRM/SIB addressing an absolute disp32 (mod 00 rm 101 would be
  // RIP-relative); `wide`: REX.W.
  void memOp(uint8_t opcode, unsigned reg_field, uint64_t linear, bool wide);
  void memOp0F(uint8_t opcode, unsigned reg_field, uint64_t linear);
  void movRegImm(unsigned reg, uint32_t value);
  void loadRspImm(uint32_t value);
  void copy(uint64_t from, uint64_t to);

  std::vector<uint8_t> code_;
};

}  // namespace sv::oracle
