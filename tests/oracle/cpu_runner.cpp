#include "tests/oracle/cpu_runner.h"

#include <cstring>

#include "cpu/x87/x87_state.h"

namespace sv::oracle {

namespace {

// Guest physical layout below kDataBase; the scratch segment is identical
// to the host's, so registers holding addresses mean the same thing.
constexpr uint64_t kGdt = 0x1000, kIdt = 0x2000, kPml4 = 0x4000;
constexpr uint32_t kCodeOffset = 0x9000;     // the instruction, in the scratch segment
constexpr uint32_t kHandlerOffset = 0xA000;  // exception handler of vector v at + v
constexpr uint64_t kRamBytes = kDataBase + kDataSegmentBytes;

// GDT selectors, all DPL 3 (CPL 3 like the host's user mode).
constexpr uint16_t kCode32 = 0x08 | 3, kData = 0x10 | 3, kCode16 = 0x18 | 3, kCode64 = 0x20 | 3;

constexpr uint16_t kDpl3 = 3 << 5;
constexpr uint16_t kCodeAttr = segattr::P | segattr::S | segattr::CODE | segattr::WRITABLE | segattr::ACCESSED | kDpl3;
constexpr uint16_t kDataAttr = segattr::P | segattr::S | segattr::WRITABLE | segattr::ACCESSED | kDpl3;

void putDescriptor(uint8_t* d, uint32_t base, uint32_t limit, uint16_t attr) {
  d[0] = limit & 0xFF;
  d[1] = (limit >> 8) & 0xFF;
  d[2] = base & 0xFF;
  d[3] = (base >> 8) & 0xFF;
  d[4] = (base >> 16) & 0xFF;
  d[5] = static_cast<uint8_t>(attr);
  d[6] = static_cast<uint8_t>(((attr >> 8) << 4) | ((limit >> 16) & 0xF));
  d[7] = (base >> 24) & 0xFF;
}

Fault faultOfVector(uint8_t v) {
  switch (v) {
    case vec::DE:
    case vec::MF:
    case vec::XM: return Fault::Arithmetic;
    case vec::UD: return Fault::InvalidOpcode;
    case vec::GP:
    case vec::PF:
    case vec::BR:
    case vec::OF: return Fault::Protection;
    case vec::SS:
    case vec::AC: return Fault::Bus;
    default: return Fault::Other;
  }
}

}  // namespace

CpuRunner::CpuRunner(bool through_jit) : mem_(kRamBytes), cpu_(mem_, ports_, clock_, &code_pages_) {
  if (through_jit) {
    JitOptions opt;
    opt.max_block_insns = 1;  // the case's instruction alone, whatever bytes follow it
    jit_ = std::make_unique<Jit>(cpu_, code_pages_, opt);
  }
}

CpuRunner::~CpuRunner() = default;

void CpuRunner::enterMode(Mode mode) {
  cpu_.reset();
  uint8_t* ram = mem_.ramHost();
  const uint32_t base = static_cast<uint32_t>(kDataBase);
  putDescriptor(ram + kGdt + 0x08, 0, 0xFFFFF, kCodeAttr | segattr::DB | segattr::G);
  putDescriptor(ram + kGdt + 0x10, 0, 0xFFFFF, kDataAttr | segattr::DB | segattr::G);
  putDescriptor(ram + kGdt + 0x18, base, 0xFFFF, kCodeAttr);
  putDescriptor(ram + kGdt + 0x20, 0, 0xFFFFF, kCodeAttr | segattr::L | segattr::G);
  const bool b16 = mode == Mode::Bits16, b64 = mode == Mode::Bits64;
  const uint16_t cs = b16 ? kCode16 : b64 ? kCode64 : kCode32;
  // Exceptions go through interrupt gates to the same code segment (no
  // privilege change), each vector to its own handler address; long mode
  // has 16-byte gates (SDM Vol. 3A, 6.14.1).
  const uint32_t handlers = b16 ? kHandlerOffset : base + kHandlerOffset;
  const unsigned gate_bytes = b64 ? 16 : 8;
  for (unsigned v = 0; v < 32; ++v) {
    const uint32_t off = handlers + v;
    uint8_t* g = ram + kIdt + gate_bytes * v;
    std::memset(g, 0, gate_bytes);
    g[0] = off & 0xFF;
    g[1] = (off >> 8) & 0xFF;
    g[2] = cs & 0xFF;
    g[3] = cs >> 8;
    g[5] = 0xEE;  // present, DPL 3, 32-bit (64-bit in long mode) interrupt gate
    g[6] = (off >> 16) & 0xFF;
    g[7] = off >> 24;
  }
  CpuState& s = cpu_.state;
  s.gdtr = TableRegister{kGdt, 0x27, 0};
  s.idtr = TableRegister{kIdt, gate_bytes * 32 - 1, 0};
  if (b64) {
    // Long mode: the low 4 GiB identity-mapped with user 2 MiB pages.
    const uint64_t pml4e = (kPml4 + 0x1000) | 0x7;
    std::memcpy(ram + kPml4, &pml4e, 8);
    for (uint64_t g = 0; g < 4; ++g) {
      const uint64_t pdpte = (kPml4 + 0x2000 + 0x1000 * g) | 0x7;
      std::memcpy(ram + kPml4 + 0x1000 + 8 * g, &pdpte, 8);
      for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t pde = ((g << 30) | (i << 21)) | 0x87;
        std::memcpy(ram + kPml4 + 0x2000 + 0x1000 * g + 8 * i, &pde, 8);
      }
    }
  }
  // SSE enabled as Linux enables it for its processes.
  const uint64_t cr4 = s.cr4 | cr4::OSFXSR | cr4::OSXMMEXCPT;
  if (b64) cpu_.setPagingRegisters(s.cr0 | cr0::PE | cr0::PG, kPml4, cr4 | cr4::PAE, s.efer | efer::LME | efer::LMA);
  else cpu_.setPagingRegisters(s.cr0 | cr0::PE, 0, cr4, s.efer);
  mode_ = mode;
  configured_ = true;
}

Outcome CpuRunner::run(const Case& c, uint16_t& mnemonic) {
  if (!configured_ || c.mode != mode_) enterMode(c.mode);
  const bool b16 = c.mode == Mode::Bits16;
  uint8_t* segment = mem_.ramHost() + kDataBase;
  std::memcpy(segment + kWindowOffset, c.mem, kWindowBytes);
  std::memcpy(segment + kCodeOffset, c.bytes, c.length);
  // Written behind the JIT's back: the previous case's block goes.
  if (jit_) jit_->codePageWritten(kDataBase + kCodeOffset);

  CpuState& s = cpu_.state;
  const bool b64 = c.mode == Mode::Bits64;
  if (b16) s.seg[CS] = SegmentCache{kDataBase, 0xFFFF, kCode16, kCodeAttr};
  else if (b64) s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, kCode64, kCodeAttr | segattr::L | segattr::G};
  else s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, kCode32, kCodeAttr | segattr::DB | segattr::G};
  for (uint8_t r : {DS, ES, SS}) s.seg[r] = SegmentCache{0, 0xFFFFFFFF, kData, kDataAttr | segattr::DB | segattr::G};
  std::memcpy(s.gpr, c.gpr, sizeof s.gpr);
  s.rflags = c.flags;
  s.rip = b16 ? kCodeOffset : kDataBase + kCodeOffset;
  if (c.fx_state) {
    s.x87 = X87State{};
    s.x87.fcw = c.fpu.fcw;
    s.x87.fsw = c.fpu.fsw;
    s.x87.ftw = 0;
    for (unsigned p = 0; p < 8; ++p) {
      s.x87.st[p].mantissa = c.fpu.sig[p];
      s.x87.st[p].sign_exponent = c.fpu.se[p];
      const uint16_t tag = (c.fpu.valid >> p) & 1 ? x87::tagOf(x87::Float80{c.fpu.sig[p], c.fpu.se[p]}) : x87::kTagEmpty;
      s.x87.ftw = static_cast<uint16_t>(s.x87.ftw | (tag << (2 * p)));
    }
    s.mxcsr = c.fpu.mxcsr;
    std::memcpy(s.xmm, c.fpu.xmm, sizeof s.xmm);
  }
  s.interrupt_shadow = 0;
  s.halted = 0;
  cpu_.updateMode();

  DecodedInsn insn;
  const CodeMode cm = b16 ? CodeMode::Prot16 : b64 ? CodeMode::Long64 : CodeMode::Prot32;
  mnemonic = decoder_.decode(cm, c.bytes, c.length, insn) == DecodeStatus::Ok
                 ? insn.mnemonic
                 : 0;

  const uint64_t exceptions = cpu_.stats().exceptions;
  const Cpu::Exit exit_kind = cpu_.run(1);
  Outcome out;
  if (exit_kind == Cpu::Exit::Shutdown) {  // a fault it could not deliver: start afresh next time
    configured_ = false;
    out.fault = Fault::Other;
    return out;
  }
  if (cpu_.stats().exceptions != exceptions) {
    const uint64_t handlers = b16 ? kHandlerOffset : kDataBase + kHandlerOffset;
    out.fault = s.rip >= handlers && s.rip < handlers + 32 ? faultOfVector(static_cast<uint8_t>(s.rip - handlers))
                                                          : Fault::Other;
    return out;
  }
  std::memcpy(out.gpr, s.gpr, sizeof out.gpr);
  out.flags = static_cast<uint32_t>(s.rflags);
  std::memcpy(out.mem, segment + kWindowOffset, kWindowBytes);
  if (c.fx_state) {
    out.fpu.fcw = s.x87.fcw;
    out.fpu.fsw = s.x87.fsw;
    out.fpu.valid = 0;
    for (unsigned p = 0; p < 8; ++p) {
      out.fpu.sig[p] = s.x87.st[p].mantissa;
      out.fpu.se[p] = s.x87.st[p].sign_exponent;
      if (((s.x87.ftw >> (2 * p)) & 3) != x87::kTagEmpty) out.fpu.valid = static_cast<uint8_t>(out.fpu.valid | (1u << p));
    }
    out.fpu.mxcsr = s.mxcsr;
    std::memcpy(out.fpu.xmm, s.xmm, sizeof out.fpu.xmm);
  }
  return out;
}

}  // namespace sv::oracle
