// Reading the loadable segments of an ELF32 (i386) executable, for the
// multiboot loader (multiboot spec 3.1.3: without the a.out kludge the
// kernel is an ELF image loaded by its program headers).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sv {

struct Elf32Segment {
  uint32_t file_offset = 0;
  uint32_t vaddr = 0;
  uint32_t paddr = 0;  // where the segment is loaded (physical)
  uint32_t file_size = 0;
  uint32_t mem_size = 0;  // >= file_size; the rest is zero (bss)
};

struct Elf32Image {
  uint32_t entry = 0;  // e_entry, a virtual address
  std::vector<Elf32Segment> segments;  // PT_LOAD only, in file order
};

// First bytes of an ELF file ("\x7F" "ELF"), whatever its class.
bool looksLikeElf(std::span<const uint8_t> file);

// Parses an ELF32 little-endian i386 executable. Throws ConfigError naming
// `path` for a truncated file, a wrong class/endianness/machine/type, a
// program header outside the file or a segment with filesz > memsz.
Elf32Image parseElf32(std::span<const uint8_t> file, const std::string& path);

}  // namespace sv
