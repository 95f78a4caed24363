#include "vmm/elf32_image.h"

#include "vmm/little_endian.h"
#include "vmm/machine_config.h"

namespace sv {

namespace {

// ELF32 header and program header offsets (System V gABI, "ELF Header",
// "Program Header").
constexpr size_t kEhdrSize = 52, kPhdrSize = 32;
constexpr size_t kEiClass = 4, kEiData = 5, kEType = 16, kEMachine = 18, kEEntry = 24, kEPhoff = 28,
                 kEPhentsize = 42, kEPhnum = 44;
constexpr uint8_t kClass32 = 1, kClass64 = 2, kData2Lsb = 1;
constexpr uint16_t kTypeExec = 2, kMachine386 = 3;
constexpr uint32_t kPtLoad = 1;

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
  throw ConfigError("kernel '" + path + "': " + problem);
}

}  // namespace

bool looksLikeElf(std::span<const uint8_t> f) {
  return f.size() >= 4 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
}

Elf32Image parseElf32(std::span<const uint8_t> f, const std::string& path) {
  if (!looksLikeElf(f)) refuse(path, "not an ELF file");
  if (f.size() < kEhdrSize) refuse(path, "truncated ELF header (" + std::to_string(f.size()) + " bytes)");
  if (f[kEiClass] == kClass64) refuse(path, "is a 64-bit ELF; multiboot v1 loads 32-bit ELF kernels (or a.out-kludge images)");
  if (f[kEiClass] != kClass32) refuse(path, "unknown ELF class " + std::to_string(f[kEiClass]));
  if (f[kEiData] != kData2Lsb) refuse(path, "ELF file is not little-endian");
  if (le::read16(f, kEMachine) != kMachine386) refuse(path, "ELF machine is not i386 (e_machine " + std::to_string(le::read16(f, kEMachine)) + ")");
  if (le::read16(f, kEType) != kTypeExec) refuse(path, "ELF file is not an executable (e_type " + std::to_string(le::read16(f, kEType)) + ")");

  Elf32Image img;
  img.entry = le::read32(f, kEEntry);
  const uint32_t phoff = le::read32(f, kEPhoff);
  const uint16_t phentsize = le::read16(f, kEPhentsize);
  const uint16_t phnum = le::read16(f, kEPhnum);
  if (phnum == 0) refuse(path, "ELF file has no program headers");
  if (phentsize < kPhdrSize) refuse(path, "ELF program header size " + std::to_string(phentsize) + " is too small");
  if (uint64_t(phoff) + uint64_t(phentsize) * phnum > f.size()) refuse(path, "ELF program headers lie outside the file (truncated?)");

  for (unsigned i = 0; i < phnum; ++i) {
    const size_t ph = phoff + size_t(i) * phentsize;
    if (le::read32(f, ph) != kPtLoad) continue;
    Elf32Segment s{le::read32(f, ph + 4), le::read32(f, ph + 8), le::read32(f, ph + 12), le::read32(f, ph + 16),
                   le::read32(f, ph + 20)};
    if (uint64_t(s.file_offset) + s.file_size > f.size())
      refuse(path, "ELF segment " + std::to_string(i) + " extends past the end of the file (truncated?)");
    if (s.file_size > s.mem_size) refuse(path, "ELF segment " + std::to_string(i) + " has filesz > memsz");
    if (uint64_t(s.paddr) + s.mem_size > 0x100000000ull) refuse(path, "ELF segment " + std::to_string(i) + " extends past 4 GiB");
    if (s.mem_size != 0) img.segments.push_back(s);
  }
  if (img.segments.empty()) refuse(path, "ELF file has no loadable segments");
  return img;
}

}  // namespace sv
