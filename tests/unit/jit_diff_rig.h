// The interpreter-vs-JIT differential rig shared by the jit_*_test files:
// two machines (the reference interpreter and the JIT) started from the
// same guest state, run, and compared - registers, RFLAGS, RIP, CR2,
// segment bases, retired count, exceptions and every byte of memory.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "jit/jit.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

namespace sv::testing::jitdiff {

using NoPorts = sv::testing::NullPorts;
using sv::testing::FixedClock;

enum class Mode { Real16, Prot32, Prot32Paging, Long64 };

// Guest layout (physical):
//   0x00000  IVT (real mode): every vector -> 0000:0500
//   0x00500  HLT (fault handler of both modes)
//   0x00800  GDT: null, flat code32 (0x08), data32 base 0x20000 limit 0xFFFF (0x10),
//            flat data (0x18)
//   0x01000  IDT (protected mode): 32 interrupt gates -> 0x08:0x500
//   0x02000  page directory, 0x03000 page table (Prot32Paging: identity
//            for the first 4 MiB, the page at 0x2F000 not present, the
//            pages of 0x30000-0x3FFFF swapped in pairs)
//   0x04000  Long64: PML4, 0x5000 PDPT, 0x6000-0x9FFF PDs (4 GiB identity, 2 MiB pages)
//   0x10000  code (real mode CS = 0x1000; protected mode flat CS, EIP = 0x10000)
//   0x20000  data (DS = ES = SS: real mode segment 0x2000, protected base 0x20000)
struct DiffRig {
  static constexpr uint64_t kCode = 0x10000;
  static constexpr uint64_t kData = 0x20000;
  PhysicalMemory mem{2 << 20};
  CodePageMap code_pages{mem};
  NoPorts ports;
  FixedClock clock;
  Cpu cpu{mem, ports, clock, &code_pages};
  std::unique_ptr<Jit> jit;

  // The guest's whole world: everything below it is compared.
  static constexpr size_t kUsed = 0x50000;  // (64-bit RIP-relative stores reach data base + code)

  explicit DiffRig(bool use_jit) {
    if (use_jit) jit = std::make_unique<Jit>(cpu, code_pages);
  }
  DiffRig(bool use_jit, Mode mode, const std::vector<uint8_t>& code, uint32_t data_limit = 0xFFFF)
      : DiffRig(use_jit) {
    reset(mode, code, data_limit);
  }

  // A fresh machine (cheaper than a new rig: no new RAM or code buffer).
  void reset(Mode mode, const std::vector<uint8_t>& code, uint32_t data_limit = 0xFFFF) {
    if (jit) jit->flush();  // the code below is written behind the JIT's back
    std::memset(mem.ramHost(), 0, kUsed);
    cpu.reset();
    uint8_t* ram = mem.ramHost();
    for (unsigned v = 0; v < 256; ++v) {
      uint32_t entry = 0x500;
      std::memcpy(ram + 4 * v, &entry, 4);
    }
    ram[0x500] = 0xF4;
    std::memcpy(ram + kCode, code.data(), code.size());
    CpuState& s = cpu.state;
    if (mode == Mode::Real16) {
      s.seg[CS] = SegmentCache{kCode, 0xFFFF, 0x1000, s.seg[CS].attr};
      for (uint8_t r : {DS, ES, SS}) s.seg[r] = SegmentCache{kData, 0xFFFF, 0x2000, s.seg[r].attr};
      s.rip = 0;
      cpu.updateMode();
      return;
    }
    // Descriptors: limit 15:0, base 23:0, access, flags|limit 19:16, base 31:24.
    auto desc = [&](unsigned index, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
      uint8_t* d = ram + 0x800 + 8 * index;
      d[0] = limit & 0xFF;
      d[1] = (limit >> 8) & 0xFF;
      d[2] = base & 0xFF;
      d[3] = (base >> 8) & 0xFF;
      d[4] = (base >> 16) & 0xFF;
      d[5] = access;
      d[6] = static_cast<uint8_t>((flags << 4) | ((limit >> 16) & 0xF));
      d[7] = (base >> 24) & 0xFF;
    };
    desc(1, 0, 0xFFFFF, 0x9B, 0xC);                  // code32, 4 GiB
    desc(2, static_cast<uint32_t>(kData), data_limit, 0x93, 0x4);  // data32, byte granular
    desc(3, 0, 0xFFFFF, 0x93, 0xC);                  // flat data
    for (unsigned v = 0; v < 32; ++v) {              // 32-bit interrupt gates -> 08:0500
      uint8_t* g = ram + 0x1000 + 8 * v;
      g[0] = 0x00; g[1] = 0x05; g[2] = 0x08; g[3] = 0x00; g[4] = 0; g[5] = 0x8E; g[6] = 0; g[7] = 0;
    }
    s.gdtr = TableRegister{0x800, 0x1F, 0};
    s.idtr = TableRegister{0x1000, 0xFF, 0};
    if (mode == Mode::Long64) {
      // 64-bit code (0x20) and 16-byte interrupt gates -> 20:0500, so
      // faults are delivered (and compared) rather than shutting down.
      desc(4, 0, 0xFFFFF, 0x9B, 0xA);
      s.gdtr.limit = 0x27;
      for (unsigned v = 0; v < 32; ++v) {
        uint8_t* g = ram + 0x1000 + 16 * v;
        std::memset(g, 0, 16);
        g[0] = 0x00; g[1] = 0x05; g[2] = 0x20; g[5] = 0x8E;
      }
      s.idtr.limit = 32 * 16 - 1;
    }
    uint64_t cr0 = s.cr0 | cr0::PE, cr3 = 0, cr4 = s.cr4, efer = s.efer;
    if (mode == Mode::Long64) {
      // Identity map of the low 4 GiB in 2 MiB pages (beyond RAM reads as
      // all ones), so random 32-bit addresses do not fault.
      const uint64_t pml4e = 0x5000 | 0x7;
      std::memcpy(ram + 0x4000, &pml4e, 8);
      for (uint64_t g = 0; g < 4; ++g) {
        const uint64_t pdpte = (0x6000 + 0x1000 * g) | 0x7;
        std::memcpy(ram + 0x5000 + 8 * g, &pdpte, 8);
        for (uint64_t i = 0; i < 512; ++i) {
          const uint64_t pde = ((g << 30) | (i << 21)) | 0x87;
          std::memcpy(ram + 0x6000 + 0x1000 * g + 8 * i, &pde, 8);
        }
      }
      cr0 |= cr0::PG;
      cr3 = 0x4000;
      cr4 |= cr4::PAE;
      efer |= efer::LME | efer::LMA;
    }
    if (mode == Mode::Prot32Paging) {
      uint32_t pde = 0x3000 | 0x7;
      std::memcpy(ram + 0x2000, &pde, 4);
      for (uint32_t i = 0; i < 1024; ++i) {
        uint32_t pte = (i << 12) | 0x7;
        if (i == 0x2F) pte = 0;  // not present
        // Linear pages 0x30000-0x3FFFF swap frames in pairs: consecutive
        // linear pages are not consecutive in host memory there, as code
        // handling a multi-page range must not assume.
        if (i >= 0x30 && i < 0x40) pte = ((i ^ 1) << 12) | 0x7;
        std::memcpy(ram + 0x3000 + 4 * i, &pte, 4);
      }
      cr0 |= cr0::PG;
      cr3 = 0x2000;
    }
    cpu.setPagingRegisters(cr0, cr3, cr4, efer);
    constexpr uint16_t kCodeAttr = segattr::P | segattr::S | segattr::CODE | segattr::WRITABLE | segattr::ACCESSED |
                                   segattr::DB | segattr::G;
    constexpr uint16_t kDataAttr = segattr::P | segattr::S | segattr::WRITABLE | segattr::ACCESSED | segattr::DB;
    s.seg[CS] = SegmentCache{0, 0xFFFFFFFF, 0x08, kCodeAttr};
    if (mode == Mode::Long64) s.seg[CS].attr = (kCodeAttr & ~segattr::DB) | segattr::L;
    for (uint8_t r : {DS, ES, SS}) s.seg[r] = SegmentCache{kData, data_limit, 0x10, kDataAttr};
    s.rip = kCode;
    cpu.updateMode();
  }
};

// Runs both CPUs from the same registers for `budget` instructions and
// checks that they agree on everything.
struct RigPair {
  DiffRig ref{false};
  DiffRig jit{true};
};

inline Cpu::Exit runAndCompare(RigPair& rigs, Mode mode, const std::vector<uint8_t>& code, const uint64_t (&regs)[8],
                   uint64_t rflags, uint64_t budget, const std::string& what, uint32_t data_limit = 0xFFFF,
                   uint32_t code_limit = 0) {
  DiffRig& ref = rigs.ref;
  DiffRig& jit = rigs.jit;
  ref.reset(mode, code, data_limit);
  jit.reset(mode, code, data_limit);
  for (DiffRig* r : {&ref, &jit}) {
    if (code_limit) r->cpu.state.seg[CS].limit = code_limit;  // (0: the mode's own)
    for (unsigned i = 0; i < 8; ++i) r->cpu.state.gpr[i] = regs[i];
    r->cpu.state.rflags = (rflags & (flag::ARITH | flag::DF)) | flag::FIXED1;
    // Some recognisable data.
    for (unsigned i = 0; i < 0x10000; ++i) r->mem.ramHost()[DiffRig::kData + i] = static_cast<uint8_t>(i * 7 + 3);
  }
  // Counters are not reset with the CPU: compare what this run added.
  const CpuStats s_ref = ref.cpu.stats(), s_jit = jit.cpu.stats();
  Cpu::Exit e_ref = ref.cpu.run(budget);
  Cpu::Exit e_jit = jit.cpu.run(budget);
  INFO(what);
  CHECK(e_jit == e_ref);
  const CpuState& a = ref.cpu.state;
  const CpuState& b = jit.cpu.state;
  for (unsigned i = 0; i < kGprCount; ++i) {
    INFO("gpr " << i);
    CHECK(b.gpr[i] == a.gpr[i]);
  }
  CHECK(b.rip == a.rip);
  CHECK(b.rflags == a.rflags);
  CHECK(b.cr2 == a.cr2);
  for (unsigned i = 0; i < kSegCount; ++i) CHECK(b.seg[i].base == a.seg[i].base);
  CHECK(jit.cpu.stats().retired - s_jit.retired == ref.cpu.stats().retired - s_ref.retired);
  CHECK(jit.cpu.stats().exceptions - s_jit.exceptions == ref.cpu.stats().exceptions - s_ref.exceptions);
  CHECK(std::memcmp(jit.mem.ramHost(), ref.mem.ramHost(), DiffRig::kUsed) == 0);
  return e_ref;
}

}  // namespace sv::testing::jitdiff
