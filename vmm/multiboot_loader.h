// Multiboot v1 direct boot (the Multiboot Specification 0.6.96): finding
// the header, loading an ELF32 kernel or an a.out-kludge image, modules,
// the boot information structure and the machine state at entry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vmm/boot_plan.h"

namespace sv {

// The multiboot header (spec 3.1.1-3.1.3) as found in the file.
struct MultibootHeader {
  uint32_t file_offset = 0;  // where the magic is
  uint32_t flags = 0;
  // Address fields, valid when flags has kAddressFields (the "a.out kludge").
  uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;

  static constexpr uint32_t kMagic = 0x1BADB002;
  static constexpr uint32_t kPageAlignModules = 1u << 0;
  static constexpr uint32_t kMemoryInfo = 1u << 1;
  static constexpr uint32_t kVideoMode = 1u << 2;
  static constexpr uint32_t kAddressFields = 1u << 16;
  static constexpr uint32_t kSearchLimit = 8192;  // the header lies in the first 8 KiB
};

// The value in EAX at entry (spec 3.2).
constexpr uint32_t kMultibootBootloaderMagic = 0x2BADB002;

// One boot module (spec 3.3, mods_*): its bytes and its command line.
struct MultibootModule {
  std::span<const uint8_t> data;
  std::string cmdline;
};

// The first valid header (magic, 4-byte aligned, checksum) in the first
// 8 KiB, or nothing. Throws nothing: used to pick a loader.
std::optional<MultibootHeader> findMultibootHeader(std::span<const uint8_t> image);

// Plans a multiboot boot. Throws ConfigError naming `kernel_path` for no
// header, a header requesting what we do not provide (video mode, unknown
// required flags), a malformed ELF or a.out-kludge layout, a kernel outside
// RAM or below 1 MiB, or modules that do not fit in RAM.
BootPlan planMultibootBoot(std::span<const uint8_t> kernel, std::span<const MultibootModule> modules,
                           std::string_view cmdline, uint64_t ram_bytes, const std::string& kernel_path);

}  // namespace sv
