#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "vmm/little_endian.h"
#include "vmm/machine_config.h"
#include "vmm/multiboot_loader.h"

using namespace sv;

namespace {

constexpr uint64_t MiB = 1ull << 20;

void putHeader(std::vector<uint8_t>& f, size_t off, uint32_t flags) {
  le::write32(f, off, MultibootHeader::kMagic);
  le::write32(f, off + 4, flags);
  le::write32(f, off + 8, uint32_t(0) - MultibootHeader::kMagic - flags);
}

struct Segment {
  uint32_t vaddr, paddr;
  std::vector<uint8_t> data;
  uint32_t mem_size;
};

// A minimal ELF32 i386 executable: header, program headers, segment data,
// with a multiboot header at `header_off` (inside the first segment's data
// area when it is below 8 KiB).
std::vector<uint8_t> buildElf(uint32_t entry, const std::vector<Segment>& segs, uint32_t mb_flags = 0,
                              size_t header_off = 0x80) {
  const size_t phoff = 52, data_start = 0x1000;
  size_t size = data_start;
  for (const Segment& s : segs) size += s.data.size();
  std::vector<uint8_t> f(size, 0);
  f[0] = 0x7F, f[1] = 'E', f[2] = 'L', f[3] = 'F';
  f[4] = 1;  // ELFCLASS32
  f[5] = 1;  // little-endian
  f[6] = 1;  // EV_CURRENT
  le::write16(f, 16, 2);   // ET_EXEC
  le::write16(f, 18, 3);   // EM_386
  le::write32(f, 20, 1);
  le::write32(f, 24, entry);
  le::write32(f, 28, phoff);
  le::write16(f, 40, 52);
  le::write16(f, 42, 32);
  le::write16(f, 44, uint16_t(segs.size()));
  size_t data = data_start;
  for (size_t i = 0; i < segs.size(); ++i) {
    const size_t ph = phoff + 32 * i;
    le::write32(f, ph, 1);  // PT_LOAD
    le::write32(f, ph + 4, uint32_t(data));
    le::write32(f, ph + 8, segs[i].vaddr);
    le::write32(f, ph + 12, segs[i].paddr);
    le::write32(f, ph + 16, uint32_t(segs[i].data.size()));
    le::write32(f, ph + 20, segs[i].mem_size);
    le::write32(f, ph + 24, 5);
    std::copy(segs[i].data.begin(), segs[i].data.end(), f.begin() + data);
    data += segs[i].data.size();
  }
  putHeader(f, header_off, mb_flags);
  return f;
}

// A higher-half kernel: code at 0xC0100000 virtual, 1 MiB physical.
std::vector<uint8_t> higherHalfKernel() {
  return buildElf(0xC0100010, {{0xC0100000, 0x100000, std::vector<uint8_t>(0x800, 0x90), 0x3000},
                               {0xC0104000, 0x104000, std::vector<uint8_t>(0x100, 0xAB), 0x100}});
}

// An a.out-kludge image: the file is loaded from its start at 2 MiB, the
// header 0x40 bytes in, bss up to 2 MiB + 0x3000.
std::vector<uint8_t> kludgeKernel(uint32_t size = 0x1000) {
  std::vector<uint8_t> f(size, 0xCC);
  putHeader(f, 0x40, MultibootHeader::kAddressFields | MultibootHeader::kPageAlignModules);
  le::write32(f, 0x40 + 12, 0x200040);  // header_addr
  le::write32(f, 0x40 + 16, 0x200000);  // load_addr
  le::write32(f, 0x40 + 20, 0);         // load_end_addr: whole file
  le::write32(f, 0x40 + 24, 0x203000);  // bss_end_addr
  le::write32(f, 0x40 + 28, 0x200080);  // entry_addr
  return f;
}

std::string refusal(std::span<const uint8_t> kernel, std::span<const MultibootModule> mods = {}, uint64_t ram = 64 * MiB) {
  try {
    planMultibootBoot(kernel, mods, "", ram, "test/kernel.elf");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const MemoryWrite& writeAt(const BootPlan& plan, uint64_t addr) {
  for (const MemoryWrite& w : plan.writes)
    if (w.addr == addr) return w;
  FAIL("no write at " << addr);
  throw 0;
}

std::string stringAt(const BootPlan& plan, uint32_t addr) {
  for (const MemoryWrite& w : plan.writes)
    if (addr >= w.addr && addr < w.addr + w.bytes.size()) return std::string(reinterpret_cast<const char*>(w.bytes.data() + (addr - w.addr)));
  return "<unmapped>";
}

}  // namespace

TEST_CASE("the multiboot header is found 4-byte aligned in the first 8 KiB, with a valid checksum") {
  std::vector<uint8_t> f(16384, 0);
  CHECK_FALSE(findMultibootHeader(f));
  putHeader(f, 8180, 0);  // the last place a 12-byte header fits
  REQUIRE(findMultibootHeader(f));
  CHECK(findMultibootHeader(f)->file_offset == 8180);

  std::vector<uint8_t> late(16384, 0);
  putHeader(late, 8192, 0);
  CHECK_FALSE(findMultibootHeader(late));

  std::vector<uint8_t> unaligned(4096, 0);
  putHeader(unaligned, 0x42, 0);
  CHECK_FALSE(findMultibootHeader(unaligned));

  std::vector<uint8_t> two(4096, 0);
  putHeader(two, 0x10, 0);
  le::write32(two, 0x18, 0x1234);  // bad checksum: skipped
  putHeader(two, 0x40, 2);
  REQUIRE(findMultibootHeader(two));
  CHECK(findMultibootHeader(two)->file_offset == 0x40);
  CHECK(findMultibootHeader(two)->flags == 2);
}

TEST_CASE("an ELF kernel is loaded by its program headers at physical addresses") {
  const auto kernel = higherHalfKernel();
  const BootPlan plan = planMultibootBoot(kernel, {}, "root=x", 64 * MiB, "k");
  const MemoryWrite& text = writeAt(plan, 0x100000);
  CHECK(text.bytes.size() == 0x800);
  CHECK(text.bytes[0] == 0x90);
  CHECK(text.zero_tail == 0x2800);  // bss
  CHECK(writeAt(plan, 0x104000).bytes == std::vector<uint8_t>(0x100, 0xAB));
  // The entry (virtual 0xC0100010) translated through its segment.
  CHECK(plan.entry.eip == 0x100010);
  CHECK(plan.entry.eax == kMultibootBootloaderMagic);
  CHECK(plan.entry.ebx == boot_layout::kMultibootInfo);
  CHECK(plan.entry.code_selector == kBootCodeSelector);
  CHECK(plan.entry.data_selector == kBootDataSelector);
}

TEST_CASE("the boot information structure has memory, command line, modules and the memory map") {
  const auto kernel = higherHalfKernel();
  const std::vector<uint8_t> m0(5000, 1), m1(10, 2);
  const std::vector<MultibootModule> mods{{m0, "initrd.img quiet"}, {m1, "second"}};
  const BootPlan plan = planMultibootBoot(kernel, mods, "root=x", 64 * MiB, "k");

  const std::span<const uint8_t> info = writeAt(plan, boot_layout::kMultibootInfo).bytes;
  const uint32_t flags = le::read32(info, 0);
  CHECK((flags & (1u << 0)) != 0);   // mem_*
  CHECK((flags & (1u << 2)) != 0);   // cmdline
  CHECK((flags & (1u << 3)) != 0);   // mods
  CHECK((flags & (1u << 6)) != 0);   // mmap
  CHECK((flags & (1u << 9)) != 0);   // boot_loader_name
  CHECK((flags & (1u << 11)) == 0);  // no VBE
  CHECK(le::read32(info, 4) == 639);
  CHECK(le::read32(info, 8) == 63 * 1024);
  CHECK(stringAt(plan, le::read32(info, 16)) == "root=x");
  CHECK(stringAt(plan, le::read32(info, 64)) == "softvisor");

  REQUIRE(le::read32(info, 20) == 2);
  const uint32_t mods_addr = le::read32(info, 24);
  const std::span<const uint8_t> table = writeAt(plan, mods_addr).bytes;
  // Module 0 on the first page after the kernel (which ends at 0x104100).
  CHECK(le::read32(table, 0) == 0x105000);
  CHECK(le::read32(table, 4) == 0x105000 + 5000);
  CHECK(stringAt(plan, le::read32(table, 8)) == "initrd.img quiet");
  CHECK(le::read32(table, 12) == 0);
  CHECK(le::read32(table, 16) == 0x107000);  // page aligned after module 0
  CHECK(le::read32(table, 20) == 0x107000 + 10);
  CHECK(stringAt(plan, le::read32(table, 24)) == "second");
  CHECK(writeAt(plan, 0x105000).bytes == m0);

  const uint32_t mmap_len = le::read32(info, 44);
  const std::span<const uint8_t> mmap = writeAt(plan, le::read32(info, 48)).bytes;
  REQUIRE(mmap_len == 4 * 24);
  REQUIRE(mmap.size() == mmap_len);
  CHECK(le::read32(mmap, 0) == 20);  // size excludes itself
  CHECK(le::read64(mmap, 4) == 0);
  CHECK(le::read64(mmap, 12) == 0x9FC00);
  CHECK(le::read32(mmap, 20) == 1);
  CHECK(le::read64(mmap, 24 + 4) == 0x9FC00);
  CHECK(le::read32(mmap, 24 + 20) == 2);
  CHECK(le::read64(mmap, 48 + 4) == 0xE0000);
  CHECK(le::read64(mmap, 72 + 4) == 0x100000);
  CHECK(le::read64(mmap, 72 + 12) == 63 * MiB);
  CHECK(le::read32(mmap, 72 + 20) == 1);
}

TEST_CASE("an a.out-kludge image is loaded by its address fields") {
  const auto kernel = kludgeKernel();
  const BootPlan plan = planMultibootBoot(kernel, {}, "", 64 * MiB, "k");
  const MemoryWrite& img = writeAt(plan, 0x200000);
  CHECK(img.bytes == kernel);
  CHECK(img.zero_tail == 0x2000);
  CHECK(plan.entry.eip == 0x200080);

  // load_end_addr limits the loaded part.
  auto partial = kernel;
  le::write32(partial, 0x40 + 20, 0x200800);
  le::write32(partial, 0x40 + 8, uint32_t(0) - MultibootHeader::kMagic - le::read32(partial, 0x44));
  const BootPlan p2 = planMultibootBoot(partial, {}, "", 64 * MiB, "k");
  CHECK(writeAt(p2, 0x200000).bytes.size() == 0x800);
  CHECK(writeAt(p2, 0x200000).zero_tail == 0x2800);
}

TEST_CASE("malformed or unsupported multiboot kernels are refused with the file name and the problem") {
  std::vector<uint8_t> nothing(4096, 0);
  CHECK(contains(refusal(nothing), "kernel 'test/kernel.elf': no multiboot header"));

  CHECK(contains(refusal(buildElf(0x100000, {{0x100000, 0x100000, {1}, 1}}, MultibootHeader::kVideoMode)), "video mode"));
  CHECK(contains(refusal(buildElf(0x100000, {{0x100000, 0x100000, {1}, 1}}, 1u << 5)), "flags 0x20"));
  // Bits 17-31 are optional: unknown ones are ignored.
  CHECK(refusal(buildElf(0x100000, {{0x100000, 0x100000, {1}, 1}}, 1u << 20)).empty());

  auto elf64 = higherHalfKernel();
  elf64[4] = 2;
  CHECK(contains(refusal(elf64), "64-bit ELF"));

  auto not_elf = kludgeKernel();
  le::write32(not_elf, 0x44, 0);  // flags 0: needs ELF
  le::write32(not_elf, 0x48, uint32_t(0) - MultibootHeader::kMagic);
  CHECK(contains(refusal(not_elf), "not an ELF file"));

  auto wrong_machine = higherHalfKernel();
  le::write16(wrong_machine, 18, 62);
  CHECK(contains(refusal(wrong_machine), "not i386"));

  auto truncated = higherHalfKernel();
  truncated.resize(truncated.size() - 1);
  CHECK(contains(refusal(truncated), "past the end of the file"));

  auto bad_phdrs = higherHalfKernel();
  le::write32(bad_phdrs, 28, 0x7FFFFFF0);
  CHECK(contains(refusal(bad_phdrs), "program headers lie outside the file"));

  auto bss_smaller = buildElf(0x100000, {{0x100000, 0x100000, std::vector<uint8_t>(16, 1), 8}});
  CHECK(contains(refusal(bss_smaller), "filesz > memsz"));

  CHECK(contains(refusal(buildElf(0x300000, {{0x100000, 0x100000, {1}, 16}})), "entry point 0x300000 is outside"));
  CHECK(contains(refusal(buildElf(0x90000, {{0x90000, 0x90000, {1}, 16}})), "below 1 MiB"));
  CHECK(contains(refusal(buildElf(0x100000, {{0x100000, 0x100000, {1}, 16}}), {}, 1 * MiB + 8), "needs RAM up to 0x100010"));

  auto kludge_backwards = kludgeKernel();
  le::write32(kludge_backwards, 0x40 + 16, 0x300000);  // load_addr > header_addr
  CHECK(contains(refusal(kludge_backwards), "above header_addr"));

  auto kludge_truncated = kludgeKernel();
  le::write32(kludge_truncated, 0x40 + 20, 0x202000);  // wants 8 KiB of a 4 KiB file
  CHECK(contains(refusal(kludge_truncated), "truncated"));

  auto kludge_entry = kludgeKernel();
  le::write32(kludge_entry, 0x40 + 28, 0x100000);
  CHECK(contains(refusal(kludge_entry), "entry_addr 0x100000 is outside"));
}

TEST_CASE("modules that do not fit in RAM are refused") {
  const auto kernel = higherHalfKernel();
  const std::vector<uint8_t> fits(3 * MiB - 0x105000, 1), too_big(3 * MiB - 0x105000 + 1, 1);
  CHECK(refusal(kernel, std::vector<MultibootModule>{{fits, "a"}}, 3 * MiB).empty());
  CHECK(contains(refusal(kernel, std::vector<MultibootModule>{{too_big, "big.img"}}, 3 * MiB),
                 "multiboot module 0 ('big.img', 2076673 bytes) does not fit"));
}
