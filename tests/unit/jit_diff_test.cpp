// Differential tests: the interpreter is the reference, and the JIT (native
// emitters, slow paths, chaining) must end in exactly the same state from
// the same start - registers, RFLAGS, RIP, retired count, faults taken and
// every byte of memory. Random instruction streams (seeded) in real mode
// and 32-bit protected mode, flag edge values per emitter, and faults
// inside native memory accesses.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "jit/jit.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "tests/unit/cpu_test_platform.h"

using namespace sv;

namespace {

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

Cpu::Exit runAndCompare(RigPair& rigs, Mode mode, const std::vector<uint8_t>& code, const uint64_t (&regs)[8],
                   uint64_t rflags, uint64_t budget, const std::string& what, uint32_t data_limit = 0xFFFF) {
  DiffRig& ref = rigs.ref;
  DiffRig& jit = rigs.jit;
  ref.reset(mode, code, data_limit);
  jit.reset(mode, code, data_limit);
  for (DiffRig* r : {&ref, &jit}) {
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

// ---------------------------------------------------------------- random streams

// Values where flags change: sign boundaries, carries, zero.
uint64_t edgeValue(std::mt19937_64& rng) {
  static const uint64_t kEdges[] = {0,          1,          2,          0x7F,       0x80,       0xFF,
                                    0x7FFF,     0x8000,     0xFFFF,     0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                                    0x0F,       0x10,       0xFFFFFFFE, 0x8001,     0x7FFE};
  if (rng() % 3 == 0) return rng() & 0xFFFFFFFF;
  return kEdges[rng() % (sizeof kEdges / sizeof kEdges[0])];
}

struct StreamGen {
  std::mt19937_64& rng;
  bool pm;  // 32-bit code (protected mode) or 64-bit code
  bool long64 = false;  // 64-bit code: random REX prefixes
  std::vector<std::vector<uint8_t>> insns;
  // Jcc/LOOP placeholders: instruction index -> target index.
  std::vector<std::pair<size_t, size_t>> branches;

  unsigned r(unsigned n) { return static_cast<unsigned>(rng() % n); }

  // A ModRM (plus SIB/displacement) for `reg`: a register or a memory
  // operand inside the data segment most of the time.
  void modrm(std::vector<uint8_t>& out, unsigned reg, bool allow_mem = true) {
    if (!allow_mem || r(5) < 2) {
      out.push_back(static_cast<uint8_t>(0xC0 | (reg << 3) | r(8)));
      return;
    }
    if (!pm) {
      switch (r(3)) {
        case 0: {  // [disp16]
          out.push_back(static_cast<uint8_t>((reg << 3) | 6));
          uint16_t d = static_cast<uint16_t>(r(4) == 0 ? 0xFFFF - r(4) : rng());  // sometimes at the limit
          out.push_back(d & 0xFF);
          out.push_back(d >> 8);
          break;
        }
        case 1:  // [rm + disp8]
          out.push_back(static_cast<uint8_t>(0x40 | (reg << 3) | r(8)));
          out.push_back(static_cast<uint8_t>(rng()));
          break;
        default:  // [rm]
          out.push_back(static_cast<uint8_t>((reg << 3) | (r(8) == 6 ? 7 : r(8))));
          break;
      }
      return;
    }
    switch (r(3)) {
      case 0: {  // [disp32] inside (or just past) the segment limit
        out.push_back(static_cast<uint8_t>((reg << 3) | 5));
        uint32_t d = r(8) == 0 ? 0xFFFF - r(4) : r(0x10000);
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(d >> (8 * i)));
        break;
      }
      case 1: {  // [base + index*scale + disp8] (SIB)
        out.push_back(static_cast<uint8_t>(0x44 | (reg << 3)));
        unsigned base = r(8);
        if (base == 5) base = 3;
        out.push_back(static_cast<uint8_t>((r(4) << 6) | (r(8) << 3) | base));
        out.push_back(static_cast<uint8_t>(rng()));
        break;
      }
      default: {  // [base + disp8]
        unsigned base = r(8);
        if (base == 4 || base == 5) base = 6;
        out.push_back(static_cast<uint8_t>(0x40 | (reg << 3) | base));
        out.push_back(static_cast<uint8_t>(rng()));
        break;
      }
    }
  }

  void imm(std::vector<uint8_t>& out, unsigned bytes) {
    uint64_t v = r(2) ? edgeValue(rng) : rng();
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }

  void one() {
    std::vector<uint8_t> b;
    bool branch = false;
    const bool opsize = r(3) == 0;  // 66h: the other operand size
    if (opsize) b.push_back(0x66);
    const bool wide32 = pm != opsize;
    const unsigned immw = wide32 ? 4 : 2;
    switch (r(28)) {
      case 0: case 1: case 2: case 3:  // ALU r/m, r and r, r/m
        b.push_back(static_cast<uint8_t>((r(8) << 3) | r(4)));
        modrm(b, r(8));
        break;
      case 4: case 5: {  // ALU r/m, imm (80, 81, 83)
        unsigned form = r(3);
        b.push_back(static_cast<uint8_t>(0x80 + (form == 0 ? 0 : form == 1 ? 1 : 3)));
        modrm(b, r(8));
        imm(b, form == 1 ? immw : 1);
        break;
      }
      case 6:  // ALU AL/eAX, imm
        if (r(2)) {
          b.push_back(static_cast<uint8_t>((r(8) << 3) | 4));
          imm(b, 1);
        } else {
          b.push_back(static_cast<uint8_t>((r(8) << 3) | 5));
          imm(b, immw);
        }
        break;
      case 7:  // TEST r/m, r ; TEST r/m, imm
        if (r(2)) {
          b.push_back(static_cast<uint8_t>(0x84 | r(2)));
          modrm(b, r(8));
        } else {
          bool w = r(2);
          b.push_back(w ? 0xF7 : 0xF6);
          modrm(b, 0);
          imm(b, w ? immw : 1);
        }
        break;
      case 8:  // INC/DEC/NEG/NOT r/m
        if (r(2)) {
          b.push_back(static_cast<uint8_t>(0xFE | r(2)));
          modrm(b, r(2));
        } else {
          b.push_back(static_cast<uint8_t>(0xF6 | r(2)));
          modrm(b, 2 + r(2));
        }
        break;
      case 9:  // INC/DEC r (40-4F)
        b.push_back(static_cast<uint8_t>(0x40 + r(16)));
        break;
      case 10: case 11:  // MOV r/m, r ; MOV r, r/m
        b.push_back(static_cast<uint8_t>(0x88 + r(4)));
        modrm(b, r(8));
        break;
      case 12:  // MOV r, imm ; MOV r/m, imm
        if (r(2)) {
          bool w = r(2);
          b.push_back(static_cast<uint8_t>((w ? 0xB8 : 0xB0) + r(8)));
          imm(b, w ? immw : 1);
        } else {
          bool w = r(2);
          b.push_back(w ? 0xC7 : 0xC6);
          modrm(b, 0);
          imm(b, w ? immw : 1);
        }
        break;
      case 13:  // LEA r, m
        b.push_back(0x8D);
        {
          size_t at = b.size();
          modrm(b, r(8));
          if ((b[at] & 0xC0) == 0xC0) b[at] &= 0x3F;  // must be memory: [rm]
          if (!pm && (b[at] & 0xC7) == 6) b[at] |= 1;  // not [disp16]: no displacement follows
          if (pm && (b[at] & 0xC7) == 5) b[at] = static_cast<uint8_t>((b[at] & 0x38) | 3);
          if (pm && (b[at] & 0xC7) == 4) b[at] = static_cast<uint8_t>((b[at] & 0x38) | 3);
        }
        break;
      case 14:  // MOVZX/MOVSX
        b.push_back(0x0F);
        b.push_back(static_cast<uint8_t>(0xB6 | (r(2) << 3) | r(2)));
        modrm(b, r(8));
        break;
      case 15:  // LODS/STOS/MOVS, forward or backward per DF; REP STOS/MOVS
        if (r(3) == 0) {
          b.insert(b.begin(), static_cast<uint8_t>(r(2) ? 0xF3 : 0xF2));
          b.push_back(static_cast<uint8_t>((r(2) ? 0xA4 : 0xAA) | r(2)));
        } else {
          b.push_back(static_cast<uint8_t>(0xA4 | (r(3) == 0 ? 0 : r(2) ? 0x08 : 0x0A) | r(2)));
        }
        break;
      case 16:  // flags: CLC/STC/CMC/CLD/STD, SAHF with a random AH
        switch (r(4)) {
          case 0: b.push_back(static_cast<uint8_t>(0xF8 + r(2))); break;
          case 1: b.push_back(0xF5); break;
          case 2: b.push_back(static_cast<uint8_t>(0xFC + r(2))); break;
          default:
            b.push_back(0xB4);
            b.push_back(static_cast<uint8_t>(rng()));
            insns.push_back(b);
            b = {0x9E};
            break;
        }
        break;
      case 17:  // shifts, XCHG, MUL (handler calls between native code), SETcc, CMOVcc, PUSH/POP
        switch (r(6)) {
          case 5: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0x40 + r(16))); modrm(b, r(8)); break;  // CMOVcc
          case 0: b.push_back(0xD1); modrm(b, 4 + r(2)); break;
          case 1: b.push_back(0x87); modrm(b, r(8)); break;
          case 2: b.push_back(0xF7); b.push_back(static_cast<uint8_t>(0xE0 | r(8))); break;  // MUL r
          case 3: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0x90 + r(16))); modrm(b, 0); break;
          default: b.push_back(static_cast<uint8_t>(0x50 + r(8) + (r(2) ? 8 : 0))); break;
        }
        break;
      case 18: case 19: case 20:  // Jcc forward (placeholder, fixed later)
        if (opsize) b.pop_back();
        b.push_back(static_cast<uint8_t>(0x70 + r(16)));
        b.push_back(0);
        branches.emplace_back(insns.size(), insns.size() + 1 + r(4));
        branch = true;
        break;
      case 21:  // JMP forward, CALL forward (rel16/rel32; the return address is pushed)
        if (opsize) b.pop_back();
        if (r(2)) {
          b.push_back(0xE8);
          for (unsigned i = 0; i < (pm ? 4u : 2u); ++i) b.push_back(0);
          branches.emplace_back(insns.size(), insns.size() + 1 + r(3));
          branch = true;
          break;
        }
        b.push_back(0xEB);
        b.push_back(0);
        branches.emplace_back(insns.size(), insns.size() + 1 + r(3));
        branch = true;
        break;
      case 22: {  // LOOP/LOOPE/LOOPNE backward (bounded by the budget)
        if (opsize) b.pop_back();
        b.push_back(static_cast<uint8_t>(0xE0 + r(3)));
        b.push_back(0);
        size_t back = std::min<size_t>(insns.size(), 1 + r(6));
        branches.emplace_back(insns.size(), insns.size() - back);
        branch = true;
        break;
      }
      case 23: case 24:  // shifts and rotates: imm8 (C0/C1), 1 (D0/D1), CL (D2/D3); /0-/7 (RCL/RCR: handler)
        switch (r(3)) {
          case 0: b.push_back(static_cast<uint8_t>(0xC0 | r(2))); modrm(b, r(8)); b.push_back(static_cast<uint8_t>(r(4) ? r(40) : rng())); break;
          case 1: b.push_back(static_cast<uint8_t>(0xD0 | r(2))); modrm(b, r(8)); break;
          default:
            if (r(2)) {  // a small or random CL first
              b.push_back(0xB1);
              b.push_back(static_cast<uint8_t>(r(2) ? r(40) : rng()));
              insns.push_back(b);
              b = {};
              if (opsize) b.push_back(0x66);
            }
            b.push_back(static_cast<uint8_t>(0xD2 | r(2)));
            modrm(b, r(8));
            break;
        }
        break;
      case 25:  // SHLD/SHRD imm8/CL; IMUL r, r/m (0F AF), r, r/m, imm (69/6B); MUL/IMUL r/m (F6/F7 /4 /5)
        switch (r(4)) {
          case 0: {
            const uint8_t op = static_cast<uint8_t>(0xA4 | (r(2) << 3) | r(2));  // A4/AC imm8, A5/AD CL
            b.push_back(0x0F);
            b.push_back(op);
            modrm(b, r(8));
            if ((op & 1) == 0) b.push_back(static_cast<uint8_t>(r(40)));
            break;
          }
          case 1: b.push_back(0x0F); b.push_back(0xAF); modrm(b, r(8)); break;
          case 2: {
            bool imm8 = r(2);
            b.push_back(imm8 ? 0x6B : 0x69);
            modrm(b, r(8));
            imm(b, imm8 ? 1 : immw);
            break;
          }
          default: b.push_back(static_cast<uint8_t>(0xF6 | r(2))); modrm(b, 4 + r(2)); break;
        }
        break;
      case 26:  // BT/BTS/BTR/BTC r/m, r and r/m, imm8; BSWAP; XCHG; CBW/CWD
        switch (r(5)) {
          case 0:  // register destination and offset (memory bit strings: the interpreter)
            b.push_back(0x0F);
            b.push_back(static_cast<uint8_t>(0xA3 | (r(4) << 3)));
            modrm(b, r(8), r(4) == 0);
            break;
          case 1: b.push_back(0x0F); b.push_back(0xBA); modrm(b, 4 + r(4)); b.push_back(static_cast<uint8_t>(rng())); break;
          case 2: b.push_back(0x0F); b.push_back(static_cast<uint8_t>(0xC8 + r(8))); break;
          case 3:
            if (r(2)) b.push_back(static_cast<uint8_t>(0x91 + r(7)));
            else { b.push_back(static_cast<uint8_t>(0x86 | r(2))); modrm(b, r(8)); }
            break;
          default: b.push_back(static_cast<uint8_t>(0x98 | r(2))); break;
        }
        break;
      default:  // ADC/SBB r, r with a random carry in
        b.push_back(r(2) ? 0xF9 : 0xF8);
        insns.push_back(b);
        b = {};
        if (opsize) b.push_back(0x66);
        b.push_back(static_cast<uint8_t>(r(2) ? 0x11 : 0x19));
        modrm(b, r(8));
        break;
    }
    if (long64 && !branch && r(3) == 0) {
      // REX (W, R, X, B at random) right before the opcode.
      size_t at = 0;
      while (at < b.size() && (b[at] == 0x66 || b[at] == 0xF2 || b[at] == 0xF3)) ++at;
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(0x40 | r(16)));
    }
    insns.push_back(b);
  }

  std::vector<uint8_t> build(unsigned n) {
    while (insns.size() < n) one();
    insns.push_back({0xF4});  // HLT
    std::vector<size_t> at(insns.size() + 8, 0);
    size_t pos = 0;
    for (size_t i = 0; i < insns.size(); ++i) {
      at[i] = pos;
      pos += insns[i].size();
    }
    for (size_t i = insns.size(); i < at.size(); ++i) at[i] = pos - 1;  // past the end: the HLT
    std::vector<uint8_t> code;
    for (size_t i = 0; i < insns.size(); ++i) code.insert(code.end(), insns[i].begin(), insns[i].end());
    for (auto [i, t] : branches) {
      size_t end = at[i] + insns[i].size();
      int64_t rel = static_cast<int64_t>(at[std::min(t, insns.size() - 1)]) - static_cast<int64_t>(end);
      const unsigned width = insns[i][0] == 0xE8 ? (pm ? 4 : 2) : 1;  // CALL rel16/rel32, else rel8
      if (width == 1 && (rel < -128 || rel > 127)) rel = 0;
      for (unsigned k = 0; k < width; ++k)
        code[end - width + k] = static_cast<uint8_t>(static_cast<uint64_t>(rel) >> (8 * k));
    }
    return code;
  }
};

// Returns how many streams did not end in a shutdown (they ran to their
// HLT, a fault handler's HLT or the budget), so a test can tell it
// compared real work.
unsigned randomStreams(Mode mode, uint64_t seed0, unsigned streams) {
  RigPair rigs;
  unsigned lived = 0;
  for (uint64_t seed = seed0; seed < seed0 + streams; ++seed) {
    std::mt19937_64 rng(seed);
    StreamGen gen{rng, mode != Mode::Real16, mode == Mode::Long64, {}, {}};
    std::vector<uint8_t> code = gen.build(40 + static_cast<unsigned>(rng() % 80));
    uint64_t regs[8];
    for (auto& v : regs) v = edgeValue(rng);
    if (mode != Mode::Real16) {
      // Index registers mostly inside the 64 KiB data segment.
      for (unsigned i : {RBX, RBP, RSI, RDI}) if (rng() % 4) regs[i] &= 0xFFFF;
    }
    regs[RSP] = 0x8000 + (rng() % 0x100) * 2;
    if (mode == Mode::Long64) {
      // 64-bit mode ignores the DS/ES/SS bases: point into the data area.
      for (unsigned i : {RBX, RBP, RSI, RDI, RSP}) if (regs[i] <= 0xFFFF) regs[i] += DiffRig::kData;
    }
    regs[RCX] &= rng() % 4 ? 0xFF : 0x3FFF;  // LOOP counts stay small; REP counts sometimes span pages
    if (runAndCompare(rigs, mode, code, regs, rng(), 3000, "seed " + std::to_string(seed)) != Cpu::Exit::Shutdown)
      ++lived;
  }
  return lived;
}

// ---------------------------------------------------------------- flags

// `op` on (a, b) with carry in, as `op eAX/AX/AL, eBX/BX/BL` - the
// interpreter and the JIT must produce the same result and flags.
void flagCase(RigPair& rigs, Mode mode, std::vector<uint8_t> insn, uint64_t a, uint64_t b, bool carry, const char* name) {
  std::vector<uint8_t> code = {static_cast<uint8_t>(carry ? 0xF9 : 0xF8)};
  code.insert(code.end(), insn.begin(), insn.end());
  code.push_back(0xF4);
  uint64_t regs[8] = {a, 0, 0, b, 0x8000, 0, 0, 0};
  runAndCompare(rigs, mode, code, regs, carry ? flag::CF : 0, 100,
                std::string(name) + " a=" + std::to_string(a) + " b=" + std::to_string(b) + " cf=" +
                    std::to_string(carry));
}

}  // namespace

TEST_CASE("jit differential: random ALU/MOV/string/branch streams in real mode") {
  CHECK(randomStreams(Mode::Real16, 1000, 150) > 140);
}

TEST_CASE("jit differential: random streams in 32-bit protected mode") {
  CHECK(randomStreams(Mode::Prot32, 5000, 150) > 120);
}

TEST_CASE("jit differential: random streams in 32-bit protected mode with paging") {
  CHECK(randomStreams(Mode::Prot32Paging, 9000, 60) > 50);
}

TEST_CASE("jit differential: random streams in 64-bit mode (REX, RIP-relative operands)") {
  // The rig really is in 64-bit mode and runs natively: mov rax, imm64 ;
  // add rax, rbx ; mov [rip+0x100], rax ; hlt
  std::vector<uint8_t> code = {0x48, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x80, 0x48, 0x01, 0xD8,
                               0x48, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00, 0xF4};
  DiffRig jit(true, Mode::Long64, code);
  jit.cpu.state.gpr[RBX] = 0xFFFFFFFF00000001ull;
  CHECK(jit.cpu.mode() == CpuMode::Long64);
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.gpr[RAX] == 0x8000000000000001ull);
  // 64-bit mode ignores the DS base (SDM Vol. 3A, 3.2.4): RIP + 0x100.
  uint64_t stored = 0;
  std::memcpy(&stored, jit.mem.ramHost() + DiffRig::kCode + 20 + 0x100, 8);
  CHECK(stored == 0x8000000000000001ull);
  CHECK(jit.cpu.stats().retired == 4);
  // Faults are delivered through the rig's 64-bit IDT to a HLT.
  CHECK(randomStreams(Mode::Long64, 13000, 120) > 40);
}

TEST_CASE("jit flags: every ALU emitter at the edge values, carry in and out, all sizes") {
  const uint64_t kValues[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                              0x0F, 0x10, 0x8F};
  struct Op {
    const char* name;
    uint8_t base;  // 00-38: op r/m, r
  } ops[] = {{"add", 0x00}, {"or", 0x08}, {"adc", 0x10}, {"sbb", 0x18},
             {"and", 0x20}, {"sub", 0x28}, {"xor", 0x30}, {"cmp", 0x38}};
  RigPair rigs;
  for (Mode mode : {Mode::Real16, Mode::Prot32, Mode::Long64}) {
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true}) {
          for (const Op& op : ops) {
            flagCase(rigs, mode, {op.base, 0xD8}, a, b, carry, op.name);                            // op al, bl
            flagCase(rigs, mode, {static_cast<uint8_t>(op.base + 1), 0xD8}, a, b, carry, op.name);  // op (e)ax, (e)bx
            flagCase(rigs, mode, {0x66, static_cast<uint8_t>(op.base + 1), 0xD8}, a, b, carry, op.name);
          }
          flagCase(rigs, mode, {0x84, 0xD8}, a, b, carry, "test8");
          flagCase(rigs, mode, {0x85, 0xD8}, a, b, carry, "test");
        }
    for (uint64_t a : kValues)
      for (bool carry : {false, true}) {
        flagCase(rigs, mode, {0xFE, 0xC0}, a, 0, carry, "inc al");
        flagCase(rigs, mode, {0xFE, 0xC8}, a, 0, carry, "dec al");
        flagCase(rigs, mode, {0x40}, a, 0, carry, "inc eax");
        flagCase(rigs, mode, {0x48}, a, 0, carry, "dec eax");
        flagCase(rigs, mode, {0x66, 0x40}, a, 0, carry, "inc ax (66)");
        flagCase(rigs, mode, {0xF7, 0xD8}, a, 0, carry, "neg");
        flagCase(rigs, mode, {0xF6, 0xD8}, a, 0, carry, "neg al");
        flagCase(rigs, mode, {0xF7, 0xD0}, a, 0, carry, "not");
        flagCase(rigs, mode, {0xFE, 0xC4}, a, 0, carry, "inc ah");
        flagCase(rigs, mode, {0x80, 0xFC, 0x80}, a, 0, carry, "cmp ah, 0x80");
        flagCase(rigs, mode, {0x83, 0xC0, 0xFF}, a, 0, carry, "add eax, -1");
        flagCase(rigs, mode, {0x83, 0xD0, 0x7F}, a, 0, carry, "adc eax, 0x7f");
        flagCase(rigs, mode, {0x83, 0xD8, 0x80}, a, 0, carry, "sbb eax, -0x80");
      }
  }
}

TEST_CASE("jit flags: every Jcc condition over every combination of its flags") {
  // SAHF: AH -> SF ZF AF PF CF; OF comes from an ADD that overflows or not.
  RigPair rigs;
  for (unsigned cc = 0; cc < 16; ++cc)
    for (unsigned f = 0; f < 64; ++f) {
      uint8_t ah = static_cast<uint8_t>(((f & 1) ? 0x01 : 0) | ((f & 2) ? 0x04 : 0) | ((f & 4) ? 0x40 : 0) |
                                        ((f & 8) ? 0x80 : 0) | 0x02);
      bool of = f & 16;
      std::vector<uint8_t> code = {
          0xB2, static_cast<uint8_t>(of ? 0x7F : 0x00),  // mov dl, 0x7f/0
          0x80, 0xC2, 0x01,                             // add dl, 1 (OF per case)
          0xB4, ah, 0x9E,                               // mov ah, flags ; sahf
          static_cast<uint8_t>(0x70 + cc), 0x02,        // jcc +2
          0xB1, 0x01,                                   // mov cl, 1 (not taken)
          0xF4};
      uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
      runAndCompare(rigs, Mode::Real16, code, regs, 0, 100, "jcc " + std::to_string(cc) + " flags " + std::to_string(f));
    }
}

TEST_CASE("jit flags: flags skipped across register moves are exact wherever they are observed") {
  // The translator skips an instruction's flags when the next one that is
  // not a register-only move (MOV r, r/imm; MOVZX/MOVSX r, r; LEA)
  // overwrites them all natively. A memory access that faults (the page
  // at 0x2F000, offset 0xF010, is not present: the #PF frame holds EFLAGS),
  // a flag reader (ADC, Jcc) or the block end must see them exact.
  const std::vector<std::vector<uint8_t>> kCode = {
      // add eax, ebx ; mov ecx, edx ; lea esi, [eax+ebx*2+4] ; movzx edi, cl ; sub eax, 1
      {0x01, 0xD8, 0x89, 0xD1, 0x8D, 0x74, 0x58, 0x04, 0x0F, 0xB6, 0xF9, 0x83, 0xE8, 0x01},
      // add eax, ebx ; mov ecx, edx ; mov edx, [0xF010] (#PF) ; sub eax, 1
      {0x01, 0xD8, 0x89, 0xD1, 0x8B, 0x15, 0x10, 0xF0, 0x00, 0x00, 0x83, 0xE8, 0x01},
      // add eax, ebx ; mov ecx, 5 ; adc eax, 0
      {0x01, 0xD8, 0xB9, 0x05, 0x00, 0x00, 0x00, 0x83, 0xD0, 0x00},
      // sub eax, ebx ; lea esi, [eax+1] ; jz +1 ; inc ecx ; xor edx, edx
      {0x29, 0xD8, 0x8D, 0x70, 0x01, 0x74, 0x01, 0x41, 0x31, 0xD2},
      // and eax, ebx ; mov esi, eax ; shl eax, 3
      {0x21, 0xD8, 0x89, 0xC6, 0xC1, 0xE0, 0x03},
      // xor eax, ebx ; mov esi, eax (the block's end: flags live)
      {0x31, 0xD8, 0x89, 0xC6}};
  const uint64_t kValues[] = {0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xF010};
  RigPair rigs;
  for (size_t c = 0; c < kCode.size(); ++c)
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true})
          flagCase(rigs, Mode::Prot32Paging, kCode[c], a, b, carry, ("sequence " + std::to_string(c)).c_str());
}

TEST_CASE("jit flat segments: blocks that skip DS/ES/SS checks fault at 4 GiB and end at segment loads") {
  // With DS, ES and SS flat (selector 0x18) blocks skip the segment checks;
  // an access whose last byte passes 4 GiB must still fault (#GP/#SS), and
  // loading a non-flat DS (0x10, base 0x20000) in a flat block must apply
  // to the very next access.
  std::vector<uint8_t> code = {
      0xB8, 0x18, 0x00, 0x00, 0x00,        // mov eax, 0x18
      0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0,  // mov ds, eax ; mov es, eax ; mov ss, eax
      0x90,                                // nop (the MOV SS shadow)
      0xBC, 0x00, 0x80, 0x02, 0x00,        // mov esp, 0x28000
      0x53,                                // push ebx
      0x89, 0x0D, 0x00, 0x10, 0x02, 0x00,  // mov [0x21000], ecx
      0x03, 0x15, 0x00, 0x10, 0x02, 0x00,  // add edx, [0x21000]
      0x5E,                                // pop esi
      0x8B, 0x7D, 0x00,                    // mov edi, [ebp] (SS)
      0x89, 0xD7,                          // mov edi, edx
      0x8B, 0x03,                          // mov eax, [ebx] (DS)
      0xB8, 0x10, 0x00, 0x00, 0x00,        // mov eax, 0x10
      0x8E, 0xD8,                          // mov ds, eax (not flat: the block ends)
      0x89, 0x15, 0x00, 0x01, 0x00, 0x00,  // mov [0x100], edx (-> 0x20100)
      0xF4};                               // hlt
  const uint64_t kAddrs[] = {0x22000, 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFF, 0x2F000};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Prot32Paging})
    for (uint64_t ebp : kAddrs)
      for (uint64_t ebx : kAddrs) {
        uint64_t regs[8] = {0, 0x1234, 0x5678, ebx, 0x8000, ebp, 0, 0};
        runAndCompare(rigs, mode, code, regs, 0, 200,
                      "ebp " + std::to_string(ebp) + " ebx " + std::to_string(ebx));
      }
  uint64_t regs[8] = {0, 0x1234, 0x5678, 0x22000, 0x8000, 0x22000, 0, 0};
  CHECK(runAndCompare(rigs, Mode::Prot32, code, regs, 0, 200, "no fault") == Cpu::Exit::Halted);
  CHECK(rigs.jit.cpu.stats().exceptions == rigs.ref.cpu.stats().exceptions);
  uint32_t stored = 0;
  std::memcpy(&stored, rigs.jit.mem.ramHost() + 0x20100, 4);
  CHECK(stored == 0x5678 + 0x1234);
}

TEST_CASE("jit faults: a native access beyond the segment limit faults precisely") {
  // Real mode: inc bx ; mov ax, [0xFFFF] (#GP: the word crosses the limit) ; inc bx ; hlt
  std::vector<uint8_t> code = {0x43, 0x8B, 0x06, 0xFF, 0xFF, 0x43, 0xF4};
  uint64_t regs[8] = {0x1111, 0x2222, 0x3333, 0x4444, 0x8000, 0, 0, 0};
  RigPair rigs;
  runAndCompare(rigs, Mode::Real16, code, regs, 0, 100, "real mode limit");
  // The same through SS (BP-based address: #SS in protected mode) and as a
  // read-modify-write destination, in 32-bit protected mode with a data
  // limit of 0xFFF.
  std::vector<uint8_t> pm = {0x43,                          // inc ebx
                             0x01, 0x45, 0x10,              // add [ebp+0x10], eax (beyond the limit: #SS)
                             0x43, 0xF4};
  uint64_t pregs[8] = {5, 0, 0, 0, 0xF00, 0xFF8, 0, 0};  // the fault frame fits below the limit
  runAndCompare(rigs, Mode::Prot32, pm, pregs, 0, 100, "ss limit", 0xFFF);
  std::vector<uint8_t> pm2 = {0x43, 0x89, 0x1D, 0xFE, 0x0F, 0x00, 0x00, 0x43, 0xF4};  // mov [0xFFE], ebx
  runAndCompare(rigs, Mode::Prot32, pm2, pregs, 0, 100, "ds limit", 0xFFF);
  // Whatever the interpreter does, the JIT does; and the interpreter does fault here.
  DiffRig ref(false, Mode::Prot32, pm2, 0xFFF);
  for (unsigned i = 0; i < 8; ++i) ref.cpu.state.gpr[i] = pregs[i];
  ref.cpu.run(100);
  CHECK(ref.cpu.stats().exceptions == 1);
}

TEST_CASE("jit faults: a native access to a page that is not present raises #PF precisely") {
  // Data page 0x2F000 (offset 0xF000 in the data segment) is not present.
  // inc ebx ; add ecx, 3 ; mov [0xF010], eax ; inc ebx ; hlt
  std::vector<uint8_t> code = {0x43, 0x83, 0xC1, 0x03, 0xA3, 0x10, 0xF0, 0x00, 0x00, 0x43, 0xF4};
  uint64_t regs[8] = {0xAAAA, 7, 0, 0, 0x8000, 0, 0, 0};
  RigPair rigs;
  runAndCompare(rigs, Mode::Prot32Paging, code, regs, 0, 100, "#PF write");
  // A read-modify-write and a load, with native instructions before them in the block.
  std::vector<uint8_t> rmw = {0x43, 0x41, 0x01, 0x05, 0x20, 0xF0, 0x00, 0x00, 0x43, 0xF4};  // add [0xF020], eax
  runAndCompare(rigs, Mode::Prot32Paging, rmw, regs, 0, 100, "#PF rmw");
  std::vector<uint8_t> load = {0x43, 0x8B, 0x0D, 0x00, 0xF8, 0x00, 0x00, 0x43, 0xF4};  // mov ecx, [0xF800]
  runAndCompare(rigs, Mode::Prot32Paging, load, regs, 0, 100, "#PF read");
  DiffRig jit(true, Mode::Prot32Paging, code);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.stats().exceptions == 1);
  CHECK(jit.cpu.state.cr2 == 0x2F010);
  CHECK(jit.cpu.state.gpr[RBX] == 1);  // the INC after the fault never ran
  CHECK(jit.cpu.state.gpr[RCX] == 10);  // the ADD before it did
  // The #PF frame (EIP, CS, EFLAGS, error code) is on the stack: EIP is the MOV's.
  uint32_t frame[4];
  std::memcpy(frame, jit.mem.ramHost() + DiffRig::kData + (jit.cpu.state.gpr[RSP] & 0xFFFF), sizeof frame);
  CHECK(frame[0] == 2);                    // error code: write, not present, supervisor
  CHECK(frame[1] == DiffRig::kCode + 4);   // EIP of the MOV
}

TEST_CASE("jit chaining: budgets stay exact at every point of chained loops") {
  // mov cx, 40 ; l1: add ax, cx ; inc bx ; loop l1 ; mov cx, 30 ; l2: add dx, [bx] ; dec cx ; jnz l2 ; hlt
  std::vector<uint8_t> code = {0xB9, 0x28, 0x00, 0x01, 0xC8, 0x43, 0xE2, 0xFB, 0xB9, 0x1E,
                               0x00, 0x03, 0x17, 0x49, 0x75, 0xFB, 0xF4};
  uint64_t regs[8] = {0, 0, 0, 0x100, 0x8000, 0, 0, 0};
  RigPair rigs;
  for (uint64_t budget = 1; budget < 260; ++budget)
    runAndCompare(rigs, Mode::Real16, code, regs, 0, budget, "budget " + std::to_string(budget));
  DiffRig jit(true, Mode::Real16, code);
  jit.cpu.run(1000);
  CHECK(jit.jit->stats().links >= 2);
  CHECK(jit.jit->stats().blocks_run < 20);  // the loops ran chained, not one return per iteration
}

TEST_CASE("jit strings: REP STOS/MOVS chunks, page crossings, overlap, direction and faults") {
  RigPair rigs;
  // cld/std ; rep stosb|stosw|movsb|movsd ; hlt - counts beyond one chunk
  // (4096 iterations) and across pages, DI/SI near the segment end (16-bit
  // wrap goes to the interpreter), overlapping MOVS.
  const uint8_t kOps[] = {0xAA, 0xAB, 0xA4, 0xA5};
  const uint64_t kCounts[] = {0, 1, 7, 4095, 4096, 4097, 9000};
  const uint64_t kDi[] = {0x0, 0x1000, 0x0FFF, 0x8001, 0xF000};
  for (Mode mode : {Mode::Real16, Mode::Prot32Paging})
    for (uint8_t op : kOps)
      for (uint64_t count : kCounts)
        for (uint64_t di : kDi)
          for (bool down : {false, true}) {
            std::vector<uint8_t> code = {static_cast<uint8_t>(down ? 0xFD : 0xFC), 0xF3, op, 0xF4};
            uint64_t regs[8] = {0x12345678, count, 0, 0, 0x8000, 0, di + 1, di};  // SI = DI + 1: overlap
            const std::string what = "op " + std::to_string(op) + " count " + std::to_string(count) + " di " +
                                     std::to_string(di) + (down ? " std" : " cld");
            runAndCompare(rigs, mode, code, regs, 0, 100, what);
            // Budgets cut between chunks.
            runAndCompare(rigs, mode, code, regs, 0, 2, what + " budget 2");
          }
  // A store into the translated block itself, through the native REP.
  std::vector<uint8_t> smc = {0xFC, 0xF3, 0xAA, 0x90, 0x90, 0x90, 0xF4};
  uint64_t regs[8] = {0xF4, 2, 0, 0, 0x8000, 0, 0, 3};  // AL = HLT over the NOPs at CS:3
  DiffRig ref(false, Mode::Real16, smc);
  DiffRig jit(true, Mode::Real16, smc);
  for (DiffRig* r : {&ref, &jit}) {
    for (unsigned i = 0; i < 8; ++i) r->cpu.state.gpr[i] = regs[i];
    r->cpu.state.seg[ES] = r->cpu.state.seg[CS];  // ES = CS: the stores hit the code
    CHECK(r->cpu.run(100) == Cpu::Exit::Halted);
  }
  CHECK(jit.cpu.state.rip == ref.cpu.state.rip);
  CHECK(jit.cpu.stats().retired == ref.cpu.stats().retired);
  CHECK(ref.cpu.state.rip == 4);  // halted at the first patched byte
}

TEST_CASE("jit strings: REP chunks spanning pages run natively piece by piece, and fall back whole") {
  // A chunk of 4096 elements spans several pages on each side. Aligned
  // starts run natively a page piece at a time; unaligned starts whose
  // elements straddle pages, not-present pages inside the chunk (#PF at
  // the exact element: 0x2F000 with paging), overlap in both directions
  // and offsets that would wrap go to the interpreter or agree with it.
  // With paging, offsets from 0x10000 lie in pages swapped in pairs.
  RigPair rigs;
  struct Op {
    std::vector<uint8_t> bytes;
    bool long_only;
  };
  const Op kOps[] = {{{0xA4}, false}, {{0xA5}, false}, {{0x66, 0xA5}, false}, {{0xAB}, false},
                     {{0x66, 0xAA}, false}, {{0x48, 0xA5}, true}, {{0x48, 0xAB}, true}};
  const uint64_t kCounts[] = {4096, 6000};
  const std::pair<uint64_t, uint64_t> kDiSi[] = {{0x1000, 0x8000}, {0x1004, 0x5FF8}, {0x3001, 0x6000},
                                                 {0xC000, 0x1000}, {0x2000, 0xE000}, {0x2004, 0x2000},
                                                 {0x2000, 0x2004}, {0x7FFC, 0x3FFC}, {0x11000, 0x15FFC},
                                                 {0x14000, 0x10804}};
  for (Mode mode : {Mode::Real16, Mode::Prot32Paging, Mode::Long64})
    for (const Op& op : kOps) {
      if (op.long_only && mode != Mode::Long64) continue;
      for (uint64_t count : kCounts)
        for (auto [di, si] : kDiSi)
          for (bool down : {false, true}) {
            // cld/std ; push rsi ; push rdi ; push rcx ; rep op ; pop rcx ;
            // pop rdi ; pop rsi ; rep op ; hlt - the second REP finds the
            // TLB filled by the first (the interpreter's, after a miss).
            std::vector<uint8_t> code = {static_cast<uint8_t>(down ? 0xFD : 0xFC), 0x56, 0x57, 0x51, 0xF3};
            code.insert(code.end(), op.bytes.begin(), op.bytes.end());
            code.insert(code.end(), {0x59, 0x5F, 0x5E, 0xF3});
            code.insert(code.end(), op.bytes.begin(), op.bytes.end());
            code.push_back(0xF4);
            // 64-bit mode ignores the data segment's base: absolute offsets.
            const uint64_t base = mode == Mode::Long64 ? DiffRig::kData : 0;
            const uint64_t sp = base + (mode == Mode::Real16 ? 0xFFF0 : 0x1FFF0);
            uint64_t regs[8] = {0x89ABCDEF, count, 0, 0, sp, 0, base + si, base + di};
            std::string what = "op";
            for (uint8_t b : op.bytes) what += " " + std::to_string(b);
            what += " count " + std::to_string(count) + " di " + std::to_string(di) + " si " + std::to_string(si) +
                    (down ? " std" : " cld");
            for (uint64_t budget : {100, 2, 7})
              runAndCompare(rigs, mode, code, regs, 0, budget, what + " budget " + std::to_string(budget), 0x1FFFF);
          }
    }
  // Once the TLB holds the pages, whole chunks run natively: the
  // interpreter would look the TLB up for every element. The same 16 KiB
  // copy twice: the first fills the TLB through the interpreter.
  //   l: mov esi, 0x10000 ; xor edi, edi ; mov ecx, 4096 ; rep movsd ; dec ebx ; jnz l ; hlt
  std::vector<uint8_t> code = {0xBE, 0x00, 0x00, 0x01, 0x00, 0x31, 0xFF, 0xB9, 0x00, 0x10, 0x00, 0x00,
                               0xF3, 0xA5, 0x4B, 0x75, 0xEF, 0xF4};
  uint64_t regs[8] = {0, 0, 0, 2, 0x8000, 0, 0, 0};  // clear of the page at 0x2F000
  DiffRig jit(true, Mode::Prot32Paging, code, 0x1FFFF);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  const uint64_t before = jit.cpu.tlb().stats().lookups;
  CHECK(jit.cpu.run(100) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.gpr[RBX] == 0);
  CHECK(jit.cpu.state.rip == DiffRig::kCode + code.size());
  CHECK(jit.cpu.tlb().stats().lookups - before < 2 * 4096 + 100);  // the first chunk only
}

TEST_CASE("jit strings: two repeating REPs in one block each repeat at their own RIP") {
  // A block has one repeat exit. The first REP repeats twice, so the block
  // starting at it links its repeat exit to itself; the second REP of that
  // block must not leave through that link (it would resume at the first
  // REP with the second one's registers: Linux's numa_init, amd64).
  RigPair rigs;
  // rep stosb ; mov cx, 5000 ; rep stosb ; mov cx, 3 ; hlt
  std::vector<uint8_t> code16 = {0xF3, 0xAA, 0xB9, 0x88, 0x13, 0xF3, 0xAA, 0xB9, 0x03, 0x00, 0xF4};
  uint64_t regs16[8] = {0x5A, 10000, 0, 0, 0x8000, 0, 0, 0x10};
  for (uint64_t budget : {3, 5, 8, 100}) {
    runAndCompare(rigs, Mode::Real16, code16, regs16, 0, budget, "real mode, budget " + std::to_string(budget));
  }
  // The same in 64-bit mode with REP STOSD: rep stosd ; mov ecx, 5000 ; rep stosd ; mov ecx, 3 ; hlt
  std::vector<uint8_t> code64 = {0xF3, 0xAB, 0xB9, 0x88, 0x13, 0x00, 0x00, 0xF3, 0xAB, 0xB9, 0x03, 0x00, 0x00, 0x00, 0xF4};
  uint64_t regs64[8] = {0xA5A5A5A5, 10000, 0, 0, 0x8000, 0, 0, DiffRig::kData};
  for (uint64_t budget : {3, 5, 8, 100}) {
    CHECK(runAndCompare(rigs, Mode::Long64, code64, regs64, 0, budget, "64-bit, budget " + std::to_string(budget)) ==
          (budget == 100 ? Cpu::Exit::Halted : Cpu::Exit::Budget));
  }
  CHECK(rigs.jit.cpu.state.gpr[RCX] == 3);
  CHECK(rigs.jit.cpu.state.gpr[RDI] == DiffRig::kData + 4 * 15000);
}

TEST_CASE("jit chaining: a fault in a chained block, and code patched under a chained loop") {
  RigPair rigs;
  // 32-bit, paging: a loop strides through the data segment a page at a
  // time (chained to itself) until it stores into the page that is not
  // present (0x2F000): #PF with the state of that iteration.
  //   l: mov [ebx], eax ; add ebx, 0x1000 ; inc ecx ; jmp l
  std::vector<uint8_t> stride = {0x89, 0x03, 0x81, 0xC3, 0x00, 0x10, 0x00, 0x00, 0x41, 0xEB, 0xF5};
  uint64_t regs[8] = {0x55, 0, 0, 0x10, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Prot32Paging, stride, regs, 0, 1000, "stride into a not-present page");
  DiffRig jit(true, Mode::Prot32Paging, stride);
  for (unsigned i = 0; i < 8; ++i) jit.cpu.state.gpr[i] = regs[i];
  CHECK(jit.cpu.run(1000) == Cpu::Exit::Halted);
  CHECK(jit.cpu.state.cr2 == 0x2F010);
  CHECK(jit.cpu.state.gpr[RCX] == 15);  // iterations that completed
  CHECK(jit.jit->stats().links >= 1);

  // Real mode: block A (inc ax ; jmp m) chains to block B (add bx, 1 ;
  // patch B's immediate ; loop l) - B's store drops both (same page), and
  // the next iteration must run the patched code.
  //   0: mov cx, 5 ; 3: inc ax ; 4: jmp 6 ; 6: add bx, 1 ; 9: mov byte [cs:8], 2 ; 15: loop 3 ; 17: hlt
  std::vector<uint8_t> patch = {0xB9, 0x05, 0x00, 0x40, 0xEB, 0x00, 0x83, 0xC3, 0x01,
                                0x2E, 0xC6, 0x06, 0x08, 0x00, 0x02, 0xE2, 0xF2, 0xF4};
  uint64_t r2[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Real16, patch, r2, 0, 1000, "patched under a chain");
  CHECK(rigs.jit.cpu.state.gpr[RBX] == 1 + 2 * 4);
}

TEST_CASE("jit SETcc/CMOVcc: every condition, 32-bit CMOV clears the upper half whether it moves or not") {
  RigPair rigs;
  for (unsigned cc = 0; cc < 16; ++cc)
    for (unsigned f = 0; f < 32; ++f) {
      uint8_t ah = static_cast<uint8_t>(((f & 1) ? 0x01 : 0) | ((f & 2) ? 0x04 : 0) | ((f & 4) ? 0x40 : 0) |
                                        ((f & 8) ? 0x80 : 0) | 0x02);
      bool of = f & 16;
      // mov rdx, -1 ; mov rsi, -1 ; mov dl, 0x7f/0 ; add dl, 1 (OF) ; mov ah, flags ; sahf ;
      // cmovcc edx, ebx ; cmovcc si, bx (66) ; setcc cl ; setcc [0x100] ; hlt
      std::vector<uint8_t> code = {0x48, 0xC7, 0xC2, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0x48, 0xC7, 0xC6, 0xFF, 0xFF, 0xFF, 0xFF,
                                   0xB2, static_cast<uint8_t>(of ? 0x7F : 0x00), 0x80, 0xC2, 0x01,
                                   0xB4, ah, 0x9E,
                                   0x0F, static_cast<uint8_t>(0x40 + cc), 0xD3,
                                   0x66, 0x0F, static_cast<uint8_t>(0x40 + cc), 0xF3,
                                   0x0F, static_cast<uint8_t>(0x90 + cc), 0xC1,
                                   0x0F, static_cast<uint8_t>(0x90 + cc), 0x04, 0x25, 0x00, 0x01, 0x00, 0x00,
                                   0xF4};
      uint64_t regs[8] = {0, 0, 0, 0x12345678, 0x8000, 0, 0, 0};
      runAndCompare(rigs, Mode::Long64, code, regs, 0, 100, "cc " + std::to_string(cc) + " flags " + std::to_string(f));
      CHECK(rigs.ref.cpu.state.halted == 1);
      CHECK((rigs.jit.cpu.state.gpr[RDX] >> 32) == 0);
    }
}

TEST_CASE("jit flags: shifts, rotates, SHLD/SHRD at edge values and counts (0, the width, beyond), all sizes") {
  const uint64_t kValues[] = {0, 1, 0x7F, 0x80, 0xC1, 0x7FFF, 0x8000, 0x8001, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                              0x4000C001};
  const uint8_t kCounts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 0xFF};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Real16, Mode::Long64}) {
    const uint8_t rexw = mode == Mode::Long64 ? 0x48 : 0x66;  // the other width: 64-bit or 16-bit
    for (uint64_t a : kValues)
      for (uint8_t c : kCounts)
        for (unsigned ext = 0; ext < 8; ++ext) {
          if (ext == 2 || ext == 3) continue;  // RCL/RCR: the interpreter
          const uint8_t rm = static_cast<uint8_t>(0xC0 | (ext << 3));  // eAX
          const bool carry = (a + c) & 1;
          const std::string name = "shift /" + std::to_string(ext) + " count " + std::to_string(c);
          flagCase(rigs, mode, {0xB1, c, 0xD2, rm}, a, 0, carry, (name + " al, cl").c_str());
          flagCase(rigs, mode, {0xB1, c, 0xD3, rm}, a, 0, carry, (name + " eax, cl").c_str());
          flagCase(rigs, mode, {0xB1, c, rexw, 0xD3, rm}, a, 0, carry, (name + " (e/r)ax, cl (66/REX.W)").c_str());
          flagCase(rigs, mode, {0xC1, rm, c}, a, 0, carry, (name + " eax, imm8").c_str());
          flagCase(rigs, mode, {0xC0, static_cast<uint8_t>(rm | 4), c}, a, 0, carry, (name + " ah, imm8").c_str());
          flagCase(rigs, mode, {rexw, 0xC1, rm, c}, a, 0, carry, (name + " (e/r)ax, imm8 (66/REX.W)").c_str());
          flagCase(rigs, mode, {0xD1, rm}, a, 0, carry, (name + " eax, 1").c_str());
          flagCase(rigs, mode, {0xD0, rm}, a, 0, carry, (name + " al, 1").c_str());
        }
    for (uint64_t a : kValues)
      for (uint64_t b : {0ull, 0x80000001ull, 0xFFFFFFFFull, 0x12345678ull})
        for (uint8_t c : kCounts) {
          const bool carry = c & 1;
          flagCase(rigs, mode, {0x0F, 0xA4, 0xD8, c}, a, b, carry, ("shld eax, ebx, " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0x0F, 0xAC, 0xD8, c}, a, b, carry, ("shrd eax, ebx, " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0xB1, c, 0x0F, 0xA5, 0xD8}, a, b, carry, ("shld eax, ebx, cl " + std::to_string(c)).c_str());
          flagCase(rigs, mode, {0xB1, c, rexw, 0x0F, 0xAD, 0xD8}, a, b, carry,
                   ("shrd (r/e)ax, (r/e)bx, cl (66/REX.W) " + std::to_string(c)).c_str());
        }
  }
}

TEST_CASE("jit flags: MUL/IMUL in every form, BT/BTS/BTR/BTC, XCHG, BSWAP, CBW/CWD at edge values, all sizes") {
  const uint64_t kValues[] = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
                              0xFFFFFFFF, 0x12345678};
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Real16, Mode::Long64}) {
    const uint8_t rexw = mode == Mode::Long64 ? 0x48 : 0x66;
    for (uint64_t a : kValues)
      for (uint64_t b : kValues)
        for (bool carry : {false, true}) {
          flagCase(rigs, mode, {0xF6, 0xE3}, a, b, carry, "mul bl");
          flagCase(rigs, mode, {0xF7, 0xE3}, a, b, carry, "mul ebx");
          flagCase(rigs, mode, {rexw, 0xF7, 0xE3}, a, b, carry, "mul (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0xF6, 0xEB}, a, b, carry, "imul bl");
          flagCase(rigs, mode, {0xF6, 0xEF}, a, b, carry, "imul bh");
          flagCase(rigs, mode, {0xF7, 0xEB}, a, b, carry, "imul ebx");
          flagCase(rigs, mode, {rexw, 0xF7, 0xEB}, a, b, carry, "imul (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x0F, 0xAF, 0xC3}, a, b, carry, "imul eax, ebx");
          flagCase(rigs, mode, {rexw, 0x0F, 0xAF, 0xC3}, a, b, carry, "imul (r/e)ax, (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x6B, 0xC3, static_cast<uint8_t>(a)}, a, b, carry, "imul eax, ebx, imm8");
          flagCase(rigs, mode, {0x69, 0xC3, 0x01, 0x80, 0x00, 0x80}, a, b, carry, "imul eax, ebx, imm");
          flagCase(rigs, mode, {0x0F, 0xA3, 0xD8}, a, b, carry, "bt eax, ebx");
          flagCase(rigs, mode, {0x0F, 0xAB, 0xD8}, a, b, carry, "bts eax, ebx");
          flagCase(rigs, mode, {rexw, 0x0F, 0xB3, 0xD8}, a, b, carry, "btr (r/e)ax, (r/e)bx (66/REX.W)");
          flagCase(rigs, mode, {0x0F, 0xBB, 0xD8}, a, b, carry, "btc eax, ebx");
          flagCase(rigs, mode, {0x0F, 0xBA, 0xF8, static_cast<uint8_t>(b)}, a, b, carry, "btc eax, imm8");
          flagCase(rigs, mode, {0x0F, 0xBA, 0x2E, 0x10, 0x00, static_cast<uint8_t>(b)}, a, b, carry,
                   "bts word/dword [0x10], imm8");
          flagCase(rigs, mode, {0x87, 0xD8}, a, b, carry, "xchg eax, ebx");
          flagCase(rigs, mode, {0x86, 0xDC}, a, b, carry, "xchg ah, bl");
          flagCase(rigs, mode, {0x87, 0x1E, 0x20, 0x00}, a, b, carry, "xchg [0x20], ebx");
        }
    for (uint64_t a : kValues) {
      flagCase(rigs, mode, {0x0F, 0xC8}, a, 0, false, "bswap eax");
      flagCase(rigs, mode, {0x98}, a, 0, false, "cbw/cwde");
      flagCase(rigs, mode, {rexw, 0x98}, a, 0, false, "cwde/cbw/cdqe");
      flagCase(rigs, mode, {0x99}, a, 0, false, "cwd/cdq");
      flagCase(rigs, mode, {rexw, 0x99}, a, 0, false, "cdq/cwd/cqo");
      if (mode == Mode::Long64) flagCase(rigs, mode, {0x48, 0x0F, 0xC8}, a | (a << 40), 0, false, "bswap rax");
    }
  }
}

TEST_CASE("jit dispatch: CALL into another page, RET and CALL r/m stay in translated code, patched callee seen") {
  // main (page 0x10000) calls func (page 0x11000) 50 times, patching func's
  // immediate through a flat ES before each call, then calls it through ESI.
  std::vector<uint8_t> code = {
      0x6A, 0x18,                                // push 0x18
      0x07,                                      // pop es (flat data)
      0xB9, 0x32, 0x00, 0x00, 0x00,              // mov ecx, 50
      0x26, 0x88, 0x0D, 0x02, 0x10, 0x01, 0x00,  // loop: mov es:[0x11002], cl
      0xE8, 0xEC, 0x0F, 0x00, 0x00,              // call 0x11000
      0x49,                                      // dec ecx
      0x75, 0xF1,                                // jnz loop
      0xBE, 0x00, 0x10, 0x01, 0x00,              // mov esi, 0x11000
      0xFF, 0xD6,                                // call esi
      0xF4};                                     // hlt
  code.resize(0x1000, 0x90);
  for (uint8_t b : {0x83, 0xC0, 0x05, 0xC3}) code.push_back(b);  // func: add eax, imm8 ; ret
  RigPair rigs;
  for (Mode mode : {Mode::Prot32, Mode::Prot32Paging}) {
    uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
    CHECK(runAndCompare(rigs, mode, code, regs, 0, 100000, "dispatch") == Cpu::Exit::Halted);
    CHECK(rigs.jit.cpu.state.gpr[RAX] == 50 * 51 / 2 + 1);  // each patched count, then 1 again (the last patch) through ESI
    CHECK(rigs.jit.jit->stats().dispatches > 0);
  }
  // Without SMC, a hot loop through RET dispatches without misses, and
  // without calls once the front cache holds both blocks.
  std::vector<uint8_t> loop = {0xB9, 0xE8, 0x03, 0x00, 0x00,  // mov ecx, 1000
                               0xE8, 0xF6, 0x0F, 0x00, 0x00,  // loop: call 0x11000
                               0x49, 0x75, 0xF8, 0xF4};       // dec ecx ; jnz loop ; hlt
  loop.resize(0x1000, 0x90);
  for (uint8_t b : {0x83, 0xC0, 0x02, 0xC3}) loop.push_back(b);
  uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  const JitStats before = rigs.jit.jit->stats();  // (the Jit outlives resets: count this run's share)
  CHECK(runAndCompare(rigs, Mode::Prot32Paging, loop, regs, 0, 100000, "dispatch loop") == Cpu::Exit::Halted);
  const JitStats& s = rigs.jit.jit->stats();
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 2000);
  CHECK(s.dispatch_links > before.dispatch_links);
  // Every CALL into the other page and every RET back found its block in
  // the front cache inline: the dispatch call is left for the first ones.
  CHECK(s.dispatches - before.dispatches <= 4);
  CHECK(s.dispatch_misses == before.dispatch_misses);
  CHECK(s.blocks_run - before.blocks_run < 20);  // ... without going back to Cpu::run
}

TEST_CASE("jit RET: native near RET and RET imm16 in 16/32/64-bit code, precise #PF on the stack read") {
  RigPair rigs;
  // push junk ; push target ; ret 2/4 (releases the junk) -> target: inc eax ; hlt
  auto program = [](bool wide) {
    std::vector<uint8_t> c = {0x6A, 0x55, 0x68, 0x10, 0x00};
    if (wide) c.insert(c.end(), {0x01, 0x00});  // push 0x10010 (32-bit: flat EIP) / 0x0010
    c.insert(c.end(), {0xC2, static_cast<uint8_t>(wide ? 4 : 2), 0x00});
    c.resize(0x10, 0x90);
    c.insert(c.end(), {0x40, 0xF4});
    return c;
  };
  uint64_t regs[8] = {0, 0, 0, 0, 0x8000, 0, 0, 0};
  runAndCompare(rigs, Mode::Real16, program(false), regs, 0, 100, "ret imm16 (16-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  runAndCompare(rigs, Mode::Prot32, program(true), regs, 0, 100, "ret imm16 (32-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  runAndCompare(rigs, Mode::Prot32Paging, program(true), regs, 0, 100, "ret imm16 (32-bit, paging)");
  // 64-bit: push imm32 sign-extends; RET 8 bytes.
  std::vector<uint8_t> l64 = {0x6A, 0x55, 0x68, 0x10, 0x00, 0x01, 0x00, 0xC2, 0x08, 0x00};
  l64.resize(0x10, 0x90);
  l64.insert(l64.end(), {0xFF, 0xC0, 0xF4});
  runAndCompare(rigs, Mode::Long64, l64, regs, 0, 100, "ret imm16 (64-bit)");
  CHECK(rigs.jit.cpu.state.gpr[RAX] == 1);
  CHECK(rigs.jit.cpu.state.gpr[RSP] == 0x8000);
  // The stack page is not present: RET faults with ESP and EIP unchanged.
  uint64_t fault_regs[8] = {0, 0, 0, 0, 0xF000, 0, 0, 0};
  CHECK(runAndCompare(rigs, Mode::Prot32Paging, {0x90, 0xC3, 0xF4}, fault_regs, 0, 100, "ret #PF") != Cpu::Exit::Budget);
  CHECK(rigs.jit.cpu.state.cr2 == 0x2F000);
}

TEST_CASE("jit chaining: exits whose target alternates between two mode keys, across a page") {
  // With ES and SS flat, DS alternates between the flat selector (0x18)
  // and the one based at kData (0x10), so the mode key's flat-data bit
  // flips. The MOV DS ends its page: its block's fall-through exit goes to
  // the next page, where the load is translated once for each key, and
  // each must run only under its own key (a flat block adds no DS base).
  RigPair rigs;
  std::vector<uint8_t> code = {
      0xB8, 0x18, 0x00, 0x00, 0x00,  // mov eax, 0x18
      0x8E, 0xC0,                    // mov es, ax
      0x8E, 0xD0,                    // mov ss, ax
      0xB9, 0x08, 0x00, 0x00, 0x00,  // mov ecx, 8
      0xBB, 0x18, 0x00, 0x00, 0x00,  // mov ebx, 0x18
      0xBA, 0x10, 0x00, 0x00, 0x00,  // mov edx, 0x10
  };
  const uint32_t jmp_next = static_cast<uint32_t>(code.size() + 5);
  const uint32_t rel = 0xFFE - jmp_next;  // jmp to the page's last two bytes
  code.insert(code.end(), {0xE9, static_cast<uint8_t>(rel), static_cast<uint8_t>(rel >> 8), 0, 0});
  code.resize(0xFFE, 0x90);
  code.insert(code.end(), {
      0x8E, 0xDB,                    // FFE: mov ds, bx
      0xA1, 0x00, 0x01, 0x00, 0x00,  // 1000: mov eax, [0x100]
      0x01, 0xC6,                    // add esi, eax
      0x87, 0xD3,                    // xchg ebx, edx
      0xE2, 0xF3,                    // loop FFE
      0xF4,                          // hlt
  });
  const uint64_t regs[8] = {};
  CHECK(runAndCompare(rigs, Mode::Prot32, code, regs, 0, 200, "alternating DS") == Cpu::Exit::Halted);
  CHECK(rigs.jit.jit->stats().blocks_run > 0);
}
