#include "memory/shadow_tlb.h"

#include <algorithm>
#include <stdexcept>

#include "memory/physical_memory.h"

namespace sv {

namespace {

constexpr uint64_t kNoLargeBase = ~0ull;  // with mask 0, (va & 0) never equals it

constexpr unsigned idx(AccessKind k) { return static_cast<unsigned>(k); }

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

ShadowTlb::ShadowTlb(PhysicalMemory& mem, CodePageMap* code, unsigned entries_log2)
    : mem_(mem), code_(code) {
  if (entries_log2 < 1 || entries_log2 > 16)
    throw std::invalid_argument("shadow TLB size must be 2^1 .. 2^16 entries");
  uint64_t n = 1ull << entries_log2;
  index_mask_ = n - 1;
  fast_.index_mask = index_mask_ << kTlbEntryShift;
  for (unsigned p = 0; p < kPrivilegeCount; ++p) {
    entries_[p] = std::make_unique<TlbEntry[]>(n);
    info_[p] = std::make_unique<TlbEntryInfo[]>(n);
    fast_.table[p] = entries_[p].get();
    used_[p] = true;  // so flushAll() initialises it
  }
  flushAll();
  stats_ = TlbStats{};
  if (code_) code_->addListener(this);
}

ShadowTlb::~ShadowTlb() {
  if (code_) code_->removeListener(this);
}

// ---------------------------------------------------------------- controls

void ShadowTlb::setControl(const PagingControl& ctl) {
  bool rules_changed = !ctl_.sameRules(ctl);
  bool root_changed = ctl_.cr3 != ctl.cr3 || !std::equal(ctl_.pdpte, ctl_.pdpte + 4, ctl.pdpte);
  ctl_ = ctl;
  if (rules_changed) flushAll();
  else if (root_changed) flushNonGlobal();
}

void ShadowTlb::loadCr3(uint64_t cr3, const uint64_t* pdptes) {
  ctl_.cr3 = cr3;
  if (pdptes) std::copy(pdptes, pdptes + 4, ctl_.pdpte);
  flushNonGlobal();
}

// ---------------------------------------------------------------- slow path

Translation ShadowTlb::translate(uint64_t va, AccessKind kind, Privilege priv) {
  ++stats_.slow;
  const unsigned p = static_cast<unsigned>(priv);
  const uint64_t page = va & ~kPageMask;
  const uint64_t slot = (va >> 12) & index_mask_;
  TlbEntry& e = entries_[p][slot];
  const TlbEntryInfo& info = info_[p][slot];

  uint64_t tag = e.tags[idx(kind)];
  bool valid = !(tag & kTlbInvalid) && (tag & ~kTlbFlagMask) == page;
  // A clean page must be walked for its first write: the walk sets D.
  if (!valid || (kind == AccessKind::Write && (tag & kTlbNotDirty))) {
    ++stats_.walks;
    WalkResult w = walkPage(mem_, ctl_, va, kind, priv);
    if (w.fault) {
      ++stats_.faults;
      invalidatePage(va);
      Translation t;
      t.fault = true;
      t.error_code = w.error_code;
      return t;
    }
    fillFromWalk(va, w, priv);
    tag = e.tags[idx(kind)];
  } else {
    ++stats_.slow_no_walk;
  }

  Translation t;
  t.paddr = info.ppage | (va & kPageMask);
  if (tag & kTlbCode) {
    // The page may have stopped being a code page since the fill (the JIT
    // dropped its blocks): then the store goes fast from now on.
    if (code_ && code_->test(info.ppage)) {
      t.code_page = true;
      ++stats_.code_writes;
    } else {
      e.tags[idx(kind)] = tag &= ~kTlbCode;
    }
  }
  if (tag & kTlbMmio) ++stats_.mmio;
  else t.host = reinterpret_cast<uint8_t*>(e.addend + va);
  return t;
}

void ShadowTlb::fillFromWalk(uint64_t va, const WalkResult& w, Privilege priv) {
  if (w.fault) return;
  ++stats_.fills;
  const unsigned p = static_cast<unsigned>(priv);
  const uint64_t slot = (va >> 12) & index_mask_;
  const uint64_t vpage = va & ~kPageMask;
  const uint64_t ppage = w.paddr & ~kPageMask;
  TlbEntry& e = entries_[p][slot];
  TlbEntryInfo& info = info_[p][slot];

  // RAM and ROM can be read through a host pointer; only RAM can be written.
  // With chipset shadowing (PAM) reads and writes of a page may go to
  // different places; one addend serves both only when they agree, else
  // writes take the slow path.
  uint8_t* host = mem_.hostPointer(ppage, false);
  bool ram = host && mem_.hostPointer(ppage, true) == host;

  auto allowed = [&](AccessKind k) { return accessPermitted(w.perms, ctl_, k, priv); };
  e.tags[idx(AccessKind::Read)] = allowed(AccessKind::Read) ? vpage | (host ? 0 : kTlbMmio) : kTlbTagEmpty;
  e.tags[idx(AccessKind::Execute)] = allowed(AccessKind::Execute) ? vpage | (host ? 0 : kTlbMmio) : kTlbTagEmpty;
  if (allowed(AccessKind::Write)) {
    uint64_t flags = 0;
    if (!ram) flags |= kTlbMmio;
    if (!w.dirty) flags |= kTlbNotDirty;
    if (code_ && code_->test(ppage)) flags |= kTlbCode;
    e.tags[idx(AccessKind::Write)] = vpage | flags;
  } else {
    e.tags[idx(AccessKind::Write)] = kTlbTagEmpty;
  }
  e.addend = host ? reinterpret_cast<uintptr_t>(host) - vpage : 0;

  info.vpage = vpage;
  info.ppage = ppage;
  info.page_shift = w.page_shift;
  info.global = w.global;
  used_[p] = true;
  if (w.page_shift > 12) trackLargePage(p, va, w.page_shift);
}

// Widens the set's large-page range until it covers the new large page too
// (QEMU's tlb_add_large_page).
void ShadowTlb::trackLargePage(unsigned p, uint64_t va, unsigned shift) {
  uint64_t mask = ~((1ull << shift) - 1);
  if (large_base_[p] != kNoLargeBase) {
    mask &= large_mask_[p];
    while ((large_base_[p] ^ va) & mask) mask <<= 1;
  }
  large_base_[p] = va & mask;
  large_mask_[p] = mask;
}

// ---------------------------------------------------------------- flushes

void ShadowTlb::clearEntry(unsigned p, uint64_t i) {
  TlbEntry& e = entries_[p][i];
  std::fill(e.tags, e.tags + kAccessKindCount, kTlbTagEmpty);
  e.addend = 0;
  info_[p][i] = TlbEntryInfo{};
}

void ShadowTlb::flushAll() {
  ++stats_.flush_all;
  for (unsigned p = 0; p < kPrivilegeCount; ++p) {
    if (used_[p])
      for (uint64_t i = 0; i <= index_mask_; ++i) clearEntry(p, i);
    used_[p] = false;
    large_base_[p] = kNoLargeBase;
    large_mask_[p] = 0;
  }
}

void ShadowTlb::flushNonGlobal() {
  ++stats_.flush_nonglobal;
  for (unsigned p = 0; p < kPrivilegeCount; ++p) {
    if (!used_[p]) continue;
    for (uint64_t i = 0; i <= index_mask_; ++i)
      if (!info_[p][i].global) clearEntry(p, i);
    // The large-page range may now over-cover; that costs only a scan on
    // an INVLPG inside it.
  }
}

void ShadowTlb::flushPage(uint64_t va) {
  ++stats_.flush_page;
  invalidatePage(va);
}

void ShadowTlb::invalidatePage(uint64_t va) {
  const uint64_t page = va & ~kPageMask;
  for (unsigned p = 0; p < kPrivilegeCount; ++p) {
    if (!used_[p]) continue;
    if ((va & large_mask_[p]) == large_base_[p]) {
      // va may lie in a large page whose 4 KiB pieces sit in other slots:
      // drop every entry made from the large page that contains va
      // (INVLPG invalidates the whole page, SDM 4.10.4.1).
      ++stats_.flush_page_scans;
      for (uint64_t i = 0; i <= index_mask_; ++i) {
        const TlbEntryInfo& info = info_[p][i];
        if (info.vpage != kTlbTagEmpty && ((info.vpage ^ va) >> info.page_shift) == 0) clearEntry(p, i);
      }
    } else {
      uint64_t i = (va >> 12) & index_mask_;
      if (info_[p][i].vpage == page) clearEntry(p, i);
    }
  }
}

// A page became a code page: stores to it must now take the slow path.
// Scans every set; marking happens once per translated page, and a scan of
// a few thousand entries is cheaper than a reverse map kept on every fill.
void ShadowTlb::codePageAdded(uint64_t page_paddr) {
  for (unsigned p = 0; p < kPrivilegeCount; ++p) {
    if (!used_[p]) continue;
    for (uint64_t i = 0; i <= index_mask_; ++i) {
      TlbEntry& e = entries_[p][i];
      uint64_t& wtag = e.tags[idx(AccessKind::Write)];
      if (info_[p][i].ppage == page_paddr && info_[p][i].vpage != kTlbTagEmpty && !(wtag & kTlbInvalid) &&
          !(wtag & kTlbCode)) {
        wtag |= kTlbCode;
        ++stats_.code_protects;
      }
    }
  }
}

// ---------------------------------------------------------------- stats

void ShadowTlb::dumpStats(std::FILE* out) const {
  const TlbStats& s = stats_;
  std::fprintf(out, "shadow TLB: %u entries x %u privilege sets\n", entries(), kPrivilegeCount);
  std::fprintf(out, "  lookups %llu, hits %llu (%.2f%%), misses %llu\n",
               static_cast<unsigned long long>(s.lookups), static_cast<unsigned long long>(s.hits),
               percent(s.hits, s.lookups), static_cast<unsigned long long>(s.misses()));
  std::fprintf(out, "  slow path %llu: %llu without a walk, %llu walks (%llu faults), %llu fills\n",
               static_cast<unsigned long long>(s.slow), static_cast<unsigned long long>(s.slow_no_walk),
               static_cast<unsigned long long>(s.walks), static_cast<unsigned long long>(s.faults),
               static_cast<unsigned long long>(s.fills));
  std::fprintf(out, "  mmio %llu, code-page writes %llu, code-page protects %llu\n",
               static_cast<unsigned long long>(s.mmio), static_cast<unsigned long long>(s.code_writes),
               static_cast<unsigned long long>(s.code_protects));
  std::fprintf(out, "  flushes: all %llu, non-global %llu, page %llu (large-page scans %llu)\n",
               static_cast<unsigned long long>(s.flush_all), static_cast<unsigned long long>(s.flush_nonglobal),
               static_cast<unsigned long long>(s.flush_page), static_cast<unsigned long long>(s.flush_page_scans));
}

}  // namespace sv
