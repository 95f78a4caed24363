#include "tests/oracle/fxsave_image.h"

#include <cstring>

namespace sv::oracle {

namespace {
unsigned topOf(uint16_t fsw) { return (fsw >> 11) & 7; }
}  // namespace

void writeFxsaveImage(const X87Snapshot& s, uint8_t* image) {
  std::memset(image, 0, 512);
  std::memcpy(image + 0, &s.fcw, 2);
  std::memcpy(image + 2, &s.fsw, 2);
  image[4] = s.valid;
  std::memcpy(image + 24, &s.mxcsr, 4);
  std::memcpy(image + 160, s.xmm, sizeof s.xmm);
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned p = (topOf(s.fsw) + i) & 7;
    std::memcpy(image + 32 + 16 * i, &s.sig[p], 8);
    std::memcpy(image + 40 + 16 * i, &s.se[p], 2);
  }
}

X87Snapshot readFxsaveImage(const uint8_t* image) {
  X87Snapshot s;
  std::memcpy(&s.fcw, image + 0, 2);
  std::memcpy(&s.fsw, image + 2, 2);
  s.valid = image[4];
  std::memcpy(&s.mxcsr, image + 24, 4);
  std::memcpy(s.xmm, image + 160, sizeof s.xmm);
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned p = (topOf(s.fsw) + i) & 7;
    std::memcpy(&s.sig[p], image + 32 + 16 * i, 8);
    std::memcpy(&s.se[p], image + 40 + 16 * i, 2);
  }
  return s;
}

}  // namespace sv::oracle
