// Loading firmware images from files and placing them in the address space.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sv {

class PhysicalMemory;

// Reads a whole file; throws ConfigError naming the file on failure.
std::vector<uint8_t> readImageFile(const std::string& path, const char* what);

// Maps a system BIOS image so its last byte is at 4 GiB - 1 (the reset
// vector is at 0xFFFFFFF0) and its last 128 KiB (or all of it, if smaller)
// also end at 1 MiB - 1, as on a PC. Throws ConfigError for a bad size.
void mapSystemBios(PhysicalMemory& mem, std::span<const uint8_t> image, const std::string& path);

}  // namespace sv
