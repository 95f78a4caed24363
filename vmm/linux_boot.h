// Linux x86 boot protocol (Documentation/arch/x86/boot.rst): reading a
// bzImage's setup header and planning a direct boot through the 32-bit
// entry point, without running the kernel's real-mode setup code.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "vmm/boot_plan.h"
#include "vmm/linux_framebuffer.h"

namespace sv {

// The setup header fields a loader needs (boot.rst, "The real-mode kernel
// header"), as found in the file. Fields of later protocol versions are zero
// when the kernel's protocol is older.
struct LinuxSetupHeader {
  uint16_t protocol = 0;          // 0x206: e.g. 0x020F for 2.15
  uint32_t setup_bytes = 0;       // (setup_sects + 1) * 512: where the protected-mode kernel starts
  uint32_t header_end = 0;        // 0x202 + byte at 0x201: end of the header to copy into boot_params
  uint32_t syssize_bytes = 0;     // 0x1F4 * 16: size of the protected-mode kernel
  uint8_t loadflags = 0;          // 0x211
  uint32_t code32_start = 0;      // 0x214
  uint32_t initrd_addr_max = 0;   // 0x22C: highest byte an initrd may occupy
  uint32_t kernel_alignment = 0;  // 0x230
  bool relocatable = false;       // 0x234
  uint16_t xloadflags = 0;        // 0x236 (2.12+)
  uint32_t cmdline_size = 0;      // 0x238: longest command line, without the NUL
  uint64_t pref_address = 0;      // 0x258 (2.10+)
  uint32_t init_size = 0;         // 0x260 (2.10+): memory the kernel needs from its run address
  std::string kernel_version;     // the string kernel_version (0x20E) points at, if any

  static constexpr uint8_t kLoadedHigh = 0x01;      // loadflags bit 0
  static constexpr uint16_t kXlfKernel64 = 0x0001;  // xloadflags bit 0: 64-bit entry at load + 0x200
  bool hasEntry64() const { return (xloadflags & kXlfKernel64) != 0; }
};

// Where the protected-mode kernel is loaded: the classic bzImage address.
constexpr uint64_t kLinuxKernelLoadAddress = 0x100000;
// type_of_loader (0x210): 0xFF = "undefined" (boot.rst: no registered ID).
constexpr uint8_t kLinuxLoaderTypeUndefined = 0xFF;

// Is this a Linux bzImage at all ("HdrS" at 0x202)? Used to pick a loader.
bool looksLikeLinuxKernel(std::span<const uint8_t> image);

// Validates and reads the setup header. Throws ConfigError naming
// `kernel_path` for a truncated file, a missing "HdrS" or boot flag, a
// protocol older than 2.06, or a kernel that cannot be loaded high.
LinuxSetupHeader parseLinuxSetupHeader(std::span<const uint8_t> image, const std::string& kernel_path);

// Plans a direct boot: protected-mode kernel at 1 MiB, boot_params (zero
// page) with the setup header, e820 map, command line and initrd fields,
// the initrd as high as the kernel and RAM allow, and the 32-bit entry state
// (boot.rst, "32-bit Boot Protocol"). `initrd` may be empty. Throws
// ConfigError (naming `kernel_path`) when the kernel, command line or
// initrd does not fit. With a `framebuffer` offered (a VGA with a linear
// framebuffer), screen_info describes the mode `vga=` picks
// (linuxFramebufferMode) and the plan asks the Machine to set it.
BootPlan planLinuxBoot(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
                       std::string_view cmdline, uint64_t ram_bytes, const std::string& kernel_path,
                       std::optional<FramebufferOffer> framebuffer = std::nullopt);

}  // namespace sv
