// A rendered guest screen: 32-bit pixels 0x00RRGGBB, row-major, at the
// mode's own resolution (the frontend scales it to the window's aspect).
#pragma once
#include <cstdint>
#include <vector>

namespace sv {

struct VgaFrame {
  unsigned width = 0, height = 0;
  std::vector<uint32_t> pixels;
  uint32_t at(unsigned x, unsigned y) const { return pixels[size_t{y} * width + x]; }
};

// The rows a render changed, [first, end); empty when nothing did.
struct VgaDirtyRows {
  unsigned first = 0, end = 0;
  bool empty() const { return first >= end; }
};

}  // namespace sv
