#include "vmm/linux_boot.h"

#include <algorithm>
#include <cstdio>

#include "vmm/little_endian.h"
#include "vmm/machine_config.h"
#include "vmm/pc_memory_map.h"

namespace sv {

namespace {

// Offsets in the bzImage file and, from 0x1F1 on, in boot_params (boot.rst,
// "The real-mode kernel header"; zero-page.rst).
namespace hdr {
constexpr size_t kSetupSects = 0x1F1, kSyssize = 0x1F4, kBootFlag = 0x1FE, kJump = 0x200,
                 kMagic = 0x202, kVersion = 0x206, kKernelVersion = 0x20E, kTypeOfLoader = 0x210,
                 kLoadflags = 0x211, kCode32Start = 0x214, kRamdiskImage = 0x218,
                 kRamdiskSize = 0x21C, kCmdLinePtr = 0x228, kInitrdAddrMax = 0x22C,
                 kKernelAlignment = 0x230, kRelocatable = 0x234, kXloadflags = 0x236,
                 kCmdlineSize = 0x238, kPrefAddress = 0x258, kInitSize = 0x260;
constexpr uint32_t kMagicHdrS = 0x53726448;  // "HdrS"
constexpr uint16_t kBootFlagValue = 0xAA55;
}  // namespace hdr

namespace zero_page {
constexpr size_t kSize = 4096, kE820Entries = 0x1E8, kHeaderEnd = 0x290, kE820Table = 0x2D0,
                 kE820Max = 128, kE820EntrySize = 20;
}

constexpr uint16_t kMinProtocol = 0x0206;  // cmdline_size, initrd_addr_max, relocatable
constexpr uint64_t kInitrdAlign = 4096;

std::string hex(uint64_t v) { return hexString(v); }
[[noreturn]] void refuse(const std::string& path, const std::string& problem) { refuseKernel(path, problem); }
uint64_t alignDown(uint64_t v, uint64_t a) { return v / a * a; }

}  // namespace

bool looksLikeLinuxKernel(std::span<const uint8_t> image) {
  return image.size() >= hdr::kMagic + 4 && le::read32(image, hdr::kMagic) == hdr::kMagicHdrS;
}

LinuxSetupHeader parseLinuxSetupHeader(std::span<const uint8_t> image, const std::string& path) {
  // Everything read below lies inside the first two sectors.
  if (image.size() < 1024) refuse(path, "file too short for a Linux setup header (" + std::to_string(image.size()) + " bytes)");
  if (!looksLikeLinuxKernel(image)) refuse(path, "not a Linux bzImage (no \"HdrS\" magic at offset 0x202)");
  if (le::read16(image, hdr::kBootFlag) != hdr::kBootFlagValue) refuse(path, "boot flag at 0x1FE is not 0xAA55");

  LinuxSetupHeader h;
  h.protocol = le::read16(image, hdr::kVersion);
  if (h.protocol < kMinProtocol)
    refuse(path, "boot protocol " + std::to_string(h.protocol >> 8) + "." + std::to_string(h.protocol & 0xFF) +
                     " is too old (direct boot needs 2.06 or later)");
  // boot.rst: "If setup_sects is zero, the real value is 4."
  const unsigned sects = image[hdr::kSetupSects] ? image[hdr::kSetupSects] : 4;
  h.setup_bytes = (sects + 1) * 512;
  // boot.rst, "32-bit Boot Protocol": the header ends at 0x202 + byte at 0x201.
  h.header_end = hdr::kMagic + image[hdr::kJump + 1];
  if (h.header_end > zero_page::kHeaderEnd || h.header_end < hdr::kCmdlineSize + 4)
    refuse(path, "setup header length " + hex(h.header_end) + " is implausible");
  h.syssize_bytes = le::read32(image, hdr::kSyssize) * 16;
  h.loadflags = image[hdr::kLoadflags];
  h.code32_start = le::read32(image, hdr::kCode32Start);
  h.initrd_addr_max = le::read32(image, hdr::kInitrdAddrMax);
  h.kernel_alignment = le::read32(image, hdr::kKernelAlignment);
  h.relocatable = image[hdr::kRelocatable] != 0;
  h.cmdline_size = le::read32(image, hdr::kCmdlineSize);
  if (h.protocol >= 0x020A && h.header_end >= hdr::kInitSize + 4) {
    h.pref_address = le::read64(image, hdr::kPrefAddress);
    h.init_size = le::read32(image, hdr::kInitSize);
  }
  if (h.protocol >= 0x020C) h.xloadflags = le::read16(image, hdr::kXloadflags);

  if (!(h.loadflags & LinuxSetupHeader::kLoadedHigh))
    refuse(path, "a zImage that loads at 0x10000 (loadflags LOADED_HIGH clear); only bzImage is supported");
  if (h.syssize_bytes == 0) refuse(path, "syssize is 0: no protected-mode kernel");
  if (image.size() < uint64_t(h.setup_bytes) + h.syssize_bytes)
    refuse(path, "truncated: " + std::to_string(image.size()) + " bytes, the header promises " +
                     std::to_string(uint64_t(h.setup_bytes) + h.syssize_bytes));

  // kernel_version points (minus 0x200) at a NUL-terminated string in the setup code.
  if (const uint16_t kv = le::read16(image, hdr::kKernelVersion); kv != 0 && kv + 0x200u < h.setup_bytes) {
    const size_t start = kv + 0x200u;
    size_t end = start;
    while (end < h.setup_bytes && end - start < 128 && image[end] != 0) ++end;
    h.kernel_version.assign(reinterpret_cast<const char*>(image.data() + start), end - start);
  }
  return h;
}

BootPlan planLinuxBoot(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd,
                       std::string_view cmdline, uint64_t ram_bytes, const std::string& kernel_path,
                       std::optional<FramebufferOffer> framebuffer) {
  const LinuxSetupHeader h = parseLinuxSetupHeader(kernel, kernel_path);
  const uint64_t ram_end = ramEndBelow4G(ram_bytes);

  // The protected-mode kernel (syssize paragraphs after the setup sectors;
  // anything after it, such as a signature, is not part of the image) goes
  // to 1 MiB, never to pref_address: a relocatable kernel loaded at an
  // address that does not meet kernel_alignment realigns itself (boot.rst,
  // "kernel_alignment"), a non-relocatable one moves itself to
  // pref_address, and 1 MiB works for both with the least RAM.
  const uint64_t load = kLinuxKernelLoadAddress;
  const uint64_t image_end = load + h.syssize_bytes;
  // The kernel decompresses to and runs at max(load address, pref_address):
  // a non-relocatable kernel moves itself to pref_address (boot.rst,
  // "pref_address"), a relocatable one never goes below LOAD_PHYSICAL_ADDR,
  // which pref_address reports. It needs init_size bytes there ("init_size").
  const uint64_t run_address = std::max<uint64_t>(load, h.pref_address);
  const uint64_t footprint_end = std::max(image_end, run_address + h.init_size);
  if (footprint_end > ram_end)
    refuse(kernel_path, "needs RAM up to " + hex(footprint_end) + " (" + std::to_string((footprint_end + 0xFFFFF) >> 20) +
                            " MiB) to decompress and run, the machine has " + std::to_string(ram_end >> 20) +
                            " MiB below 4 GiB");

  if (cmdline.size() > h.cmdline_size)
    refuse(kernel_path, "command line of " + std::to_string(cmdline.size()) + " bytes exceeds the kernel's limit of " +
                            std::to_string(h.cmdline_size));
  if (cmdline.size() + 1 > boot_layout::kCmdlineCapacity)
    refuse(kernel_path, "command line of " + std::to_string(cmdline.size()) + " bytes is too long");

  // The initrd goes as high as possible (boot.rst, "initrd_addr_max":
  // highest address it may occupy), page aligned, above everything the
  // kernel will touch while it decompresses.
  uint64_t initrd_addr = 0;
  if (!initrd.empty()) {
    const uint64_t limit = std::min<uint64_t>(uint64_t(h.initrd_addr_max) + 1, ram_end);
    const uint64_t lowest = alignUp(footprint_end, kInitrdAlign);
    if (initrd.size() > limit || alignDown(limit - initrd.size(), kInitrdAlign) < lowest)
      refuse(kernel_path, "initrd of " + std::to_string(initrd.size()) + " bytes does not fit between the kernel's end " +
                              hex(lowest) + " and " + hex(limit) + " (add RAM or use a smaller initrd)");
    initrd_addr = alignDown(limit - initrd.size(), kInitrdAlign);
  }

  // The zero page: zeroed, setup header copied in, loader fields filled
  // (boot.rst, "32-bit Boot Protocol"; zero-page.rst).
  std::vector<uint8_t> zp(zero_page::kSize, 0);
  std::copy(kernel.begin() + hdr::kSetupSects, kernel.begin() + h.header_end, zp.begin() + hdr::kSetupSects);
  zp[hdr::kTypeOfLoader] = kLinuxLoaderTypeUndefined;
  le::write32(zp, hdr::kCode32Start, uint32_t(load));
  le::write32(zp, hdr::kCmdLinePtr, uint32_t(boot_layout::kCmdline));
  le::write32(zp, hdr::kRamdiskImage, uint32_t(initrd_addr));
  le::write32(zp, hdr::kRamdiskSize, uint32_t(initrd.size()));
  const std::vector<E820Entry> map = pcMemoryMap(ram_bytes);
  zp[zero_page::kE820Entries] = uint8_t(map.size());
  for (size_t i = 0; i < map.size() && i < zero_page::kE820Max; ++i) {
    const size_t off = zero_page::kE820Table + i * zero_page::kE820EntrySize;
    le::write64(zp, off, map[i].addr);
    le::write64(zp, off + 8, map[i].size);
    le::write32(zp, off + 16, uint32_t(map[i].type));
  }

  BootPlan plan;
  plan.ram_bytes = ram_bytes;
  // The graphics mode a boot loader would have set through the VESA BIOS.
  if (framebuffer)
    if (const std::optional<FramebufferMode> mode = linuxFramebufferMode(cmdline, kernel_path)) {
      if (uint64_t(mode->lineBytes()) * mode->height > framebuffer->vram_bytes)
        refuse(kernel_path, "the framebuffer mode does not fit in the adapter's " +
                                std::to_string(framebuffer->vram_bytes >> 20) + " MiB of video memory");
      writeVesaScreenInfo(zp, *mode, *framebuffer);
      plan.framebuffer = BootFramebuffer{framebuffer->base, *mode};
    }
  plan.writes.push_back(bootGdtWrite(boot_layout::kGdt));
  plan.writes.push_back({boot_layout::kBootParams, std::move(zp), 0, "boot_params"});
  std::vector<uint8_t> cmd(cmdline.begin(), cmdline.end());
  cmd.push_back(0);
  plan.writes.push_back({boot_layout::kCmdline, std::move(cmd), 0, "command line"});
  plan.writes.push_back({load,
                         std::vector<uint8_t>(kernel.begin() + h.setup_bytes,
                                              kernel.begin() + h.setup_bytes + h.syssize_bytes),
                         0, "kernel"});
  if (!initrd.empty()) plan.writes.push_back({initrd_addr, std::vector<uint8_t>(initrd.begin(), initrd.end()), 0, "initrd"});

  // 32-bit entry: ESI = boot_params, EBP = EDI = EBX = 0, IF = 0, flat
  // __BOOT_CS/__BOOT_DS, at the start of the protected-mode kernel. The
  // 64-bit entry (xloadflags) is not used: startup_32 enters long mode itself.
  plan.entry = flatEntryWithBootGdt(boot_layout::kGdt);
  plan.entry.eip = uint32_t(load);
  plan.entry.esi = uint32_t(boot_layout::kBootParams);

  plan.summary = "Linux boot protocol " + std::to_string(h.protocol >> 8) + "." + std::to_string(h.protocol & 0xFF) +
                 (h.kernel_version.empty() ? "" : " (" + h.kernel_version + ")") + ": kernel " + hex(load) + "+" +
                 hex(h.syssize_bytes) + ", runs up to " + hex(footprint_end) + ", boot_params " +
                 hex(boot_layout::kBootParams) + ", initrd " +
                 (initrd.empty() ? std::string("none") : hex(initrd_addr) + "+" + hex(initrd.size())) +
                 (plan.framebuffer ? ", framebuffer " + std::to_string(plan.framebuffer->mode.width) + "x" +
                                         std::to_string(plan.framebuffer->mode.height) + "x" +
                                         std::to_string(plan.framebuffer->mode.bpp) + " at " + hex(plan.framebuffer->base)
                                   : std::string());
  return plan;
}

}  // namespace sv
