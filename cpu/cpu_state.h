// Guest architectural state of one x86-64 vCPU, as plain data.
//
// The layout is stable: the JIT addresses fields by offset (offsetof), so
// fields are only ever appended or reserved, never reordered. Everything an
// x86-64 CPU architecturally holds has a place here, even where later work
// fills it in (x87, SSE, MSRs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace sv {

// General-purpose registers in x86 encoding order.
enum Gpr : uint8_t {
  RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
  R8, R9, R10, R11, R12, R13, R14, R15,
  kGprCount
};

// Segment registers in x86 encoding order (ModRM.reg of MOV Sreg).
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kSegCount };

// RFLAGS bits (Intel SDM Vol. 1, 3.4.3).
namespace flag {
constexpr uint64_t CF = 1u << 0;
constexpr uint64_t FIXED1 = 1u << 1;  // reads as 1
constexpr uint64_t PF = 1u << 2;
constexpr uint64_t AF = 1u << 4;
constexpr uint64_t ZF = 1u << 6;
constexpr uint64_t SF = 1u << 7;
constexpr uint64_t TF = 1u << 8;
constexpr uint64_t IF = 1u << 9;
constexpr uint64_t DF = 1u << 10;
constexpr uint64_t OF = 1u << 11;
constexpr uint64_t IOPL = 3u << 12;
constexpr uint64_t NT = 1u << 14;
constexpr uint64_t RF = 1u << 16;
constexpr uint64_t VM = 1u << 17;
constexpr uint64_t AC = 1u << 18;
constexpr uint64_t VIF = 1u << 19;
constexpr uint64_t VIP = 1u << 20;
constexpr uint64_t ID = 1u << 21;
constexpr uint64_t ARITH = CF | PF | AF | ZF | SF | OF;
}  // namespace flag

namespace cr0 {
constexpr uint64_t PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3,
                   ET = 1u << 4, NE = 1u << 5, WP = 1u << 16, AM = 1u << 18,
                   NW = 1u << 29, CD = 1u << 30, PG = 1u << 31;
}
namespace cr4 {
constexpr uint64_t VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3,
                   PSE = 1u << 4, PAE = 1u << 5, MCE = 1u << 6, PGE = 1u << 7,
                   PCE = 1u << 8, OSFXSR = 1u << 9, OSXMMEXCPT = 1u << 10,
                   UMIP = 1u << 11, FSGSBASE = 1u << 16, OSXSAVE = 1u << 18,
                   SMEP = 1u << 20, SMAP = 1u << 21;
}
namespace efer {
constexpr uint64_t SCE = 1u << 0, LME = 1u << 8, LMA = 1u << 10, NXE = 1u << 11;
}

// Hidden part of a segment register (the descriptor cache). In real mode
// base = selector << 4 and the limit/attributes keep whatever protected mode
// left there, which is what makes "unreal mode" work.
struct SegmentCache {
  uint64_t base;
  uint32_t limit;     // byte-granular, already scaled by G
  uint16_t selector;
  uint16_t attr;      // descriptor bits 40..47 (type,S,DPL,P) | 52..55 (AVL,L,D/B,G) << 8
};
static_assert(sizeof(SegmentCache) == 16);

namespace segattr {
constexpr uint16_t TYPE = 0x000f, ACCESSED = 0x0001, WRITABLE = 0x0002,
                   EXPAND_DOWN = 0x0004, CODE = 0x0008, S = 0x0010,
                   DPL = 0x0060, P = 0x0080, AVL = 0x0100, L = 0x0200,
                   DB = 0x0400, G = 0x0800;
// A present, writable, accessed data segment: what real mode uses.
constexpr uint16_t REAL_DATA = P | S | WRITABLE | ACCESSED;
constexpr uint16_t REAL_CODE = P | S | CODE | WRITABLE | ACCESSED;
}  // namespace segattr

struct TableRegister {
  uint64_t base;
  uint32_t limit;
  uint32_t reserved;
};
static_assert(sizeof(TableRegister) == 16);

// x87 register: 80-bit extended value in a 16-byte slot (as FXSAVE stores it).
struct alignas(16) X87Register {
  uint64_t mantissa;
  uint16_t sign_exponent;
  uint16_t reserved[3];
};
static_assert(sizeof(X87Register) == 16);

struct alignas(16) XmmRegister {
  uint64_t lo, hi;
};

struct X87State {
  X87Register st[8];  // physical registers R0..R7 (ST(i) = R[(top+i)&7])
  uint16_t fcw;       // control word
  uint16_t fsw;       // status word, TOP in bits 11..13
  uint16_t ftw;       // full 16-bit tag word (2 bits per register)
  uint16_t fop;       // last opcode (11 bits)
  uint64_t fip;       // last instruction pointer
  uint64_t fdp;       // last data pointer
  uint16_t fcs, fds;
  uint32_t reserved;
};

// Model-specific registers that have architectural homes.
struct MsrState {
  uint64_t star, lstar, cstar, sfmask;
  uint64_t kernel_gs_base;
  uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
  uint64_t tsc_aux;
  uint64_t pat;
  uint64_t apic_base;
  uint64_t misc_enable;
  uint64_t mtrr_def_type;
  uint64_t mtrr_fixed[11];
  uint64_t mtrr_var[16];  // base/mask pairs
  uint64_t feature_control;
  uint64_t reserved[8];
};

struct CpuState {
  uint64_t gpr[kGprCount];
  uint64_t rip;
  uint64_t rflags;
  SegmentCache seg[kSegCount];
  SegmentCache ldtr;
  SegmentCache tr;
  TableRegister gdtr;
  TableRegister idtr;
  uint64_t cr0, cr2, cr3, cr4, cr8;
  uint64_t efer;
  uint64_t xcr0;
  uint64_t dr[8];      // DR4/DR5 alias DR6/DR7 unless CR4.DE; kept for layout
  uint64_t tsc_offset;  // guest TSC = virtual clock + tsc_offset
  X87State x87;
  XmmRegister xmm[16];
  uint32_t mxcsr;
  uint32_t reserved0;
  MsrState msr;

  // Physical address mask applied after translation: bit 20 cleared while the
  // board's A20 gate is closed.
  uint64_t a20_mask;

  // Execution status outside the architectural registers.
  uint8_t halted;            // HLT executed, waiting for an interrupt
  uint8_t interrupt_shadow;  // kShadow* bits: STI blocks interrupts for one
                             // instruction, MOV SS / POP SS also debug traps
  uint8_t nmi_blocked;
  uint8_t reserved1[5];
};

static_assert(std::is_standard_layout_v<CpuState>);
static_assert(std::is_trivially_copyable_v<CpuState>);
static_assert(offsetof(CpuState, gpr) == 0);
static_assert(offsetof(CpuState, rip) == 128);
static_assert(offsetof(CpuState, rflags) == 136);
static_assert(offsetof(CpuState, seg) == 144);

constexpr uint8_t kShadowInterrupts = 1, kShadowDebug = 2;

// A 64-bit address is canonical when bits 63:47 are all equal (48-bit
// linear addresses, SDM Vol. 1, 3.3.7.1).
constexpr bool isCanonical(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(v << 16) >> 16) == v; }

// Processor mode derived from CR0/EFER/CS/RFLAGS; cached by the Cpu.
enum class CpuMode : uint8_t {
  Real,       // CR0.PE = 0
  Virtual86,  // PE = 1, EFLAGS.VM = 1
  Protected,  // PE = 1, legacy (16- or 32-bit code per CS.D)
  Compat,     // EFER.LMA = 1, CS.L = 0
  Long64,     // EFER.LMA = 1, CS.L = 1
};

}  // namespace sv
