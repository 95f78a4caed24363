#include "vmm/rom_loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "memory/physical_memory.h"
#include "vmm/machine_config.h"

namespace sv {

std::vector<uint8_t> readImageFile(const std::string& path, const char* what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ConfigError(std::string("cannot open ") + what + " '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> data;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.insert(data.end(), buf, buf + n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw ConfigError(std::string("cannot read ") + what + " '" + path + "'");
  return data;
}

void mapSystemBios(PhysicalMemory& mem, std::span<const uint8_t> image, const std::string& path) {
  constexpr uint64_t kMaxBios = 16ull << 20;
  if (image.empty() || image.size() % kPageSize != 0 || image.size() > kMaxBios)
    throw ConfigError("BIOS image '" + path + "' is " + std::to_string(image.size()) +
                      " bytes; it must be a non-zero multiple of 4096 bytes, at most 16 MiB");
  mem.addRom((1ull << 32) - image.size(), image, "bios");
  size_t isa = std::min<size_t>(image.size(), 128 * 1024);
  mem.addRom((1ull << 20) - isa, image.subspan(image.size() - isa), "isa-bios");
}

}  // namespace sv
