#include "vmm/multiboot_loader.h"

#include <algorithm>
#include <cstdio>

#include "vmm/elf32_image.h"
#include "vmm/little_endian.h"
#include "vmm/machine_config.h"
#include "vmm/pc_memory_map.h"

namespace sv {

namespace {

// Boot information structure (spec 3.3): offsets and flag bits.
namespace info {
constexpr size_t kSize = 120;  // up to and including the framebuffer fields
constexpr size_t kFlags = 0, kMemLower = 4, kMemUpper = 8, kCmdline = 16, kModsCount = 20, kModsAddr = 24,
                 kMmapLength = 44, kMmapAddr = 48, kBootLoaderName = 64;
constexpr uint32_t kHasMemory = 1u << 0, kHasCmdline = 1u << 2, kHasMods = 1u << 3, kHasMmap = 1u << 6,
                   kHasBootLoaderName = 1u << 9;
constexpr size_t kModEntrySize = 16;   // mod_start, mod_end, string, reserved
constexpr size_t kMmapEntrySize = 24;  // size (= 20, not counting itself), base, length, type
}  // namespace info

// Where the loader's own structures go (inside boot_layout's low area).
constexpr uint64_t kMmapAddr = boot_layout::kMultibootInfo + 0x100;
constexpr uint64_t kModsAddr = boot_layout::kMultibootInfo + 0x1000;
constexpr uint64_t kModsEnd = boot_layout::kMultibootInfo + 0x8000;
constexpr uint32_t kKnownRequiredFlags = MultibootHeader::kPageAlignModules | MultibootHeader::kMemoryInfo;

std::string hex(uint64_t v) { return hexString(v); }
[[noreturn]] void refuse(const std::string& path, const std::string& problem) { refuseKernel(path, problem); }

// The kernel image as memory writes, from the a.out-kludge address fields
// (spec 3.1.3, flag 16).
std::vector<MemoryWrite> kludgeWrites(const MultibootHeader& h, std::span<const uint8_t> file, uint32_t& entry,
                                      const std::string& path) {
  if (h.load_addr > h.header_addr) refuse(path, "multiboot load_addr " + hex(h.load_addr) + " is above header_addr " + hex(h.header_addr));
  const uint32_t header_delta = h.header_addr - h.load_addr;
  if (header_delta > h.file_offset)
    refuse(path, "multiboot header_addr - load_addr (" + hex(header_delta) + ") exceeds the header's file offset " + hex(h.file_offset));
  const uint64_t file_start = h.file_offset - header_delta;
  const uint64_t load_size = h.load_end_addr ? uint64_t(h.load_end_addr) - h.load_addr : file.size() - file_start;
  if (h.load_end_addr && h.load_end_addr < h.load_addr) refuse(path, "multiboot load_end_addr is below load_addr");
  if (file_start + load_size > file.size())
    refuse(path, "truncated: multiboot load_end_addr " + hex(h.load_end_addr) + " needs " + std::to_string(file_start + load_size) +
                     " bytes of file, it has " + std::to_string(file.size()));
  const uint64_t load_end = h.load_addr + load_size;
  if (h.bss_end_addr && h.bss_end_addr < load_end) refuse(path, "multiboot bss_end_addr is below the end of the loaded image");
  const uint64_t bss = h.bss_end_addr ? h.bss_end_addr - load_end : 0;
  entry = h.entry_addr;
  if (entry < h.load_addr || entry >= load_end + bss) refuse(path, "multiboot entry_addr " + hex(entry) + " is outside the loaded image");
  return {MemoryWrite{h.load_addr, std::vector<uint8_t>(file.begin() + file_start, file.begin() + file_start + load_size), bss, "kernel"}};
}

// The kernel image as memory writes, from ELF32 program headers: segments
// go to their physical addresses; the entry point (virtual) is translated
// through the segment holding it, as GRUB does for higher-half kernels.
std::vector<MemoryWrite> elfWrites(std::span<const uint8_t> file, uint32_t& entry, const std::string& path) {
  const Elf32Image elf = parseElf32(file, path);
  std::vector<MemoryWrite> writes;
  std::optional<uint32_t> physical_entry;
  for (const Elf32Segment& s : elf.segments) {
    writes.push_back({s.paddr,
                      std::vector<uint8_t>(file.begin() + s.file_offset, file.begin() + s.file_offset + s.file_size),
                      s.mem_size - s.file_size, "kernel segment"});
    if (elf.entry >= s.vaddr && elf.entry - s.vaddr < s.mem_size) physical_entry = s.paddr + (elf.entry - s.vaddr);
  }
  if (!physical_entry) refuse(path, "ELF entry point " + hex(elf.entry) + " is outside every loadable segment");
  entry = *physical_entry;
  return writes;
}

// Appends a NUL-terminated string to the string area; returns its address.
uint32_t addString(std::vector<uint8_t>& area, std::string_view s, const std::string& path) {
  if (area.size() + s.size() + 1 > boot_layout::kCmdlineCapacity)
    refuse(path, "multiboot command lines take more than " + std::to_string(boot_layout::kCmdlineCapacity) + " bytes");
  const uint32_t addr = uint32_t(boot_layout::kCmdline + area.size());
  area.insert(area.end(), s.begin(), s.end());
  area.push_back(0);
  return addr;
}

}  // namespace

std::optional<MultibootHeader> findMultibootHeader(std::span<const uint8_t> image) {
  const size_t limit = std::min<size_t>(image.size(), MultibootHeader::kSearchLimit);
  for (size_t off = 0; off + 12 <= limit; off += 4) {
    const uint32_t magic = le::read32(image, off);
    if (magic != MultibootHeader::kMagic) continue;
    const uint32_t flags = le::read32(image, off + 4);
    if (uint32_t(magic + flags + le::read32(image, off + 8)) != 0) continue;  // checksum (spec 3.1.2)
    MultibootHeader h;
    h.file_offset = uint32_t(off);
    h.flags = flags;
    if ((flags & MultibootHeader::kAddressFields) && off + 32 <= image.size()) {
      h.header_addr = le::read32(image, off + 12);
      h.load_addr = le::read32(image, off + 16);
      h.load_end_addr = le::read32(image, off + 20);
      h.bss_end_addr = le::read32(image, off + 24);
      h.entry_addr = le::read32(image, off + 28);
    }
    return h;
  }
  return std::nullopt;
}

BootPlan planMultibootBoot(std::span<const uint8_t> kernel, std::span<const MultibootModule> modules,
                           std::string_view cmdline, uint64_t ram_bytes, const std::string& kernel_path) {
  const std::optional<MultibootHeader> found = findMultibootHeader(kernel);
  if (!found) refuse(kernel_path, "no multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8 KiB");
  const MultibootHeader& h = *found;
  // Bits 0-15 are requirements: a loader that does not honour one must
  // refuse the kernel (spec 3.1.2).
  if (h.flags & MultibootHeader::kVideoMode) refuse(kernel_path, "multiboot header requests a video mode (flag 2), which direct boot does not set up");
  if (const uint32_t unknown = h.flags & 0xFFFF & ~kKnownRequiredFlags)
    refuse(kernel_path, "multiboot header requires features this loader does not know (flags " + hex(unknown) + ")");
  if ((h.flags & MultibootHeader::kAddressFields) && h.file_offset + 32 > kernel.size())
    refuse(kernel_path, "truncated multiboot header (address fields missing)");

  uint32_t entry = 0;
  std::vector<MemoryWrite> image = (h.flags & MultibootHeader::kAddressFields) ? kludgeWrites(h, kernel, entry, kernel_path)
                                                                               : elfWrites(kernel, entry, kernel_path);
  const uint64_t ram_end = ramEndBelow4G(ram_bytes);
  uint64_t image_end = 0;
  for (const MemoryWrite& w : image) {
    if (w.addr < kHighMemoryStart)
      refuse(kernel_path, "loads at " + hex(w.addr) + ", below 1 MiB, where direct boot keeps its own structures");
    if (w.end() > ram_end)
      refuse(kernel_path, "needs RAM up to " + hex(w.end()) + ", the machine has " + std::to_string(ram_end >> 20) + " MiB below 4 GiB");
    image_end = std::max(image_end, w.end());
  }

  BootPlan plan;
  plan.ram_bytes = ram_bytes;
  plan.writes.push_back(bootGdtWrite(boot_layout::kGdt));
  for (MemoryWrite& w : image) plan.writes.push_back(std::move(w));

  std::vector<uint8_t> strings;
  std::vector<uint8_t> bi(info::kSize, 0);
  uint32_t flags = info::kHasMemory | info::kHasCmdline | info::kHasMods | info::kHasMmap | info::kHasBootLoaderName;

  // mem_lower: KiB from 0; mem_upper: KiB of the first upper region from 1 MiB.
  le::write32(bi, info::kMemLower, uint32_t(kConventionalMemoryEnd / 1024));
  le::write32(bi, info::kMemUpper, uint32_t((ram_end - kHighMemoryStart) / 1024));
  le::write32(bi, info::kCmdline, addString(strings, cmdline, kernel_path));
  le::write32(bi, info::kBootLoaderName, addString(strings, "softvisor", kernel_path));

  // Modules: after the kernel, each page aligned (which satisfies flag 0).
  if (modules.size() > (kModsEnd - kModsAddr) / info::kModEntrySize) refuse(kernel_path, "too many multiboot modules");
  std::vector<uint8_t> mods(modules.size() * info::kModEntrySize, 0);
  uint64_t next = alignUp(image_end, kPageSize);
  for (size_t i = 0; i < modules.size(); ++i) {
    const MultibootModule& m = modules[i];
    if (next + m.data.size() > ram_end)
      refuse(kernel_path, "multiboot module " + std::to_string(i) + " ('" + m.cmdline + "', " + std::to_string(m.data.size()) +
                              " bytes) does not fit in RAM after " + hex(next));
    le::write32(mods, i * 16, uint32_t(next));
    le::write32(mods, i * 16 + 4, uint32_t(next + m.data.size()));
    le::write32(mods, i * 16 + 8, addString(strings, m.cmdline, kernel_path));
    plan.writes.push_back({next, std::vector<uint8_t>(m.data.begin(), m.data.end()), 0, "module " + std::to_string(i)});
    next = alignUp(next + m.data.size(), kPageSize);
  }
  le::write32(bi, info::kModsCount, uint32_t(modules.size()));
  le::write32(bi, info::kModsAddr, uint32_t(kModsAddr));

  // mmap (spec 3.3): entries whose size field does not count itself. Only
  // the part below 4 GiB matters to a 32-bit kernel, but 64-bit bases are
  // allowed, so the whole map is given.
  const std::vector<E820Entry> map = pcMemoryMap(ram_bytes);
  std::vector<uint8_t> mmap(map.size() * info::kMmapEntrySize, 0);
  for (size_t i = 0; i < map.size(); ++i) {
    const size_t off = i * info::kMmapEntrySize;
    le::write32(mmap, off, info::kMmapEntrySize - 4);
    le::write64(mmap, off + 4, map[i].addr);
    le::write64(mmap, off + 12, map[i].size);
    le::write32(mmap, off + 20, uint32_t(map[i].type));
  }
  le::write32(bi, info::kMmapLength, uint32_t(mmap.size()));
  le::write32(bi, info::kMmapAddr, uint32_t(kMmapAddr));
  le::write32(bi, info::kFlags, flags);

  plan.writes.push_back({boot_layout::kMultibootInfo, std::move(bi), 0, "multiboot info"});
  plan.writes.push_back({kMmapAddr, std::move(mmap), 0, "multiboot mmap"});
  if (!mods.empty()) plan.writes.push_back({kModsAddr, std::move(mods), 0, "multiboot modules"});
  plan.writes.push_back({boot_layout::kCmdline, std::move(strings), 0, "multiboot strings"});

  // Machine state (spec 3.2): EAX magic, EBX info, flat 32-bit segments,
  // PE on, PG off, IF and VM clear, A20 on; ESP undefined.
  plan.entry = flatEntryWithBootGdt(boot_layout::kGdt);
  plan.entry.eip = entry;
  plan.entry.eax = kMultibootBootloaderMagic;
  plan.entry.ebx = uint32_t(boot_layout::kMultibootInfo);
  plan.summary = std::string("multiboot ") + ((h.flags & MultibootHeader::kAddressFields) ? "a.out-kludge" : "ELF") +
                 " kernel up to " + hex(image_end) + ", entry " + hex(entry) + ", " + std::to_string(modules.size()) + " module(s)";
  return plan;
}

}  // namespace sv
