#include <doctest/doctest.h>

#include <vector>

#include "memory/code_page_map.h"
#include "memory/physical_memory.h"

using namespace sv;

namespace {
struct Recorder : CodePageListener {
  std::vector<uint64_t> pages;
  void codePageAdded(uint64_t page) override { pages.push_back(page); }
};
}  // namespace

TEST_CASE("code page map: set, test and clear by physical page") {
  PhysicalMemory mem(1 << 20);
  CodePageMap map(mem);
  CHECK_FALSE(map.test(0x5000));
  CHECK(map.generation() == 0);
  CHECK(map.set(0x5123));
  CHECK(map.test(0x5000));
  CHECK(map.test(0x5FFF));
  CHECK_FALSE(map.test(0x4FFF));
  CHECK_FALSE(map.test(0x6000));
  CHECK(map.markedPages() == 1);
  CHECK(map.generation() == 1);
  CHECK(map.set(0x5000));  // already marked: no new generation
  CHECK(map.generation() == 1);
  map.clear(0x5800);
  CHECK_FALSE(map.test(0x5000));
  CHECK(map.markedPages() == 0);
  CHECK(map.generation() == 2);
  map.clear(0x5800);  // not marked: nothing changes
  CHECK(map.generation() == 2);
  // The last RAM page is tracked; beyond RAM nothing is.
  CHECK(map.set(0xFF000));
  CHECK(map.test(0xFFFFF));
  CHECK_FALSE(map.set(0x100000));
  CHECK_FALSE(map.test(0x100000));
  CHECK_FALSE(map.set(0xFFFFF000));
}

TEST_CASE("code page map: RAM above 4 GiB is tracked, the PCI hole is not") {
  PhysicalMemory mem(PhysicalMemory::kPciHoleStart + (2 << 20));
  CodePageMap map(mem);
  CHECK_FALSE(map.set(PhysicalMemory::kPciHoleStart));
  CHECK(map.set(PhysicalMemory::kHighRamBase + 0x1000));
  CHECK(map.test(PhysicalMemory::kHighRamBase + 0x1FFF));
  CHECK_FALSE(map.test(PhysicalMemory::kHighRamBase));
  CHECK_FALSE(map.test(0x1000));  // its low twin is a different page
  CHECK(map.set(PhysicalMemory::kHighRamBase + (2 << 20) - 1));
  CHECK_FALSE(map.set(PhysicalMemory::kHighRamBase + (2 << 20)));
  CHECK(map.markedPages() == 2);
}

TEST_CASE("code page map: listeners hear of new marks only, with the page address") {
  PhysicalMemory mem(1 << 20);
  CodePageMap map(mem);
  Recorder a, b;
  map.addListener(&a);
  map.addListener(&b);
  map.addListener(&a);  // once is enough
  map.set(0x7abc);
  map.set(0x7000);
  map.clear(0x7000);
  map.set(0x8001);
  map.set(0x200000);  // outside RAM
  CHECK(a.pages == std::vector<uint64_t>{0x7000, 0x8000});
  CHECK(b.pages == std::vector<uint64_t>{0x7000, 0x8000});
  map.removeListener(&a);
  map.set(0x9000);
  CHECK(a.pages.size() == 2);
  CHECK(b.pages.back() == 0x9000);
}

TEST_CASE("code page map: 64-byte granules say which bytes of a page hold code") {
  CHECK(CodePageMap::granuleMask(0x5000, 1) == 1);
  CHECK(CodePageMap::granuleMask(0x503F, 2) == 3);           // straddles granules 0 and 1
  CHECK(CodePageMap::granuleMask(0x5FC0, 64) == 1ull << 63);
  CHECK(CodePageMap::granuleMask(0x5FFF, 8) == 1ull << 63);  // clipped to the page
  CHECK(CodePageMap::granuleMask(0x5000, 0x1000) == ~0ull);
  CHECK(CodePageMap::granuleMask(0x5000, 0) == 0);
  PhysicalMemory mem(1 << 20);
  CodePageMap map(mem);
  CHECK(map.set(0x5100, 0x30));  // bytes 0x100..0x12F: granule 4
  CHECK(map.test(0x5000));
  CHECK(map.holdsCode(0x512F, 1));
  CHECK(map.holdsCode(0x50FE, 4));  // its last bytes reach granule 4
  CHECK(map.holdsCode(0x5130, 0x10));  // same granule: conservatively code
  CHECK_FALSE(map.holdsCode(0x5140, 0x10));
  CHECK_FALSE(map.holdsCode(0x50C0, 0x40));
  CHECK_FALSE(map.holdsCode(0x6100, 1));  // another page
  CHECK(map.set(0x5F00, 1));
  map.setGranules(0x5000, CodePageMap::granuleMask(0x5F00, 1));  // the first block went
  CHECK(map.test(0x5000));
  CHECK_FALSE(map.holdsCode(0x5100, 1));
  CHECK(map.holdsCode(0x5F3F, 1));
  map.setGranules(0x5000, 0);  // the last went: no longer a code page
  CHECK_FALSE(map.test(0x5000));
  CHECK(map.markedPages() == 0);
}
