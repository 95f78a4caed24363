// Reads an 8-bit RGB PNG (what frontend/png_writer writes) for the display
// tests: pixels as 0x00RRGGBB.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sv::test {

struct PngImage {
  unsigned width = 0, height = 0;
  std::vector<uint32_t> pixels;
  uint32_t at(unsigned x, unsigned y) const { return pixels[size_t{y} * width + x]; }
};

// Empty image (0x0) when the file is missing or not an 8-bit RGB PNG.
PngImage readPng(const std::string& path);

}  // namespace sv::test
