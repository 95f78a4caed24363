#include <doctest/doctest.h>

#include <vector>

#include "memory/page_walker.h"
#include "memory/physical_memory.h"

using namespace sv;

namespace {

// Paging-structure entry bits.
constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
constexpr uint64_t XD = 1ull << 63;

constexpr auto R = AccessKind::Read;
constexpr auto W = AccessKind::Write;
constexpr auto X = AccessKind::Execute;
constexpr auto SUP = Privilege::Supervisor;
constexpr auto USR = Privilege::User;
constexpr auto SAC = Privilege::SupervisorAc;

struct Tables {
  PhysicalMemory mem{16 << 20};
  PagingControl ctl;

  void put32(uint64_t paddr, uint64_t v) { mem.write(paddr, 4, v); }
  void put64(uint64_t paddr, uint64_t v) { mem.write(paddr, 8, v); }
  uint64_t get32(uint64_t paddr) const { return mem.read(paddr, 4); }
  uint64_t get64(uint64_t paddr) const { return mem.read(paddr, 8); }
  WalkResult walk(uint64_t va, AccessKind k, Privilege p) { return walkPage(mem, ctl, va, k, p); }
  uint32_t err(uint64_t va, AccessKind k, Privilege p) {
    WalkResult r = walk(va, k, p);
    REQUIRE(r.fault);
    return r.error_code;
  }
};

// 32-bit paging: PD at 0x1000; PDE[1] -> PT at 0x2000 (va 0x400000..0x7FFFFF).
struct Legacy : Tables {
  Legacy() {
    ctl.mode = PagingMode::Legacy32;
    ctl.cr3 = 0x1000;
    put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);
  }
  void pte(unsigned i, uint64_t v) { put32(0x2000 + i * 4, v); }
};

// PAE paging: PDPT at 0x3000 (loaded into ctl.pdpte), PD at 0x4000 for
// va 0..1G, PT at 0x5000 for va 0..2M.
struct Pae : Tables {
  Pae() {
    ctl.mode = PagingMode::Pae;
    ctl.cr3 = 0x3000;
    put64(0x3000, 0x4000 | P);
    put64(0x4000, 0x5000 | P | RW | US);
    reload();
  }
  void reload() { REQUIRE(loadPdptes(mem, ctl.cr3, ctl.pdpte, ctl.maxphyaddr)); }
};

// 4-level paging: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000 for
// va 0..2M; PML4[256] -> PDPT 0x14000 -> PD 0x15000 -> PT 0x16000 for the
// kernel half at 0xFFFF800000000000.
struct Long : Tables {
  Long() {
    ctl.mode = PagingMode::Long4;
    ctl.cr3 = 0x10000;
    ctl.nxe = true;
    put64(0x10000, 0x11000 | P | RW | US);
    put64(0x11000, 0x12000 | P | RW | US);
    put64(0x12000, 0x13000 | P | RW | US);
    put64(0x10000 + 256 * 8, 0x14000 | P | RW);
    put64(0x14000, 0x15000 | P | RW);
    put64(0x15000, 0x16000 | P | RW);
  }
  void pte(unsigned i, uint64_t v) { put64(0x13000 + i * 8, v); }
};

}  // namespace

TEST_CASE("page walker: paging off is the identity, truncated to 32 bits and A20-masked") {
  Tables t;
  WalkResult r = t.walk(0x12345, W, USR);
  CHECK_FALSE(r.fault);
  CHECK(r.paddr == 0x12345);
  CHECK(r.page_shift == 12);
  CHECK(r.dirty);
  CHECK_FALSE(r.global);
  CHECK(t.walk(0x100001234ull, R, SUP).paddr == 0x1234);
  t.ctl.a20_mask = ~(1ull << 20);
  CHECK(t.walk(0x10FFEF, R, SUP).paddr == 0x0FFEF);
  // SMAP/SMEP bits in CR4 mean nothing without paging.
  t.ctl.smap = t.ctl.smep = t.ctl.wp = true;
  CHECK_FALSE(t.walk(0x5000, X, SUP).fault);
  CHECK_FALSE(t.walk(0x5000, W, SUP).fault);
}

TEST_CASE("page walker: control registers select the mode") {
  constexpr uint64_t PG = 1ull << 31, WP = 1ull << 16, PAE = 1 << 5, PSE = 1 << 4, PGE = 1 << 7;
  constexpr uint64_t LMA = 1 << 10, NXE = 1 << 11, SMEP = 1 << 20, SMAP = 1 << 21;
  CHECK(PagingControl::fromRegisters(0x11, 0, PAE, LMA, ~0ull).mode == PagingMode::None);
  CHECK(PagingControl::fromRegisters(PG | 1, 0, 0, 0, ~0ull).mode == PagingMode::Legacy32);
  CHECK(PagingControl::fromRegisters(PG | 1, 0, PAE, NXE, ~0ull).mode == PagingMode::Pae);
  PagingControl c = PagingControl::fromRegisters(PG | WP | 1, 0x5000, PAE | PSE | PGE | SMEP | SMAP,
                                                 LMA | NXE, 0xFFEFFFFF);
  CHECK(c.mode == PagingMode::Long4);
  CHECK(c.cr3 == 0x5000);
  CHECK(c.wp);
  CHECK(c.pse);
  CHECK(c.pge);
  CHECK(c.smep);
  CHECK(c.smap);
  CHECK(c.nxe);
  CHECK(c.a20_mask == 0xFFEFFFFF);
  PagingControl d = c;
  d.cr3 = 0x9000;
  d.pdpte[2] = 1;
  CHECK(c.sameRules(d));
  d.wp = false;
  CHECK_FALSE(c.sameRules(d));
  CHECK(privilegeFor(true, false, true, true) == USR);
  CHECK(privilegeFor(true, true, true, true) == SUP);    // implicit at CPL 3
  CHECK(privilegeFor(false, false, true, true) == SAC);
  CHECK(privilegeFor(false, false, true, false) == SUP);  // AC means nothing without SMAP
  CHECK(privilegeFor(false, true, true, true) == SUP);    // implicit: SMAP always applies
}

// ---------------------------------------------------------------- 32-bit paging

TEST_CASE("32-bit paging: 4 KiB translation sets A on both levels, D only on write") {
  Legacy t;
  t.pte(5, 0x345000 | P | RW | US);
  WalkResult r = t.walk(0x405123, R, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x345123);
  CHECK(r.page_shift == 12);
  CHECK(r.perms.writable);
  CHECK(r.perms.user);
  CHECK(r.perms.executable);
  CHECK_FALSE(r.dirty);
  CHECK(t.get32(0x1004) == (0x2000 | P | RW | US | A));
  CHECK(t.get32(0x2014) == (0x345000 | P | RW | US | A));
  r = t.walk(0x405FFF, W, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.dirty);
  CHECK(t.get32(0x1004) == (0x2000 | P | RW | US | A));  // D is for the leaf only
  CHECK(t.get32(0x2014) == (0x345000 | P | RW | US | A | D));
}

TEST_CASE("32-bit paging: walk without A/D update leaves the tables alone") {
  Legacy t;
  t.pte(5, 0x345000 | P | RW | US);
  WalkResult r = walkPage(t.mem, t.ctl, 0x405123, W, USR, false);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x345123);
  CHECK(t.get32(0x1004) == (0x2000 | P | RW | US));
  CHECK(t.get32(0x2014) == (0x345000 | P | RW | US));
}

TEST_CASE("32-bit paging: not-present faults carry W/R and U/S of the access") {
  Legacy t;
  CHECK(t.err(0x800000, R, SUP) == 0x0);  // PDE[2] not present
  CHECK(t.err(0x800000, W, USR) == 0x6);
  CHECK(t.err(0x405000, W, SUP) == 0x2);  // PTE not present
  CHECK(t.err(0x405000, R, USR) == 0x4);
  CHECK(t.err(0x405000, R, SAC) == 0x0);
  // No A bit on a faulting walk, even on the present PDE.
  CHECK(t.get32(0x1004) == (0x2000 | P | RW | US));
}

TEST_CASE("32-bit paging: writes to read-only pages obey CR0.WP for the supervisor only") {
  Legacy t;
  t.pte(1, 0x300000 | P | US);  // read-only user page
  t.ctl.wp = false;
  WalkResult r = t.walk(0x401010, W, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x300010);
  CHECK_FALSE(r.perms.writable);
  CHECK(t.get32(0x2004) == (0x300000 | P | US | A | D));  // D set by the permitted write
  CHECK(t.err(0x401010, W, USR) == 0x7);                  // users never write R/W=0
  t.ctl.wp = true;
  t.pte(1, 0x300000 | P | US);
  CHECK(t.err(0x401010, W, SUP) == 0x3);
  CHECK(t.get32(0x2004) == (0x300000 | P | US));  // no A/D on the faulting walk
  // R/W=0 in the PDE is as good as in the PTE.
  t.put32(0x1004, 0x2000 | P | US);
  t.pte(2, 0x301000 | P | RW | US);
  CHECK(t.err(0x402000, W, SUP) == 0x3);
  CHECK(t.err(0x402000, W, USR) == 0x7);
  CHECK_FALSE(t.walk(0x402000, R, USR).fault);
}

TEST_CASE("32-bit paging: user access to a supervisor page faults with P|U") {
  Legacy t;
  t.pte(3, 0x303000 | P | RW);
  CHECK(t.err(0x403000, R, USR) == 0x5);
  CHECK(t.err(0x403000, W, USR) == 0x7);
  CHECK(t.err(0x403000, X, USR) == 0x5);  // no I/D without SMEP or PAE+NXE
  CHECK_FALSE(t.walk(0x403000, W, SUP).fault);
  // U/S=0 in the PDE makes the whole 4 MiB supervisor-only.
  t.put32(0x1004, 0x2000 | P | RW);
  t.pte(4, 0x304000 | P | RW | US);
  CHECK(t.err(0x404000, R, USR) == 0x5);
}

TEST_CASE("32-bit paging: I/D is reported only with SMEP, never for NXE alone") {
  Legacy t;
  t.ctl.nxe = true;  // NXE without PAE: no XD bit, no I/D
  CHECK(t.err(0x800000, X, SUP) == 0x0);
  t.ctl.smep = true;
  CHECK(t.err(0x800000, X, SUP) == 0x10);
  CHECK(t.err(0x800000, X, USR) == 0x14);
}

TEST_CASE("32-bit paging: SMEP forbids supervisor fetches from user pages") {
  Legacy t;
  t.pte(6, 0x306000 | P | RW | US);
  t.pte(7, 0x307000 | P | RW);
  t.ctl.smep = true;
  CHECK(t.err(0x406000, X, SUP) == 0x11);
  CHECK(t.err(0x406000, X, SAC) == 0x11);
  CHECK_FALSE(t.walk(0x406000, X, USR).fault);
  CHECK_FALSE(t.walk(0x406000, R, SUP).fault);  // SMEP is about fetches only
  CHECK_FALSE(t.walk(0x407000, X, SUP).fault);
  t.ctl.smep = false;
  CHECK_FALSE(t.walk(0x406000, X, SUP).fault);
}

TEST_CASE("32-bit paging: SMAP forbids supervisor data access to user pages unless AC=1") {
  Legacy t;
  t.pte(6, 0x306000 | P | RW | US);
  t.ctl.smap = true;
  t.ctl.wp = false;
  CHECK(t.err(0x406000, R, SUP) == 0x1);  // AC=0 or implicit
  CHECK(t.err(0x406000, W, SUP) == 0x3);  // even with WP=0
  CHECK(t.get32(0x2018) == (0x306000 | P | RW | US));
  WalkResult r = t.walk(0x406000, W, SAC);  // explicit with AC=1
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x306000);
  CHECK_FALSE(t.walk(0x406000, X, SUP).fault);  // SMAP is about data only
  CHECK_FALSE(t.walk(0x406000, R, USR).fault);
  // AC=1 lifts SMAP, not R/W: a read-only user page with WP=1 still refuses.
  t.ctl.wp = true;
  t.pte(8, 0x308000 | P | US);
  CHECK(t.err(0x408000, W, SAC) == 0x3);
  CHECK_FALSE(t.walk(0x408000, R, SAC).fault);
}

TEST_CASE("32-bit paging: 4 MiB pages with CR4.PSE, PSE-36 high bits and reserved bit 21") {
  Legacy t;
  t.ctl.pse = true;
  t.put32(0x1000 + 2 * 4, 0x00C00000 | P | RW | US | PS);  // va 0x800000 -> 0xC00000
  WalkResult r = t.walk(0x812345, W, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0xC12345);
  CHECK(r.page_shift == 22);
  CHECK(t.get32(0x1008) == (0x00C00000 | P | RW | US | PS | A | D));
  // Bits 20:13 hold physical bits 39:32 (MAXPHYADDR 40).
  t.put32(0x1000 + 3 * 4, 0x00400000 | (0x81u << 13) | P | PS);
  r = t.walk(0xC00004, R, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x8100400004ull);
  // Bit 21 is reserved: P|RSVD plus the access bits.
  t.put32(0x1000 + 4 * 4, 0x00400000 | (1u << 21) | P | PS | US);
  CHECK(t.err(0x1000000, R, SUP) == 0x9);
  CHECK(t.err(0x1000000, W, USR) == 0xF);
  // With MAXPHYADDR 36 only bits 16:13 are address; 21:17 are reserved.
  t.ctl.maxphyaddr = 36;
  t.put32(0x1000 + 5 * 4, 0x00400000 | (1u << 17) | P | PS);
  CHECK(t.err(0x1400000, R, SUP) == 0x9);
  t.put32(0x1000 + 5 * 4, 0x00400000 | (1u << 16) | P | PS);
  CHECK(t.walk(0x1400000, R, SUP).paddr == 0x800400000ull);
}

TEST_CASE("32-bit paging: PDE.PS is ignored without CR4.PSE") {
  Legacy t;
  t.ctl.pse = false;
  // Bit 21 is not reserved either: it is part of the page-table address.
  t.put32(0x1000 + 2 * 4, 0x00C00000 | P | RW | PS | (1u << 21));
  t.put32(0xE00000 + 0x12 * 4, 0x777000 | P | RW);  // PT at 0xE00000
  WalkResult r = t.walk(0x812345, R, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.page_shift == 12);
  CHECK(r.paddr == 0x777345);
}

TEST_CASE("32-bit paging: G counts only with CR4.PGE and only on the leaf") {
  Legacy t;
  t.put32(0x1004, 0x2000 | P | RW | US | G);  // G in a PDE that points to a PT: ignored
  t.pte(9, 0x309000 | P | RW);
  t.pte(10, 0x30A000 | P | RW | G);
  t.ctl.pge = true;
  CHECK_FALSE(t.walk(0x409000, R, SUP).global);
  CHECK(t.walk(0x40A000, R, SUP).global);
  t.ctl.pge = false;
  CHECK_FALSE(t.walk(0x40A000, R, SUP).global);
}

// ---------------------------------------------------------------- PAE

TEST_CASE("PAE: PDPTE registers load, reserved bits refuse the load") {
  Pae t;
  CHECK(t.ctl.pdpte[0] == (0x4000 | P));
  uint64_t out[4] = {1, 2, 3, 4};
  for (uint64_t bad : {RW, US, A, D, PS, G, XD, uint64_t{1} << 40}) {
    CAPTURE(bad);
    t.put64(0x3008, 0x6000 | P | bad);
    CHECK_FALSE(loadPdptes(t.mem, 0x3000, out));
    CHECK(out[0] == 1);  // untouched
  }
  t.put64(0x3008, 0x6000 | P | (1ull << 40));
  CHECK(loadPdptes(t.mem, 0x3000, out, 52));  // below MAXPHYADDR 52 it is an address bit
  t.put64(0x3008, 0x6000 | RW | XD);           // not present: anything goes
  REQUIRE(loadPdptes(t.mem, 0x3000, out));
  CHECK(out[0] == (0x4000 | P));
  CHECK(out[1] == (0x6000 | RW | XD));
  // The table is 32-byte aligned at CR3[31:5]; PWT/PCD bits and CR3[63:32] are ignored.
  t.put64(0x3020, 0xA000 | P);
  REQUIRE(loadPdptes(t.mem, 0xFFFFFFFF00003038ull, out));
  CHECK(out[0] == (0xA000 | P));
}

TEST_CASE("PAE: 4 KiB and 2 MiB translations, A on PD/PT (never the PDPTE), D on the leaf") {
  Pae t;
  t.put64(0x5000 + 3 * 8, 0x7000 | P | RW);
  WalkResult r = t.walk(0x3ABC, W, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x7ABC);
  CHECK(t.get64(0x4000) == (0x5000 | P | RW | US | A));
  CHECK(t.get64(0x5018) == (0x7000 | P | RW | A | D));
  CHECK(t.get64(0x3000) == (0x4000 | P));
  t.put64(0x4000 + 8, 0x600000 | P | RW | US | PS);
  r = t.walk(0x212345, R, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x612345);
  CHECK(r.page_shift == 21);
  CHECK_FALSE(r.dirty);
  CHECK(t.get64(0x4008) == (0x600000 | P | RW | US | PS | A));
  // A physical address above 4 GiB (bit 12 of a 2 MiB PDE is PAT, not address).
  t.put64(0x4000 + 16, 0x2340000000ull | 0x1000 | P | PS);
  CHECK(t.walk(0x400010, R, SUP).paddr == 0x2340000010ull);
}

TEST_CASE("PAE: not-present PDPTE register and I/D with NXE") {
  Pae t;
  CHECK(t.err(0x40000000, R, SUP) == 0x0);  // PDPTE[1] not present
  CHECK(t.err(0x40000000, X, SUP) == 0x0);  // no NXE, no SMEP: no I/D
  t.ctl.nxe = true;
  CHECK(t.err(0x40000000, X, SUP) == 0x10);
  CHECK(t.err(0x40000000, X, USR) == 0x14);
}

TEST_CASE("PAE: reserved bits 62:MAXPHYADDR, XD without NXE, 2 MiB bits 20:13") {
  Pae t;
  t.put64(0x5000, 0x7000 | P | RW | (1ull << 52));  // ignored in 4-level, reserved here
  CHECK(t.err(0x0, R, SUP) == 0x9);
  t.put64(0x5000, 0x7000 | P | RW | (1ull << 45));
  CHECK(t.err(0x0, W, SUP) == 0xB);
  t.put64(0x5000, 0x7000 | P | RW | XD);
  CHECK(t.err(0x0, R, USR) == 0xD);
  t.ctl.nxe = true;
  CHECK_FALSE(t.walk(0x0, R, SUP).fault);
  t.put64(0x4000 + 8, 0x600000 | P | RW | PS | (1ull << 13));
  CHECK(t.err(0x200000, R, SUP) == 0x9);
  t.put64(0x4000 + 8, 0x600000 | P | RW | PS | (1ull << 12));  // PAT: fine
  CHECK_FALSE(t.walk(0x200000, R, SUP).fault);
  // Reserved bits in the PD entry are found before the PT is even looked at.
  t.put64(0x4000, 0x5000 | P | RW | US | (1ull << 50));
  t.put64(0x5000, 0);
  CHECK(t.err(0x0, X, USR) == 0x1D);
  // A PDPTE register with reserved bits (hand-built controls) also faults.
  t.ctl.pdpte[0] = 0x4000 | P | RW;
  CHECK(t.err(0x0, R, SUP) == 0x9);
}

TEST_CASE("PAE: NX pages refuse fetches only, with I/D") {
  Pae t;
  t.ctl.nxe = true;
  t.put64(0x5000 + 8, 0x8000 | P | RW | US | XD);
  CHECK(t.err(0x1000, X, SUP) == 0x11);
  CHECK(t.err(0x1000, X, USR) == 0x15);
  WalkResult r = t.walk(0x1000, W, USR);
  REQUIRE_FALSE(r.fault);
  CHECK_FALSE(r.perms.executable);
  // XD in the PD makes the whole 2 MiB non-executable.
  t.put64(0x4000, 0x5000 | P | RW | US | XD);
  t.put64(0x5000 + 16, 0x9000 | P | RW | US);
  CHECK(t.err(0x2000, X, USR) == 0x15);
}

// ---------------------------------------------------------------- 4-level

TEST_CASE("4-level: 4 KiB translation sets A on all four levels") {
  Long t;
  t.pte(1, 0x20000 | P | RW | US);
  WalkResult r = t.walk(0x1234, R, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x20234);
  CHECK(t.get64(0x10000) == (0x11000 | P | RW | US | A));
  CHECK(t.get64(0x11000) == (0x12000 | P | RW | US | A));
  CHECK(t.get64(0x12000) == (0x13000 | P | RW | US | A));
  CHECK(t.get64(0x13008) == (0x20000 | P | RW | US | A));
  r = t.walk(0x1234, W, USR);
  CHECK(r.dirty);
  CHECK(t.get64(0x13008) == (0x20000 | P | RW | US | A | D));
  CHECK(t.get64(0x12000) == (0x13000 | P | RW | US | A));
}

TEST_CASE("4-level: high canonical addresses index with bits 47:12") {
  Long t;
  t.put64(0x16000 + 5 * 8, 0xABC000 | P | RW | G);
  t.ctl.pge = true;
  WalkResult r = t.walk(0xFFFF800000005678ull, R, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0xABC678);
  CHECK(r.global);
  CHECK(t.err(0xFFFF800000005678ull, R, USR) == 0x5);
  CHECK(t.err(0xFFFF800000006000ull, W, USR) == 0x6);
}

TEST_CASE("4-level: 2 MiB and 1 GiB pages, D on the large leaf") {
  Long t;
  t.put64(0x12000 + 8, 0xE00000 | P | RW | US | PS);  // va 0x200000 -> 0xE00000
  WalkResult r = t.walk(0x2ABCDE, W, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0xEABCDE);
  CHECK(r.page_shift == 21);
  CHECK(t.get64(0x12008) == (0xE00000 | P | RW | US | PS | A | D));
  t.put64(0x11000 + 8, 0x80000000ull | P | RW | PS | G);  // va 1G -> 2G
  t.ctl.pge = true;
  r = t.walk(0x40000000ull + 0x3456789, R, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x83456789ull);
  CHECK(r.page_shift == 30);
  CHECK(r.global);
  CHECK(t.get64(0x11008) == (0x80000000ull | P | RW | PS | G | A));
}

TEST_CASE("4-level: reserved-bit faults at every level") {
  Long t;
  t.pte(0, 0x20000 | P | RW | US);
  SUBCASE("PML4E.PS") {
    // Would be a 512 GiB page at 0 if PS were honoured at this level.
    t.put64(0x10000 + 8, P | RW | US | PS);
    CHECK(t.err(0x8000000000ull, R, SUP) == 0x9);
  }
  SUBCASE("1 GiB page not supported") {
    t.ctl.page1gb = false;
    t.put64(0x11000 + 8, 0x80000000ull | P | RW | PS);
    CHECK(t.err(0x40000000, R, SUP) == 0x9);
  }
  SUBCASE("1 GiB page bits 29:13") {
    t.put64(0x11000 + 8, 0x80000000ull | P | RW | PS | (1ull << 29));
    CHECK(t.err(0x40000000, R, SUP) == 0x9);
  }
  SUBCASE("2 MiB page bits 20:13") {
    t.put64(0x12000 + 8, 0xE00000 | P | RW | PS | (1ull << 20));
    CHECK(t.err(0x200000, W, USR) == 0xF);
    // Reserved-bit faults set no A bits on the levels above either.
    CHECK(t.get64(0x10000) == (0x11000 | P | RW | US));
    CHECK(t.get64(0x11000) == (0x12000 | P | RW | US));
  }
  SUBCASE("bits 51:MAXPHYADDR in a PDPTE") {
    t.put64(0x11000, 0x12000 | P | RW | US | (1ull << 51));
    CHECK(t.err(0x0, R, SUP) == 0x9);
  }
  SUBCASE("XD without NXE") {
    t.ctl.nxe = false;
    t.pte(0, 0x20000 | P | RW | US | XD);
    CHECK(t.err(0x0, R, SUP) == 0x9);
    CHECK(t.err(0x0, X, SUP) == 0x9);  // no I/D: NXE off, SMEP off
  }
  SUBCASE("bits 62:52 are ignored, not reserved") {
    t.pte(0, 0x20000 | P | RW | US | (0x7FFull << 52));
    WalkResult r = t.walk(0x10, R, SUP);
    REQUIRE_FALSE(r.fault);
    CHECK(r.paddr == 0x20010);
  }
  SUBCASE("MAXPHYADDR 52 makes bit 45 an address bit") {
    t.ctl.maxphyaddr = 52;
    t.pte(0, 0x200000020000ull | P);
    CHECK(t.walk(0x10, R, SUP).paddr == 0x200000020010ull);
    t.ctl.maxphyaddr = 40;
    CHECK(t.err(0x10, R, SUP) == 0x9);
  }
}

TEST_CASE("4-level: rights are the AND over all levels, no A/D on a protection fault") {
  Long t;
  t.ctl.wp = true;
  t.pte(2, 0x22000 | P | RW | US);
  t.put64(0x10000, 0x11000 | P | US);  // PML4E read-only
  CHECK(t.err(0x2000, W, SUP) == 0x3);
  CHECK(t.get64(0x10000) == (0x11000 | P | US));
  CHECK(t.get64(0x13010) == (0x22000 | P | RW | US));
  t.put64(0x10000, 0x11000 | P | RW | US);
  t.put64(0x11000, 0x12000 | P | RW);  // PDPTE supervisor
  CHECK(t.err(0x2000, R, USR) == 0x5);
  t.put64(0x11000, 0x12000 | P | RW | US | XD);  // PDPTE no-execute
  CHECK(t.err(0x2000, X, USR) == 0x15);
  WalkResult r = t.walk(0x2000, W, USR);
  REQUIRE_FALSE(r.fault);
  CHECK(r.perms.user);
  CHECK(r.perms.writable);
  CHECK_FALSE(r.perms.executable);
}

TEST_CASE("4-level: SMEP and SMAP with exact error codes") {
  Long t;
  t.pte(3, 0x23000 | P | RW | US);
  t.ctl.smep = true;
  t.ctl.smap = true;
  CHECK(t.err(0x3000, X, SUP) == 0x11);
  CHECK(t.err(0x3000, R, SUP) == 0x1);
  CHECK(t.err(0x3000, W, SUP) == 0x3);
  CHECK_FALSE(t.walk(0x3000, R, SAC).fault);
  CHECK(t.err(0x3000, X, SAC) == 0x11);  // AC does not lift SMEP
  CHECK_FALSE(t.walk(0x3000, X, USR).fault);
}

TEST_CASE("walks of tables in ROM read them but cannot set A") {
  Long t;
  std::vector<uint8_t> rom(4096, 0);
  uint64_t pte = 0x20000 | P | RW;
  for (int i = 0; i < 8; ++i) rom[i] = static_cast<uint8_t>(pte >> (8 * i));
  t.mem.addRom(0x13000, rom, "pt-rom");
  WalkResult r = t.walk(0x0123, W, SUP);
  REQUIRE_FALSE(r.fault);
  CHECK(r.paddr == 0x20123);
  CHECK(t.get64(0x13000) == pte);
}
