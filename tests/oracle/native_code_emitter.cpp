#include "tests/oracle/native_code_emitter.h"

#include <cstddef>

namespace sv::oracle {

namespace {
constexpr unsigned kEcx = 1, kEsp = 4, kEsi = 6, kEdi = 7;
constexpr unsigned kHostGprs = 16;
}  // namespace

NativeCodeEmitter::NativeCodeEmitter() {
  bytes({0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57});  // push rbx rbp r12-r15
  memOp(0x89, kEsp, kDataBase + kSavedRsp, true);                      // mov [saved], rsp
}

void NativeCodeEmitter::dword(uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
}

void NativeCodeEmitter::memOp(uint8_t opcode, unsigned reg_field, uint64_t linear, bool wide) {
  if (wide || reg_field >= 8) byte(static_cast<uint8_t>(0x40 | (wide ? 8 : 0) | (reg_field >= 8 ? 4 : 0)));
  byte(opcode);
  byte(static_cast<uint8_t>(0x04 | ((reg_field & 7) << 3)));
  byte(0x25);
  dword(static_cast<uint32_t>(linear));
}

void NativeCodeEmitter::memOp0F(uint8_t opcode, unsigned reg_field, uint64_t linear) {
  byte(0x0F);
  memOp(opcode, reg_field, linear, false);
}

void NativeCodeEmitter::movRegImm(unsigned reg, uint32_t value) {
  byte(static_cast<uint8_t>(0xB8 + reg));  // zero-extends
  dword(value);
}

void NativeCodeEmitter::loadRspImm(uint32_t value) {
  bytes({0x48, 0xC7, 0xC4});
  dword(value);
}

void NativeCodeEmitter::copy(uint64_t from, uint64_t to) {
  byte(0xFC);  // cld
  movRegImm(kEsi, static_cast<uint32_t>(from));
  movRegImm(kEdi, static_cast<uint32_t>(to));
  movRegImm(kEcx, kWindowBytes / 4);
  bytes({0xF3, 0xA5});  // rep movsd
}

void NativeCodeEmitter::emitCase(uint32_t index, uint64_t record, const Case& c) {
  const uint64_t window = kDataBase + kWindowOffset;
  memOp(0xC7, 0, kDataBase + kCurrentCase, false);  // mov dword [current], index
  dword(index);
  loadRspImm(static_cast<uint32_t>(kDataBase + kStackTop));
  copy(record + offsetof(CaseRecord, in_mem), window);
  if (c.fx_state) memOp0F(0xAE, 1, record + offsetof(CaseRecord, in_fx));  // fxrstor [in_fx]
  memOp(0xFF, 6, record + offsetof(CaseRecord, in_flags), false);    // push qword [in_flags]
  byte(0x9D);                                                      // popfq
  for (unsigned r = 0; r < kHostGprs; ++r)
    if (r != kEsp) memOp(0x8B, r, record + offsetof(CaseRecord, in_gpr) + 8 * r, true);
  memOp(0x8B, kEsp, record + offsetof(CaseRecord, in_gpr) + 8 * kEsp, true);
  code_.insert(code_.end(), c.host_bytes, c.host_bytes + c.host_length);
  for (unsigned r = 0; r < kHostGprs; ++r) memOp(0x89, r, record + offsetof(CaseRecord, out_gpr) + 8 * r, true);
  if (c.fx_state) memOp0F(0xAE, 0, record + offsetof(CaseRecord, out_fx));  // fxsave [out_fx]
  loadRspImm(static_cast<uint32_t>(kDataBase + kStackTop));
  byte(0x9C);                                                       // pushfq
  memOp(0x8F, 0, record + offsetof(CaseRecord, out_flags), false);  // pop qword [out_flags]
  copy(window, record + offsetof(CaseRecord, out_mem));
}

void NativeCodeEmitter::emitExit() {
  memOp(0x8B, kEsp, kDataBase + kSavedRsp, true);                            // mov rsp, [saved]
  bytes({0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3});  // pop r15-r12 rbp rbx; ret
}

}  // namespace sv::oracle
