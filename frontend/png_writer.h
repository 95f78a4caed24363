// Screenshots: a frame of 0x00RRGGBB pixels to an 8-bit RGB PNG (libpng).
#pragma once
#include <cstdint>
#include <string>

namespace sv {

// Returns an empty string on success, else a message naming the file and
// the problem.
std::string writePng(const std::string& path, unsigned width, unsigned height, const uint32_t* pixels);

}  // namespace sv
