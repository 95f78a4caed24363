// -kernel/-initrd/-append: reads the files and makes the boot plan (Linux
// bzImage first, then multiboot, as QEMU picks), so the Machine only applies
// it at every reset. Throws ConfigError naming the file and the problem.
#pragma once

#include <cstdint>
#include <string>

#include "vmm/boot_plan.h"

namespace sv {

struct DirectBootConfig {
  std::string kernel_path;
  std::string initrd_path;  // Linux: the initrd; multiboot: modules, comma-separated ("file args,...")
  std::string cmdline;
};

BootPlan planDirectBoot(const DirectBootConfig& config, uint64_t ram_bytes);

}  // namespace sv
