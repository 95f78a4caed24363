#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "memory/shadow_tlb.h"

using namespace sv;

namespace {

constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
constexpr uint64_t XD = 1ull << 63;

constexpr auto R = AccessKind::Read;
constexpr auto W = AccessKind::Write;
constexpr auto X = AccessKind::Execute;
constexpr auto SUP = Privilege::Supervisor;
constexpr auto USR = Privilege::User;
constexpr auto SAC = Privilege::SupervisorAc;

constexpr unsigned k(AccessKind a) { return static_cast<unsigned>(a); }

// 256-entry TLB over 16 MiB of RAM. paging() switches to 4-level paging with
// PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000 -> PT 0x13000 for va 0..2M.
struct Rig {
  PhysicalMemory mem{16 << 20};
  CodePageMap code{mem};
  ShadowTlb tlb{mem, &code, 8};
  PagingControl ctl;

  void put64(uint64_t paddr, uint64_t v) { mem.write(paddr, 8, v); }
  uint64_t get64(uint64_t paddr) const { return mem.read(paddr, 8); }
  void pte(unsigned i, uint64_t v) { put64(0x13000 + i * 8, v); }
  uint8_t* ram(uint64_t paddr) const { return mem.ramHost() + paddr; }

  void paging() {
    put64(0x10000, 0x11000 | P | RW | US);
    put64(0x11000, 0x12000 | P | RW | US);
    put64(0x12000, 0x13000 | P | RW | US);
    ctl.mode = PagingMode::Long4;
    ctl.cr3 = 0x10000;
    ctl.nxe = true;
    tlb.setControl(ctl);
  }
  Translation ok(uint64_t va, AccessKind kind, Privilege priv) {
    Translation t = tlb.translate(va, kind, priv);
    REQUIRE_FALSE(t.fault);
    return t;
  }
};

std::string dump(const ShadowTlb& tlb) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  REQUIRE(f);
  tlb.dumpStats(f);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

}  // namespace

TEST_CASE("shadow TLB: size must be a sane power of two") {
  PhysicalMemory mem(1 << 20);
  CHECK_THROWS_AS(ShadowTlb(mem, nullptr, 0), std::invalid_argument);
  CHECK_THROWS_AS(ShadowTlb(mem, nullptr, 17), std::invalid_argument);
  ShadowTlb tlb(mem, nullptr, 4);
  CHECK(tlb.entries() == 16);
  CHECK(tlb.stats().flush_all == 0);
}

TEST_CASE("shadow TLB: the JIT's entry formula finds the same entry") {
  Rig r;
  const TlbFastPath& fp = r.tlb.fastPath();
  CHECK(fp.index_mask == (255u << kTlbEntryShift));
  for (uint64_t va : {0x0ull, 0x1234ull, 0xFF000ull, 0x7FFFFFFFF000ull, 0xFFFF800000123456ull}) {
    for (auto p : {SUP, USR, SAC}) {
      auto* base = reinterpret_cast<const uint8_t*>(fp.table[static_cast<unsigned>(p)]);
      const uint8_t* e = base + ((va >> (12 - kTlbEntryShift)) & fp.index_mask);
      CHECK(reinterpret_cast<const TlbEntry*>(e) == &r.tlb.entryFor(va, p));
    }
  }
  CHECK(fp.table[0] != fp.table[1]);
  CHECK(fp.table[1] != fp.table[2]);
  // An empty entry matches nothing, not even the top page of the address space.
  CHECK(r.tlb.lookup(0xFFFFFFFFFFFFF000ull, R, SUP) == nullptr);
}

TEST_CASE("shadow TLB: paging off fills identity entries through the same path") {
  Rig r;
  Translation t = r.ok(0x1234, R, SUP);
  CHECK(t.paddr == 0x1234);
  CHECK(t.host == r.ram(0x1234));
  CHECK_FALSE(t.code_page);
  CHECK(r.tlb.lookup(0x1234, R, SUP) == r.ram(0x1234));
  CHECK(r.tlb.lookup(0x1FF8, W, SUP, 8) == r.ram(0x1FF8));  // identity pages are writable and dirty
  CHECK(r.tlb.lookup(0x1FFC, R, SUP, 8) == nullptr);        // crosses into page 2
  CHECK(r.tlb.lookup(0x1000, R, USR) == nullptr);           // other privilege, other set
  const TlbEntry& e = r.tlb.entryFor(0x1000, SUP);
  CHECK(e.tags[k(R)] == 0x1000);
  CHECK(e.tags[k(W)] == 0x1000);
  CHECK(e.tags[k(X)] == 0x1000);
  CHECK(e.addend == reinterpret_cast<uintptr_t>(r.ram(0)));
  CHECK(r.tlb.stats().slow == 1);
  CHECK(r.tlb.stats().walks == 1);
  CHECK(r.tlb.stats().fills == 1);
  CHECK(r.tlb.stats().lookups == 4);
  CHECK(r.tlb.stats().hits == 2);
}

TEST_CASE("shadow TLB: the A20 gate changes translations and flushes") {
  Rig r;
  r.ok(0x101234, R, SUP);
  CHECK(r.tlb.lookup(0x101234, R, SUP) == r.ram(0x101234));
  r.ctl.a20_mask = ~(1ull << 20);
  r.tlb.setControl(r.ctl);
  CHECK(r.tlb.stats().flush_all == 1);
  CHECK(r.tlb.lookup(0x101234, R, SUP) == nullptr);
  Translation t = r.ok(0x101234, R, SUP);
  CHECK(t.paddr == 0x1234);
  CHECK(r.tlb.lookup(0x101234, R, SUP) == r.ram(0x1234));
}

TEST_CASE("shadow TLB: slots alias by virtual page number") {
  Rig r;
  r.ok(0x1000, R, SUP);
  CHECK(r.tlb.lookup(0x101000, R, SUP) == nullptr);  // same slot (256 entries), other page
  r.ok(0x101000, R, SUP);
  CHECK(r.tlb.lookup(0x101000, R, SUP) == r.ram(0x101000));
  CHECK(r.tlb.lookup(0x1000, R, SUP) == nullptr);
}

TEST_CASE("shadow TLB: a user access never hits a supervisor fill") {
  Rig r;
  r.paging();
  r.pte(1, 0x40000 | P | RW | A | D);  // supervisor page
  Translation t = r.ok(0x1010, W, SUP);
  CHECK(t.paddr == 0x40010);
  CHECK(t.host == r.ram(0x40010));
  CHECK(r.tlb.lookup(0x1010, R, SUP) == r.ram(0x40010));
  CHECK(r.tlb.lookup(0x1010, R, USR) == nullptr);
  Translation f = r.tlb.translate(0x1010, R, USR);
  CHECK(f.fault);
  CHECK(f.error_code == 0x5);
  CHECK(f.host == nullptr);
  // A #PF invalidates every entry for the page (SDM 4.10.4.1), supervisor too.
  CHECK(r.tlb.lookup(0x1010, R, SUP) == nullptr);
  CHECK(r.tlb.stats().faults == 1);
}

TEST_CASE("shadow TLB: a clean page's first write walks again to set D") {
  Rig r;
  r.paging();
  r.pte(2, 0x42000 | P | RW | US);
  r.ok(0x2000, R, USR);
  CHECK(r.tlb.entryFor(0x2000, USR).tags[k(W)] == (0x2000 | kTlbNotDirty));
  CHECK(r.tlb.lookup(0x2000, W, USR) == nullptr);
  CHECK(r.get64(0x13010) == (0x42000 | P | RW | US | A));
  Translation t = r.ok(0x2008, W, USR);
  CHECK(t.host == r.ram(0x42008));
  CHECK(r.get64(0x13010) == (0x42000 | P | RW | US | A | D));
  CHECK(r.tlb.stats().walks == 2);
  CHECK(r.tlb.lookup(0x2010, W, USR, 4) == r.ram(0x42010));
  // A page that is dirty already gets a clean write tag from a read fill.
  r.pte(3, 0x43000 | P | RW | US | A | D);
  r.ok(0x3000, R, USR);
  CHECK(r.tlb.entryFor(0x3000, USR).tags[k(W)] == 0x3000);
}

TEST_CASE("shadow TLB: tags follow the page's rights for each access kind") {
  Rig r;
  r.paging();
  r.pte(4, 0x44000 | P | US | XD | A | D);  // read-only, no-execute user page
  r.ok(0x4000, R, USR);
  const TlbEntry& u = r.tlb.entryFor(0x4000, USR);
  CHECK(u.tags[k(R)] == 0x4000);
  CHECK(u.tags[k(W)] == kTlbTagEmpty);
  CHECK(u.tags[k(X)] == kTlbTagEmpty);
  CHECK(r.tlb.translate(0x4000, W, USR).error_code == 0x7);
  CHECK(r.tlb.translate(0x4000, X, USR).error_code == 0x15);
  // CR0.WP = 0: the supervisor may write it; the write fill is dirty already.
  r.ok(0x4000, R, SUP);
  CHECK(r.tlb.entryFor(0x4000, SUP).tags[k(W)] == 0x4000);
  CHECK(r.tlb.lookup(0x4000, W, SUP) == r.ram(0x44000));
  // CR0.WP = 1 flushes (entries bake WP in) and takes the right away.
  r.ctl.wp = true;
  r.tlb.setControl(r.ctl);
  CHECK(r.tlb.lookup(0x4000, R, SUP) == nullptr);
  r.ok(0x4000, R, SUP);
  CHECK(r.tlb.entryFor(0x4000, SUP).tags[k(W)] == kTlbTagEmpty);
  CHECK(r.tlb.translate(0x4000, W, SUP).error_code == 0x3);
}

TEST_CASE("shadow TLB: SMAP keeps supervisor-with-AC entries apart") {
  Rig r;
  r.paging();
  r.ctl.smap = true;
  r.tlb.setControl(r.ctl);
  r.pte(9, 0x49000 | P | RW | US | A | D);
  Translation t = r.ok(0x9000, W, SAC);
  CHECK(t.host == r.ram(0x49000));
  CHECK(r.tlb.lookup(0x9000, W, SAC) == r.ram(0x49000));
  CHECK(r.tlb.lookup(0x9000, R, SUP) == nullptr);
  CHECK(r.tlb.translate(0x9000, R, SUP).error_code == 0x1);
  // The supervisor set may still fetch from it (no SMEP): exec-only entry.
  r.ok(0x9000, X, SUP);
  const TlbEntry& e = r.tlb.entryFor(0x9000, SUP);
  CHECK(e.tags[k(X)] == 0x9000);
  CHECK(e.tags[k(R)] == kTlbTagEmpty);
  CHECK(e.tags[k(W)] == kTlbTagEmpty);
}

TEST_CASE("shadow TLB: global entries survive a CR3 load, not INVLPG or a full flush") {
  Rig r;
  r.paging();
  r.ctl.pge = true;
  r.tlb.setControl(r.ctl);
  r.pte(4, 0x44000 | P | RW | G | A | D);
  r.pte(5, 0x45000 | P | RW | A | D);
  r.ok(0x4000, R, SUP);
  r.ok(0x5000, R, SUP);
  CHECK(r.tlb.infoFor(0x4000, SUP).global);
  CHECK_FALSE(r.tlb.infoFor(0x5000, SUP).global);
  r.tlb.loadCr3(0x10000);  // same CR3 still flushes non-global entries
  CHECK(r.tlb.lookup(0x4000, R, SUP) == r.ram(0x44000));
  CHECK(r.tlb.lookup(0x5000, R, SUP) == nullptr);
  CHECK(r.tlb.stats().flush_nonglobal == 1);
  r.tlb.flushPage(0x4FFF);
  CHECK(r.tlb.lookup(0x4000, R, SUP) == nullptr);
  r.ok(0x4000, R, SUP);
  r.tlb.flushAll();
  CHECK(r.tlb.lookup(0x4000, R, SUP) == nullptr);
  // Without CR4.PGE the G bit means nothing.
  r.ctl.pge = false;
  r.tlb.setControl(r.ctl);
  r.ok(0x4000, R, SUP);
  r.tlb.loadCr3(0x10000);
  CHECK(r.tlb.lookup(0x4000, R, SUP) == nullptr);
}

TEST_CASE("shadow TLB: a new CR3 changes translations, INVLPG of another page keeps ours") {
  Rig r;
  r.paging();
  r.pte(6, 0x46000 | P | RW | A | D);
  r.ok(0x6000, R, SUP);
  // Second hierarchy at 0x20000 mapping va 0x6000 elsewhere.
  r.put64(0x20000, 0x21000 | P | RW);
  r.put64(0x21000, 0x22000 | P | RW);
  r.put64(0x22000, 0x23000 | P | RW);
  r.put64(0x23000 + 6 * 8, 0x56000 | P | RW | A | D);
  r.tlb.flushPage(0x7000);
  CHECK(r.tlb.lookup(0x6000, R, SUP) == r.ram(0x46000));
  CHECK(r.tlb.stats().flush_page_scans == 0);
  r.tlb.loadCr3(0x20000);
  CHECK(r.tlb.control().cr3 == 0x20000);
  CHECK(r.ok(0x6000, R, SUP).paddr == 0x56000);
}

TEST_CASE("shadow TLB: INVLPG anywhere in a large page drops all its 4 KiB pieces") {
  Rig r;
  r.paging();
  r.put64(0x12000 + 8, 0xE00000 | P | RW | PS | A | D);  // va 0x200000 -> 2 MiB at 0xE00000
  r.pte(3, 0x43000 | P | RW | A | D);
  CHECK(r.ok(0x201000, R, SUP).paddr == 0xE01000);
  CHECK(r.ok(0x205000, R, SUP).paddr == 0xE05000);
  r.ok(0x3000, R, SUP);
  CHECK(r.tlb.infoFor(0x205000, SUP).page_shift == 21);
  r.tlb.flushPage(0x2FF123);  // never filled itself, but in the same 2 MiB page
  CHECK(r.tlb.lookup(0x201000, R, SUP) == nullptr);
  CHECK(r.tlb.lookup(0x205000, R, SUP) == nullptr);
  CHECK(r.tlb.lookup(0x3000, R, SUP) == r.ram(0x43000));
  CHECK(r.tlb.stats().flush_page_scans == 1);
  r.tlb.flushPage(0x3000);  // outside every large page: one slot
  CHECK(r.tlb.lookup(0x3000, R, SUP) == nullptr);
  CHECK(r.tlb.stats().flush_page_scans == 1);
  CHECK(r.tlb.stats().flush_page == 2);
}

TEST_CASE("shadow TLB: INVLPG at the far end of a 1 GiB page") {
  Rig r;
  r.paging();
  r.put64(0x11000 + 8, 0x0 | P | RW | PS | A | D);  // va 1G -> physical 0 (1 GiB)
  CHECK(r.ok(0x40001000, R, SUP).host == r.ram(0x1000));
  CHECK(r.tlb.infoFor(0x40001000, SUP).page_shift == 30);
  r.tlb.flushPage(0x7FFFF000);
  CHECK(r.tlb.lookup(0x40001000, R, SUP) == nullptr);
  // An address just past the page leaves a refill alone.
  r.ok(0x40001000, R, SUP);
  r.tlb.flushPage(0x80000000);
  CHECK(r.tlb.lookup(0x40001000, R, SUP) == r.ram(0x1000));
}

TEST_CASE("shadow TLB: setControl flushes only on rule changes") {
  Rig r;
  r.paging();
  r.pte(1, 0x41000 | P | RW | A | D);
  r.ok(0x1000, R, SUP);
  uint64_t flushes = r.tlb.stats().flush_all;
  r.tlb.setControl(r.ctl);  // nothing changed
  CHECK(r.tlb.stats().flush_all == flushes);
  CHECK(r.tlb.lookup(0x1000, R, SUP) != nullptr);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    PagingControl c = r.ctl;
    if (i == 0) c.smep = true;
    if (i == 1) c.pse = true;
    if (i == 2) c.nxe = false;
    if (i == 3) c.mode = PagingMode::Pae;
    if (i == 4) c.pge = true;
    r.tlb.setControl(c);
    CHECK(r.tlb.stats().flush_all == flushes + 1);
    CHECK(r.tlb.lookup(0x1000, R, SUP) == nullptr);
    r.tlb.setControl(r.ctl);
    flushes += 2;
    r.ok(0x1000, R, SUP);
  }
  // CR3 alone through setControl: non-global flush.
  PagingControl c = r.ctl;
  c.cr3 = 0x20000;
  uint64_t ng = r.tlb.stats().flush_nonglobal;
  r.tlb.setControl(c);
  CHECK(r.tlb.stats().flush_all == flushes);
  CHECK(r.tlb.stats().flush_nonglobal == ng + 1);
}

TEST_CASE("shadow TLB: PAE through the TLB, PDPTEs given at CR3 load") {
  Rig r;
  r.put64(0x3000, 0x4000 | P);
  r.put64(0x4000, 0x5000 | P | RW | US);
  r.put64(0x5000 + 8, 0x61000 | P | RW | US | A | D);
  r.ctl.mode = PagingMode::Pae;
  r.ctl.cr3 = 0x3000;
  REQUIRE(loadPdptes(r.mem, 0x3000, r.ctl.pdpte));
  r.tlb.setControl(r.ctl);
  CHECK(r.ok(0x1004, W, USR).host == r.ram(0x61004));
  // A new PDPT: only the loaded registers count, not memory at the old CR3.
  r.put64(0x3100, 0x6000 | P);
  r.put64(0x6000, 0x7000 | P | RW | US);
  r.put64(0x7000 + 8, 0x62000 | P | RW | US | A | D);
  uint64_t pdptes[4];
  REQUIRE(loadPdptes(r.mem, 0x3100, pdptes));
  r.put64(0x3000, 0);  // the old table is gone from memory; the registers were loaded
  r.tlb.loadCr3(0x3100, pdptes);
  CHECK(r.ok(0x1004, R, USR).paddr == 0x62004);
}

TEST_CASE("shadow TLB: a stale entry hits until a fault on its page drops it") {
  Rig r;
  r.paging();
  r.pte(8, 0x48000 | P | US | A | D);  // read-only user page
  r.ok(0x8000, R, USR);
  r.pte(8, 0);  // guest unmaps without INVLPG: x86 may keep using the old entry
  CHECK(r.tlb.lookup(0x8000, R, USR) == r.ram(0x48000));
  Translation f = r.tlb.translate(0x8000, W, USR);  // write: not in the TLB, walk sees P=0
  CHECK(f.fault);
  CHECK(f.error_code == 0x6);
  CHECK(r.tlb.lookup(0x8000, R, USR) == nullptr);
}

TEST_CASE("shadow TLB: MMIO and unassigned pages always take the slow path") {
  struct Regs : MmioHandler {
    uint64_t mmioRead(uint64_t, unsigned) override { return 0; }
    void mmioWrite(uint64_t, unsigned, uint64_t) override {}
  } regs;
  Rig r;
  r.mem.addMmio(0x800000, 0x1000, regs, "regs");
  Translation t = r.ok(0x800010, R, SUP);
  CHECK(t.host == nullptr);
  CHECK(t.paddr == 0x800010);
  CHECK(r.tlb.entryFor(0x800000, SUP).tags[k(R)] == (0x800000 | kTlbMmio));
  CHECK(r.tlb.entryFor(0x800000, SUP).tags[k(W)] == (0x800000 | kTlbMmio));
  CHECK(r.tlb.lookup(0x800010, R, SUP) == nullptr);
  t = r.ok(0x800020, W, SUP);  // answered from the entry, no walk
  CHECK(t.host == nullptr);
  CHECK(t.paddr == 0x800020);
  CHECK(r.tlb.stats().walks == 1);
  CHECK(r.tlb.stats().slow_no_walk == 1);
  CHECK(r.tlb.stats().mmio == 2);
  t = r.ok(0x1000000, R, SUP);  // beyond RAM: unassigned
  CHECK(t.host == nullptr);
  CHECK(t.paddr == 0x1000000);
}

TEST_CASE("shadow TLB: ROM reads go fast, ROM writes go to PhysicalMemory") {
  Rig r;
  std::vector<uint8_t> image(4096, 0);
  image[4] = 0x5A;
  r.mem.addRom(0x900000, image, "rom");
  Translation t = r.ok(0x900004, R, SUP);
  REQUIRE(t.host != nullptr);
  CHECK(*t.host == 0x5A);
  CHECK(t.host != r.ram(0x900004));
  CHECK(r.tlb.lookup(0x900004, X, SUP) == t.host);
  CHECK(r.tlb.lookup(0x900004, W, SUP) == nullptr);
  t = r.ok(0x900004, W, SUP);
  CHECK(t.host == nullptr);
  CHECK(t.paddr == 0x900004);
}

TEST_CASE("shadow TLB: writes to code pages are trapped and reported") {
  Rig r;
  r.ok(0x5000, W, SUP);
  CHECK(r.tlb.lookup(0x5008, W, SUP) == r.ram(0x5008));
  r.code.set(0x5000);  // the JIT translated code from this page
  CHECK(r.tlb.stats().code_protects == 1);
  CHECK(r.tlb.entryFor(0x5000, SUP).tags[k(W)] == (0x5000 | kTlbCode));
  CHECK(r.tlb.lookup(0x5008, W, SUP) == nullptr);
  CHECK(r.tlb.lookup(0x5008, R, SUP) == r.ram(0x5008));  // reads and fetches stay fast
  CHECK(r.tlb.lookup(0x5008, X, SUP) == r.ram(0x5008));
  Translation t = r.ok(0x5008, W, SUP);
  CHECK(t.code_page);
  CHECK(t.host == r.ram(0x5008));  // after invalidating, the caller stores through it
  CHECK(t.paddr == 0x5008);
  CHECK(r.tlb.stats().code_writes == 1);
  CHECK(r.tlb.stats().walks == 1);
  r.code.clear(0x5000);  // blocks gone: the next store clears the flag
  t = r.ok(0x5008, W, SUP);
  CHECK_FALSE(t.code_page);
  CHECK(r.tlb.lookup(0x5008, W, SUP) == r.ram(0x5008));
  // Marked before the fill: the fill sets the flag itself.
  r.code.set(0x6000);
  r.ok(0x6000, R, SUP);
  CHECK(r.tlb.entryFor(0x6000, SUP).tags[k(W)] == (0x6000 | kTlbCode));
  CHECK(r.ok(0x6000, W, SUP).code_page);
}

TEST_CASE("shadow TLB: every virtual alias of a code page is protected") {
  Rig r;
  r.paging();
  r.pte(6, 0x30000 | P | RW | US | A | D);
  r.pte(7, 0x30000 | P | RW | US | A | D);
  r.ok(0x6000, W, USR);
  r.ok(0x7000, W, SUP);
  r.code.set(0x30abc);
  CHECK(r.tlb.stats().code_protects == 2);
  CHECK(r.tlb.lookup(0x6000, W, USR) == nullptr);
  CHECK(r.tlb.lookup(0x7000, W, SUP) == nullptr);
  CHECK(r.ok(0x7000, W, SUP).code_page);
}

TEST_CASE("shadow TLB: hit-rate statistics and dumpStats") {
  Rig r;
  r.tlb.resetStats();
  r.ok(0x1000, R, SUP);
  for (int i = 0; i < 99; ++i) CHECK(r.tlb.lookup(0x1000 + 8 * i, R, SUP, 8) == r.ram(0x1000 + 8 * i));
  CHECK(r.tlb.lookup(0x2000, R, SUP) == nullptr);
  r.tlb.flushPage(0x1000);
  r.tlb.loadCr3(0);
  r.tlb.flushAll();
  const TlbStats& s = r.tlb.stats();
  CHECK(s.lookups == 100);
  CHECK(s.hits == 99);
  CHECK(s.misses() == 1);
  std::string out = dump(r.tlb);
  CHECK(out ==
        "shadow TLB: 256 entries x 3 privilege sets\n"
        "  lookups 100, hits 99 (99.00%), misses 1\n"
        "  slow path 1: 0 without a walk, 1 walks (0 faults), 1 fills\n"
        "  mmio 0, code-page writes 0, code-page protects 0\n"
        "  flushes: all 1, non-global 1, page 1 (large-page scans 0)\n");
  r.tlb.resetStats();
  CHECK(dump(r.tlb).find("lookups 0, hits 0 (0.00%), misses 0") != std::string::npos);
}

TEST_CASE("shadow TLB: a shadowed page read from ROM and written to RAM sends writes to the slow path") {
  Rig r;
  std::vector<uint8_t> image(0x10000, 0xC3);
  r.mem.addRom(0xF0000, image, "bios");
  r.mem.setLegacyShadow(0xF0000, 0x10000, false, true);
  Translation rd = r.ok(0xF0010, R, SUP);
  CHECK(rd.host != nullptr);
  CHECK(*rd.host == 0xC3);
  CHECK(r.tlb.lookup(0xF0010, R, SUP) == rd.host);
  CHECK(r.tlb.lookup(0xF0010, W, SUP) == nullptr);  // one addend cannot serve both
  Translation wr = r.ok(0xF0010, W, SUP);
  CHECK(wr.host == nullptr);  // PhysicalMemory::write routes it to RAM
  r.mem.write(wr.paddr, 1, 0x90);
  CHECK(*r.ram(0xF0010) == 0x90);
  CHECK(*rd.host == 0xC3);

  // After a remap the owner flushes; the refill reads RAM at full speed.
  r.mem.setLegacyShadow(0xF0000, 0x10000, true, true);
  r.tlb.flushAll();
  CHECK(r.ok(0xF0010, R, SUP).host == r.ram(0xF0010));
  CHECK(r.tlb.lookup(0xF0010, W, SUP) == r.ram(0xF0010));
}
