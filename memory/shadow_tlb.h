// The shadow TLB: per-vCPU software TLB that turns a guest linear address
// into a host pointer with one compare and one add (QEMU's cputlb, v86).
//
// Geometry: direct mapped, 2^n entries (default 1024), indexed by virtual
// page number, one entry set per Privilege (supervisor, user, supervisor
// with AC under SMAP) so a user access never hits a supervisor-only fill.
// Each entry holds one tag per access kind (read, write, execute) and a host
// addend:
//
//     TlbEntry& e = set[priv][(va >> 12) & (entries - 1)];
//     if (e.tags[kind] == ((va + size - 1) & ~0xFFF)) host = e.addend + va;
//
// Comparing against the page of the access's *last* byte makes a
// page-crossing access miss (the next page never lives in this slot). A tag
// is the virtual page address plus flag bits in bits 11:0; any flag makes
// the compare fail and sends the access to translate(), the slow path:
//   kTlbInvalid   no translation for this kind (not permitted, or empty)
//   kTlbMmio      not RAM: MMIO, unassigned, or a write to ROM
//   kTlbNotDirty  write tag of a page whose D bit is still clear: the
//                 slow path re-walks so the walker sets D (SDM 4.8)
//   kTlbCode      write tag of a page holding translated code
//
// Coherence: x86 TLBs are not coherent with page-table writes; software
// must INVLPG or reload CR3 after changing a PTE (SDM 4.10.4). So filling
// on walk and flushing exactly where x86 flushes is exact, and global
// entries survive CR3 loads as on hardware. The CPU must call:
//   setControl()  after any change of CR0, CR4, EFER or the A20 gate (all
//                 entries go when a translation-relevant bit changed)
//   loadCr3()     on MOV CR3 and task-switch CR3 loads, even with the same
//                 value (non-global entries go)
//   flushPage()   on INVLPG (global entries too; the whole large page)
//
// A one-page access from the CPU then reads (a page-crossing access does
// this per page, translating both pages before touching either):
//
//   Privilege priv = privilegeFor(cpl == 3, implicit, rflags & AC, cr4 & SMAP);
//   if (uint8_t* h = tlb.lookup(va, AccessKind::Write, priv, size)) { memcpy(h, &v, size); return; }
//   Translation t = tlb.translate(va, AccessKind::Write, priv);
//   if (t.fault) { cr2 = va; raise(#PF, t.error_code); }
//   if (t.code_page) invalidate translated code of page t.paddr;
//   if (t.host) memcpy(t.host, &v, size); else mem.write(t.paddr, size, v);
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <type_traits>

#include "memory/code_page_map.h"
#include "memory/page_walker.h"

namespace sv {

class PhysicalMemory;

constexpr uint64_t kTlbInvalid = 1u << 0;
constexpr uint64_t kTlbMmio = 1u << 1;
constexpr uint64_t kTlbNotDirty = 1u << 2;
constexpr uint64_t kTlbCode = 1u << 3;
constexpr uint64_t kTlbFlagMask = 0xFFF;
// An empty tag: has kTlbInvalid set, so it matches no page address.
constexpr uint64_t kTlbTagEmpty = ~0ull;

// The hot part of an entry. Plain data with a fixed layout: the JIT emits
// the fast path against these offsets.
struct alignas(32) TlbEntry {
  uint64_t tags[kAccessKindCount];  // indexed by AccessKind: read, write, execute
  uintptr_t addend;                 // host address - virtual address (RAM, ROM reads)
};
constexpr unsigned kTlbEntryShift = 5;  // log2(sizeof(TlbEntry))
static_assert(sizeof(TlbEntry) == 1u << kTlbEntryShift);
static_assert(offsetof(TlbEntry, tags) == 0);
static_assert(offsetof(TlbEntry, tags) + 8 * static_cast<unsigned>(AccessKind::Read) == 0);
static_assert(offsetof(TlbEntry, tags) + 8 * static_cast<unsigned>(AccessKind::Write) == 8);
static_assert(offsetof(TlbEntry, tags) + 8 * static_cast<unsigned>(AccessKind::Execute) == 16);
static_assert(offsetof(TlbEntry, addend) == 24);
static_assert(sizeof(uintptr_t) == 8, "the addend trick needs a 64-bit host");
static_assert(std::is_standard_layout_v<TlbEntry> && std::is_trivially_copyable_v<TlbEntry>);

// The cold part, used by the slow path and the flushes.
struct TlbEntryInfo {
  uint64_t vpage = kTlbTagEmpty;  // virtual page, or kTlbTagEmpty for an empty entry
  uint64_t ppage = 0;             // physical page (A20-masked)
  uint8_t page_shift = 12;        // size of the guest mapping it came from: 12, 21, 22, 30
  bool global = false;            // survives loadCr3()/flushNonGlobal()
};

// What the JIT needs to emit the inline lookup:
//   entry = table[priv] + ((va >> (12 - kTlbEntryShift)) & index_mask)   (byte offset)
struct TlbFastPath {
  uint64_t index_mask;                  // (entries - 1) << kTlbEntryShift
  TlbEntry* table[kPrivilegeCount];     // indexed by Privilege
};
static_assert(offsetof(TlbFastPath, index_mask) == 0);
static_assert(offsetof(TlbFastPath, table) == 8);

// Result of the slow path.
struct Translation {
  bool fault = false;
  uint32_t error_code = 0;  // #PF error code when fault; CR2 = the linear address
  uint64_t paddr = 0;       // physical address of the access
  // Host pointer for paddr, valid to the end of its 4 KiB page; nullptr
  // means the access goes through PhysicalMemory::read/write(paddr) (MMIO,
  // unassigned, ROM write).
  uint8_t* host = nullptr;
  // A write to a page holding translated code: invalidate that page's
  // blocks (and CodePageMap::clear it) before storing.
  bool code_page = false;
};

struct TlbStats {
  uint64_t lookups = 0;          // lookup() calls
  uint64_t hits = 0;             // lookup() calls answered with a host pointer
  uint64_t slow = 0;             // translate() calls
  uint64_t slow_no_walk = 0;     // translate() answered from a valid entry (MMIO, code, ...)
  uint64_t walks = 0;            // page walks (paging off: identity "walks")
  uint64_t faults = 0;           // walks that ended in #PF
  uint64_t fills = 0;            // entries written from a walk
  uint64_t mmio = 0;             // slow-path accesses that went to PhysicalMemory
  uint64_t code_writes = 0;      // writes reported as code_page
  uint64_t code_protects = 0;    // write tags downgraded when a page became code
  uint64_t flush_all = 0;        // flushAll(), including those setControl() did
  uint64_t flush_nonglobal = 0;  // flushNonGlobal()/loadCr3()
  uint64_t flush_page = 0;       // flushPage() (INVLPG)
  uint64_t flush_page_scans = 0; // flushPage()s inside a large-page range: set scanned
  uint64_t misses() const { return lookups - hits; }
};

class ShadowTlb final : private CodePageListener {
 public:
  static constexpr unsigned kDefaultEntriesLog2 = 10;

  // `code` may be null (no translated code to protect). entries_log2 in
  // [1, 16]. The TLB registers with `code` and must not outlive it.
  explicit ShadowTlb(PhysicalMemory& mem, CodePageMap* code = nullptr,
                     unsigned entries_log2 = kDefaultEntriesLog2);
  ~ShadowTlb();
  ShadowTlb(const ShadowTlb&) = delete;
  ShadowTlb& operator=(const ShadowTlb&) = delete;

  // ---- Paging controls ----
  const PagingControl& control() const { return ctl_; }
  // After a change of CR0, CR4, EFER or A20: flushes everything when any
  // rule other than cr3/pdpte changed (SDM 4.10.4.1 lists fewer cases;
  // entries here bake in WP/SMEP/SMAP/NXE, so any change of those flushes
  // too). A cr3/pdpte change alone flushes non-global entries.
  void setControl(const PagingControl& ctl);
  // MOV CR3 / task switch: new CR3 (and PAE PDPTE registers, when given)
  // and a non-global flush, even when the value is unchanged.
  void loadCr3(uint64_t cr3, const uint64_t* pdptes = nullptr);

  // ---- Fast path ----
  // Host pointer for [va, va + size) when the entry allows `kind` for
  // `priv` without a slow-path flag and the access stays in one page;
  // nullptr otherwise (call translate()).
  uint8_t* lookup(uint64_t va, AccessKind kind, Privilege priv, unsigned size = 1) {
    ++stats_.lookups;
    const TlbEntry& e = entryFor(va, priv);
    if (e.tags[static_cast<unsigned>(kind)] != ((va + size - 1) & ~uint64_t{kTlbFlagMask})) return nullptr;
    ++stats_.hits;
    return reinterpret_cast<uint8_t*>(e.addend + va);
  }

  // ---- Slow path ----
  // Translates va for one access (the bytes of one page): answers from a
  // valid entry when it can, else walks the guest tables, fills the entry
  // and answers. On a fault the entries for va's page are dropped (a #PF
  // invalidates them, SDM 4.10.4.1) and nothing is filled. Outside long
  // mode va must be below 4 GiB (the CPU wraps linear addresses).
  Translation translate(uint64_t va, AccessKind kind, Privilege priv);
  // Fills the entry for va from a successful walk made for `priv`; rights
  // for every access kind come from the walk's effective permissions.
  void fillFromWalk(uint64_t va, const WalkResult& walk, Privilege priv);

  // ---- Flushes ----
  void flushAll();
  void flushNonGlobal();
  void flushPage(uint64_t va);

  // ---- Introspection ----
  const TlbEntry& entryFor(uint64_t va, Privilege priv) const {
    return fast_.table[static_cast<unsigned>(priv)][(va >> 12) & index_mask_];
  }
  const TlbEntryInfo& infoFor(uint64_t va, Privilege priv) const {
    return info_[static_cast<unsigned>(priv)][(va >> 12) & index_mask_];
  }
  unsigned entries() const { return static_cast<unsigned>(index_mask_ + 1); }
  const TlbFastPath& fastPath() const { return fast_; }
  const TlbStats& stats() const { return stats_; }
  void resetStats() { stats_ = TlbStats{}; }
  // Prints counters and hit rate, one line per group.
  void dumpStats(std::FILE* out) const;

 private:
  void codePageAdded(uint64_t page_paddr) override;
  void invalidatePage(uint64_t va);  // drop va's entries, whole large pages included
  void clearEntry(unsigned priv, uint64_t index);
  void trackLargePage(unsigned priv, uint64_t va, unsigned shift);

  TlbFastPath fast_;  // first, so the JIT can be handed &fast_
  uint64_t index_mask_;
  PhysicalMemory& mem_;
  CodePageMap* code_;
  PagingControl ctl_;
  std::unique_ptr<TlbEntry[]> entries_[kPrivilegeCount];
  std::unique_ptr<TlbEntryInfo[]> info_[kPrivilegeCount];
  // Whether the set has been filled since it was last emptied; lets the
  // flushes skip sets that are already empty (SupervisorAc, often User).
  bool used_[kPrivilegeCount] = {};
  // Virtual range covering every large-page fill of the set since its last
  // full flush (QEMU's trick): an INVLPG outside it touches one slot, one
  // inside it scans the set for entries of that large page.
  uint64_t large_base_[kPrivilegeCount];
  uint64_t large_mask_[kPrivilegeCount];
  TlbStats stats_;
};

}  // namespace sv
