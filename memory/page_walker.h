// Guest page-table walker: linear -> physical translation exactly as the
// Intel SDM Vol. 3A chapter 4 describes it, for the four paging modes a
// processor without LA57 has (none, 32-bit, PAE, 4-level).
//
// The walker is stateless: the caller passes the paging controls (a copy of
// the bits of CR0/CR3/CR4/EFER that matter) and the kind of access. The
// shadow TLB (memory/shadow_tlb.h) calls it on a miss; a debugger can call it
// with `set_accessed_dirty = false` to look without touching guest memory.
//
// memory/ does not include cpu/ headers (dependencies point down), so the
// access kind and the control inputs are defined here; the CPU converts.
#pragma once

#include <cstdint>

namespace sv {

class PhysicalMemory;

// What the access does. Values index TlbEntry::tags (read, write, exec).
enum class AccessKind : uint8_t { Read = 0, Write = 1, Execute = 2 };
constexpr unsigned kAccessKindCount = 3;

// Who is asking, folded into the three protection domains the TLB keeps
// apart (QEMU calls these MMU indexes):
//   Supervisor   CPL < 3 with SMAP in force (EFLAGS.AC = 0), and every
//                implicit supervisor access (GDT/LDT/IDT/TSS reads, at any
//                CPL), to which SMAP always applies (SDM 4.6).
//   User         CPL = 3, explicit access.
//   SupervisorAc CPL < 3, explicit, EFLAGS.AC = 1 with CR4.SMAP = 1: SMAP
//                is lifted for data accesses.
// Use privilegeFor() to pick one from the CPU's state.
enum class Privilege : uint8_t { Supervisor = 0, User = 1, SupervisorAc = 2 };
constexpr unsigned kPrivilegeCount = 3;

// cpl3: CPL == 3; implicit: a descriptor-table/TSS access (a supervisor
// access whatever the CPL); ac: EFLAGS.AC; smap: CR4.SMAP. Without SMAP the
// AC flag changes nothing, so it folds into Supervisor and the TLB shares
// the entries.
constexpr Privilege privilegeFor(bool cpl3, bool implicit, bool ac, bool smap) {
  if (implicit) return Privilege::Supervisor;
  if (cpl3) return Privilege::User;
  return (smap && ac) ? Privilege::SupervisorAc : Privilege::Supervisor;
}

// SDM 4.1.1: which paging structures are in use.
enum class PagingMode : uint8_t {
  None,      // CR0.PG = 0: linear = physical
  Legacy32,  // CR0.PG = 1, CR4.PAE = 0: 2 levels, 4 KiB and (CR4.PSE) 4 MiB pages
  Pae,       // CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 0: 4 PDPTE registers + 2 levels
  Long4,     // CR0.PG = 1, CR4.PAE = 1, EFER.LMA = 1: 4 levels (LA57 not modelled)
};

// The control-register inputs of a translation. Plain data; the CPU builds
// one with fromRegisters() and fills `pdpte` from loadPdptes() in PAE mode.
struct PagingControl {
  PagingMode mode = PagingMode::None;
  uint64_t cr3 = 0;
  // PAE paging only: the PDPTE registers, loaded from memory at MOV CR3 (and
  // at the MOV CR0/CR4 that enters PAE paging), never re-read by a walk
  // (SDM 4.4.1).
  uint64_t pdpte[4] = {};
  bool wp = false;    // CR0.WP: supervisor writes obey R/W
  bool pse = false;   // CR4.PSE: 4 MiB pages with 32-bit paging
  bool pge = false;   // CR4.PGE: G bit makes translations global
  bool smep = false;  // CR4.SMEP
  bool smap = false;  // CR4.SMAP
  bool nxe = false;   // EFER.NXE: bit 63 is XD rather than reserved (PAE/4-level)
  // CPUID-reported properties of the modelled CPU; they decide which entry
  // bits are reserved. Must agree with CPUID.80000008H:EAX[7:0] and
  // CPUID.80000001H:EDX[26] (Page1GB). PSE-36 is assumed supported.
  uint8_t maxphyaddr = 40;
  bool page1gb = true;
  // Physical address mask: bit 20 cleared while the A20 gate is closed. It
  // applies to paging-structure addresses and final addresses alike.
  uint64_t a20_mask = ~0ull;

  // Architectural register bit positions (SDM Vol. 3A 2.5, 2.2.1); cpu/
  // has its own copies in cpu_state.h, these must agree.
  static constexpr uint64_t kCr0Wp = 1ull << 16, kCr0Pg = 1ull << 31;
  static constexpr uint64_t kCr4Pse = 1ull << 4, kCr4Pae = 1ull << 5, kCr4Pge = 1ull << 7,
                            kCr4Smep = 1ull << 20, kCr4Smap = 1ull << 21;
  static constexpr uint64_t kEferLma = 1ull << 10, kEferNxe = 1ull << 11;

  // Derives mode and flags from raw register values; pdpte stays zero,
  // maxphyaddr/page1gb keep their defaults.
  static PagingControl fromRegisters(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
                                     uint64_t a20_mask);

  // True when `o` translates every address the same way as *this given the
  // same CR3/PDPTEs: everything but cr3 and pdpte compares equal.
  bool sameRules(const PagingControl& o) const;
};

// #PF error code bits (SDM 4.7).
namespace pferr {
constexpr uint32_t P = 1u << 0;     // 0: not present; 1: protection or reserved bit
constexpr uint32_t W = 1u << 1;     // the access was a write
constexpr uint32_t U = 1u << 2;     // the access was a user-mode access
constexpr uint32_t RSVD = 1u << 3;  // a reserved bit was set in a paging-structure entry
constexpr uint32_t ID = 1u << 4;    // instruction fetch (only with SMEP, or PAE and NXE)
}  // namespace pferr

// Effective access rights of a whole translation (SDM 4.6): the AND of R/W
// and U/S over every level, executable unless some level has XD = 1.
struct PagePerms {
  bool writable = true;
  bool user = true;
  bool executable = true;
};

struct WalkResult {
  bool fault = false;
  uint32_t error_code = 0;  // #PF error code when fault (CR2 = the linear address)
  uint64_t paddr = 0;       // physical address of the linear address (A20-masked)
  uint8_t page_shift = 12;  // size of the mapping: 12 (4K), 21 (2M), 22 (4M), 30 (1G)
  bool global = false;      // leaf G bit with CR4.PGE
  bool dirty = false;       // leaf D bit after the walk (always true after a write)
  PagePerms perms;          // effective rights (paging off: everything allowed)
};

// Whether `perms` let `priv` perform `kind` under the controls `ctl` (SDM
// 4.6.1): R/W with CR0.WP, U/S, XD, SMEP, SMAP.
bool accessPermitted(const PagePerms& perms, const PagingControl& ctl, AccessKind kind,
                     Privilege priv);

// Translates `linear`. Outside long mode only bits 31:0 of `linear` are used.
// On success sets the accessed flag of every entry used and, for a write,
// the dirty flag of the leaf (SDM 4.8), with atomic compare-and-swap on the
// guest's table; nothing is written when the access faults. On a fault the
// result carries the exact error code and nothing else.
WalkResult walkPage(PhysicalMemory& mem, const PagingControl& ctl, uint64_t linear,
                    AccessKind kind, Privilege priv, bool set_accessed_dirty = true);

// Loads the four PAE PDPTE registers from the 32-byte table at CR3[31:5]
// (SDM 4.4.1). Returns false, leaving `out` untouched, when a present PDPTE
// sets a reserved bit (bits 2:1, 8:5, 63:MAXPHYADDR): the MOV to CR0/CR3/CR4
// must then raise #GP(0) and change nothing.
bool loadPdptes(const PhysicalMemory& mem, uint64_t cr3, uint64_t out[4], uint8_t maxphyaddr = 40,
                uint64_t a20_mask = ~0ull);

}  // namespace sv
