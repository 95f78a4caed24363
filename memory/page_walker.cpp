#include "memory/page_walker.h"

#include <algorithm>

#include "memory/physical_memory.h"

namespace sv {

namespace {

// Paging-structure entry bits (SDM 4.3-4.5, Tables 4-4..4-20).
constexpr uint64_t kP = 1ull << 0;
constexpr uint64_t kRw = 1ull << 1;
constexpr uint64_t kUs = 1ull << 2;
constexpr uint64_t kA = 1ull << 5;
constexpr uint64_t kD = 1ull << 6;
constexpr uint64_t kPs = 1ull << 7;
constexpr uint64_t kG = 1ull << 8;
constexpr uint64_t kXd = 1ull << 63;

// Bits lo..hi (inclusive) set; empty when hi < lo.
constexpr uint64_t bitRange(unsigned hi, unsigned lo) {
  if (hi < lo) return 0;
  uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
  return upto & ~((1ull << lo) - 1);
}

// One paging-structure entry read during a walk: where it lives and what it
// held, so the A/D update can be a compare-and-swap against that value.
struct EntryRef {
  uint64_t paddr;
  uint64_t value;
  unsigned size;  // 4 (32-bit paging) or 8
};

uint64_t readEntry(const PhysicalMemory& mem, uint64_t paddr, unsigned size) {
  // RAM is read with an atomic load: another vCPU may be writing the entry.
  // Entries are naturally aligned and RAM backing is page aligned.
  if (uint8_t* h = mem.hostPointer(paddr, true)) {
    if (size == 8) return __atomic_load_n(reinterpret_cast<uint64_t*>(h), __ATOMIC_ACQUIRE);
    return __atomic_load_n(reinterpret_cast<uint32_t*>(h), __ATOMIC_ACQUIRE);
  }
  return mem.read(paddr, size);  // ROM, MMIO or unassigned (all ones)
}

// Sets `bits` in the entry if the entry still holds the value the walk used.
// Returns false when it changed under us: the caller restarts the walk, as
// a processor's locked A/D update would observe the new entry. (A plain
// fetch_or could set D in an entry another vCPU just cleared, which a guest
// OS would misread, e.g. as a swap entry.)
bool setEntryBits(PhysicalMemory& mem, const EntryRef& e, uint64_t bits) {
  if ((e.value & bits) == bits) return true;
  if (uint8_t* h = mem.hostPointer(e.paddr, true)) {
    if (e.size == 8) {
      uint64_t expected = e.value;
      return __atomic_compare_exchange_n(reinterpret_cast<uint64_t*>(h), &expected, e.value | bits,
                                         false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    uint32_t expected = static_cast<uint32_t>(e.value);
    return __atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(h), &expected,
                                       static_cast<uint32_t>(e.value | bits), false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  }
  // Tables outside RAM: ROM drops the write, MMIO sees a read-modify-write
  // as it would on the bus.
  mem.write(e.paddr, e.size, e.value | bits);
  return true;
}

uint32_t errorCode(const PagingControl& ctl, AccessKind kind, Privilege priv, uint32_t base) {
  uint32_t e = base;
  if (kind == AccessKind::Write) e |= pferr::W;
  if (priv == Privilege::User) e |= pferr::U;
  // SDM 4.7: I/D is set for instruction fetches only when SMEP is on, or
  // when PAE (PAE or 4-level paging) and EFER.NXE are both on.
  if (kind == AccessKind::Execute && (ctl.smep || (ctl.nxe && ctl.mode != PagingMode::Legacy32)))
    e |= pferr::ID;
  return e;
}

WalkResult faultResult(const PagingControl& ctl, AccessKind kind, Privilege priv, uint32_t base) {
  WalkResult r;
  r.fault = true;
  r.error_code = errorCode(ctl, kind, priv, base);
  return r;
}

// The walk proper, up to the point where the access is known to be allowed.
// Fills `path` with the entries whose A (and for the leaf, D) flags must be
// set. Returns a fault result, or a success result without A/D applied.
struct Walk {
  WalkResult result;
  EntryRef path[4];
  unsigned depth = 0;
};

constexpr uint32_t kNotPresent = 0;
constexpr uint32_t kReserved = pferr::P | pferr::RSVD;
constexpr uint32_t kProtection = pferr::P;

// Leaf bookkeeping shared by all modes: physical address, size, G and D.
void finishLeaf(Walk& w, const PagingControl& ctl, uint64_t linear, uint64_t page_base,
                unsigned shift, uint64_t leaf) {
  uint64_t offset_mask = (1ull << shift) - 1;
  w.result.paddr = ((page_base & ~offset_mask) | (linear & offset_mask)) & ctl.a20_mask;
  w.result.page_shift = static_cast<uint8_t>(shift);
  w.result.global = ctl.pge && (leaf & kG);
  w.result.dirty = (leaf & kD) != 0;
}

// 32-bit paging (SDM 4.3): 4-byte entries, PDE then PTE, or a 4 MiB PDE
// when CR4.PSE = 1 and PDE.PS = 1. Reserved bits exist only in 4 MiB PDEs.
bool walkLegacy32(Walk& w, PhysicalMemory& mem, const PagingControl& ctl, uint64_t linear,
                  uint32_t& fault) {
  uint32_t lin = static_cast<uint32_t>(linear);
  uint64_t pde_addr = ((ctl.cr3 & 0xFFFFF000u) + ((lin >> 22) << 2)) & ctl.a20_mask;
  uint64_t pde = readEntry(mem, pde_addr, 4);
  if (!(pde & kP)) return fault = kNotPresent, false;
  w.path[w.depth++] = {pde_addr, pde, 4};
  w.result.perms.writable = pde & kRw;
  w.result.perms.user = pde & kUs;
  if (ctl.pse && (pde & kPs)) {
    // PSE-36: PDE bits (M-20):13 are physical bits (M-1):32 and bits
    // 21:(M-19) are reserved, M = min(MAXPHYADDR, 40) (SDM 4.3, Table 4-4).
    unsigned m = std::clamp<unsigned>(ctl.maxphyaddr, 32, 40);
    if (pde & bitRange(21, m - 19)) return fault = kReserved, false;
    uint64_t high = (pde >> 13) & ((1ull << (m - 32)) - 1);
    finishLeaf(w, ctl, lin, (pde & 0xFFC00000u) | (high << 32), 22, pde);
    return true;
  }
  uint64_t pte_addr = ((pde & 0xFFFFF000u) + (((lin >> 12) & 0x3FF) << 2)) & ctl.a20_mask;
  uint64_t pte = readEntry(mem, pte_addr, 4);
  if (!(pte & kP)) return fault = kNotPresent, false;
  w.path[w.depth++] = {pte_addr, pte, 4};
  w.result.perms.writable = w.result.perms.writable && (pte & kRw);
  w.result.perms.user = w.result.perms.user && (pte & kUs);
  finishLeaf(w, ctl, lin, pte & 0xFFFFF000u, 12, pte);
  return true;
}

// PAE paging (SDM 4.4) and 4-level paging (SDM 4.5) share 8-byte entries.
// `level` counts from the leaf: 1 = PT, 2 = PD, 3 = PDPT, 4 = PML4.
bool walkLevels(Walk& w, PhysicalMemory& mem, const PagingControl& ctl, uint64_t linear,
                uint64_t table, unsigned top_level, uint32_t& fault) {
  const unsigned m = ctl.maxphyaddr;
  const bool long_mode = ctl.mode == PagingMode::Long4;
  const uint64_t addr_mask = bitRange(m - 1, 12);
  // Above MAXPHYADDR: bits 51:M are reserved with 4-level paging (62:52 are
  // ignored); with PAE paging bits 62:M are. Bit 63 is XD with NXE,
  // reserved without (SDM 4.4.2, 4.5.4).
  uint64_t rsvd = long_mode ? bitRange(51, m) : bitRange(62, m);
  if (!ctl.nxe) rsvd |= kXd;

  for (unsigned level = top_level; level >= 1; --level) {
    unsigned shift = 12 + 9 * (level - 1);
    uint64_t eaddr = ((table & addr_mask) + (((linear >> shift) & 511) << 3)) & ctl.a20_mask;
    uint64_t e = readEntry(mem, eaddr, 8);
    if (!(e & kP)) return fault = kNotPresent, false;

    bool large = level >= 2 && (e & kPs);
    uint64_t entry_rsvd = rsvd;
    if (level == 4) entry_rsvd |= kPs;                 // PML4E.PS is reserved
    if (level == 3 && large && !ctl.page1gb) entry_rsvd |= kPs;  // no 1 GiB pages
    if (large) entry_rsvd |= bitRange(shift - 1, 13);  // 29:13 or 20:13 (bit 12 is PAT)
    if (e & entry_rsvd) return fault = kReserved, false;

    w.path[w.depth++] = {eaddr, e, 8};
    w.result.perms.writable = w.result.perms.writable && (e & kRw);
    w.result.perms.user = w.result.perms.user && (e & kUs);
    if (ctl.nxe && (e & kXd)) w.result.perms.executable = false;

    if (level == 1 || large) {
      finishLeaf(w, ctl, linear, e & addr_mask, shift, e);
      return true;
    }
    table = e;
  }
  return true;  // not reached: level 1 is always a leaf
}

}  // namespace

PagingControl PagingControl::fromRegisters(uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer,
                                           uint64_t a20_mask) {
  PagingControl c;
  if (!(cr0 & kCr0Pg)) c.mode = PagingMode::None;
  else if (!(cr4 & kCr4Pae)) c.mode = PagingMode::Legacy32;
  else if (efer & kEferLma) c.mode = PagingMode::Long4;
  else c.mode = PagingMode::Pae;
  c.cr3 = cr3;
  c.wp = cr0 & kCr0Wp;
  c.pse = cr4 & kCr4Pse;
  c.pge = cr4 & kCr4Pge;
  c.smep = cr4 & kCr4Smep;
  c.smap = cr4 & kCr4Smap;
  c.nxe = efer & kEferNxe;
  c.a20_mask = a20_mask;
  return c;
}

bool PagingControl::sameRules(const PagingControl& o) const {
  return mode == o.mode && wp == o.wp && pse == o.pse && pge == o.pge && smep == o.smep &&
         smap == o.smap && nxe == o.nxe && maxphyaddr == o.maxphyaddr && page1gb == o.page1gb &&
         a20_mask == o.a20_mask;
}

bool accessPermitted(const PagePerms& perms, const PagingControl& ctl, AccessKind kind,
                     Privilege priv) {
  // Without paging there are no page-level protections; SMEP/SMAP are
  // paging features even if CR4 has them set.
  if (ctl.mode == PagingMode::None) return true;
  const bool user = priv == Privilege::User;
  // SDM 4.6.1: with SMAP, supervisor data accesses to user-mode addresses
  // fault unless EFLAGS.AC = 1 and the access is explicit.
  const bool smap_blocks = ctl.smap && priv == Privilege::Supervisor && perms.user;
  switch (kind) {
    case AccessKind::Read:
      return user ? perms.user : !smap_blocks;
    case AccessKind::Write:
      // Supervisor writes ignore R/W while CR0.WP = 0; user writes never do.
      if (user) return perms.user && perms.writable;
      return !smap_blocks && (perms.writable || !ctl.wp);
    case AccessKind::Execute:
      if (!perms.executable) return false;
      // SMEP: no supervisor fetches from user-mode addresses.
      return user ? perms.user : !(ctl.smep && perms.user);
  }
  return false;
}

WalkResult walkPage(PhysicalMemory& mem, const PagingControl& ctl, uint64_t linear,
                    AccessKind kind, Privilege priv, bool set_accessed_dirty) {
  if (ctl.mode == PagingMode::None) {
    // Linear addresses are 32 bits wide outside IA-32e mode, and IA-32e
    // mode requires paging.
    WalkResult r;
    r.paddr = (linear & 0xFFFFFFFFull) & ctl.a20_mask;
    r.dirty = true;
    return r;
  }

  // The loop repeats only when an A/D compare-and-swap lost a race with a
  // concurrent change of an entry; the new contents are then walked again.
  for (;;) {
    Walk w;
    uint32_t fault = 0;
    bool ok = false;
    switch (ctl.mode) {
      case PagingMode::Legacy32:
        ok = walkLegacy32(w, mem, ctl, linear, fault);
        break;
      case PagingMode::Pae: {
        // The PDPTE comes from the registers loaded at MOV CR3 (SDM 4.4.1);
        // it has no R/W, U/S, XD or A bits. loadPdptes() refused reserved
        // bits already; checking again keeps hand-built controls honest.
        uint32_t lin = static_cast<uint32_t>(linear);
        uint64_t pdpte = ctl.pdpte[lin >> 30];
        if (!(pdpte & kP)) {
          fault = kNotPresent;
        } else if (pdpte & (0x1E6ull | bitRange(63, ctl.maxphyaddr))) {
          fault = kReserved;
        } else {
          ok = walkLevels(w, mem, ctl, lin, pdpte, 2, fault);
        }
        break;
      }
      case PagingMode::Long4:
        ok = walkLevels(w, mem, ctl, linear, ctl.cr3, 4, fault);
        break;
      case PagingMode::None:
        break;
    }
    if (!ok) return faultResult(ctl, kind, priv, fault);
    if (!accessPermitted(w.result.perms, ctl, kind, priv))
      return faultResult(ctl, kind, priv, kProtection);

    // SDM 4.8: A on every entry used, D on the leaf for a write. Only now,
    // once the access is known not to fault.
    if (set_accessed_dirty) {
      bool raced = false;
      for (unsigned i = 0; i < w.depth && !raced; ++i) {
        uint64_t bits = kA;
        if (i + 1 == w.depth && kind == AccessKind::Write) bits |= kD;
        raced = !setEntryBits(mem, w.path[i], bits);
      }
      if (raced) continue;
      if (kind == AccessKind::Write) w.result.dirty = true;
    }
    return w.result;
  }
}

bool loadPdptes(const PhysicalMemory& mem, uint64_t cr3, uint64_t out[4], uint8_t maxphyaddr,
                uint64_t a20_mask) {
  // The PDPT is 32-byte aligned at CR3[31:5]; CR3[63:32] are ignored in
  // PAE mode. Reserved: bits 2:1, 8:5 and 63:MAXPHYADDR (SDM Table 4-8).
  const uint64_t rsvd = 0x1E6ull | bitRange(63, maxphyaddr);
  uint64_t base = cr3 & 0xFFFFFFE0u;
  uint64_t tmp[4];
  for (unsigned i = 0; i < 4; ++i) {
    tmp[i] = mem.read((base + 8 * i) & a20_mask, 8);
    if ((tmp[i] & kP) && (tmp[i] & rsvd)) return false;
  }
  std::copy(tmp, tmp + 4, out);
  return true;
}

}  // namespace sv
