// The physical memory map a PC firmware reports (INT 15h E820) for our
// "pc" board, shared by the direct-boot loaders: the Linux zero page's e820
// table and the multiboot mmap are both built from it.
#pragma once

#include <cstdint>
#include <vector>

namespace sv {

enum class E820Type : uint32_t { Ram = 1, Reserved = 2, Acpi = 3, Nvs = 4, Unusable = 5 };

struct E820Entry {
  uint64_t addr;
  uint64_t size;
  E820Type type;
  bool operator==(const E820Entry&) const = default;
};

// Top of conventional memory: the last KiB below 640 KiB is the EBDA, as
// SeaBIOS leaves it on QEMU's "pc" machine.
constexpr uint64_t kConventionalMemoryEnd = 0x9FC00;
constexpr uint64_t kBiosAreaStart = 0xF0000;   // system BIOS, up to 1 MiB
// Direct boot puts the ACPI tables (and the RSDP, which Linux finds by
// scanning 0xE0000-0xFFFFF) in 0xE0000-0xEFFFF, shadowed as RAM; it is
// reported reserved together with the BIOS area.
constexpr uint64_t kAcpiTablesStart = 0xE0000;
constexpr uint64_t kAcpiTablesSize = 0x10000;
constexpr uint64_t kHighMemoryStart = 0x100000;

// RAM below the PCI hole (3 GiB) and the rest remapped at 4 GiB, exactly as
// PhysicalMemory lays out `ram_bytes`. ram_bytes must exceed 1 MiB.
std::vector<E820Entry> pcMemoryMap(uint64_t ram_bytes);

// End of RAM below 4 GiB (exclusive) for `ram_bytes`.
uint64_t ramEndBelow4G(uint64_t ram_bytes);

}  // namespace sv
