#include "vmm/direct_boot.h"

#include <vector>

#include "vmm/linux_boot.h"
#include "vmm/machine_config.h"
#include "vmm/multiboot_loader.h"
#include "vmm/rom_loader.h"

namespace sv {

namespace {

// QEMU's multiboot -initrd: modules separated by commas, each "path args".
std::vector<std::string> splitModules(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

BootPlan planDirectBoot(const DirectBootConfig& config, uint64_t ram_bytes, std::optional<FramebufferOffer> framebuffer) {
  std::vector<uint8_t> kernel = readImageFile(config.kernel_path, "kernel image");
  if (looksLikeLinuxKernel(kernel)) {
    std::vector<uint8_t> initrd;
    if (!config.initrd_path.empty()) initrd = readImageFile(config.initrd_path, "initrd");
    return planLinuxBoot(kernel, initrd, config.cmdline, ram_bytes, config.kernel_path, framebuffer);
  }
  if (findMultibootHeader(kernel)) {
    std::vector<std::string> specs = splitModules(config.initrd_path);
    std::vector<std::vector<uint8_t>> files;
    std::vector<MultibootModule> modules;
    files.reserve(specs.size());
    for (const std::string& spec : specs) {
      std::string path = spec.substr(0, spec.find(' '));
      files.push_back(readImageFile(path, "multiboot module"));
      modules.push_back(MultibootModule{files.back(), spec});
    }
    // The kernel's own command line starts with its file name (GRUB, QEMU).
    std::string cmdline = config.kernel_path + (config.cmdline.empty() ? "" : " " + config.cmdline);
    return planMultibootBoot(kernel, modules, cmdline, ram_bytes, config.kernel_path);
  }
  throw ConfigError("kernel image '" + config.kernel_path +
                    "' is neither a Linux bzImage (no \"HdrS\" header) nor a multiboot kernel (no header in its first 8 KiB)");
}

}  // namespace sv
