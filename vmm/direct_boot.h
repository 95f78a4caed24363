// -kernel/-initrd/-append: reads the files and makes the boot plan (Linux
// bzImage first, then multiboot, as QEMU picks), so the Machine only applies
// it at every reset. Throws ConfigError naming the file and the problem.
#pragma once

#include <cstdint>
#include <string>

#include "vmm/boot_plan.h"
#include "vmm/linux_framebuffer.h"

namespace sv {

struct DirectBootConfig {
  std::string kernel_path;
  std::string initrd_path;  // Linux: the initrd; multiboot: modules, comma-separated ("file args,...")
  std::string cmdline;
};

// `framebuffer`: the display adapter's linear framebuffer, when there is
// one; a Linux kernel then gets a graphics mode on it (see linux_boot.h).
BootPlan planDirectBoot(const DirectBootConfig& config, uint64_t ram_bytes,
                        std::optional<FramebufferOffer> framebuffer = std::nullopt);

}  // namespace sv
