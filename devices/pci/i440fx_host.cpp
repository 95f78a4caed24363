#include "devices/pci/i440fx_host.h"

namespace sv {

namespace {
// SMRAM bits (82441FX 3.2.18).
constexpr uint8_t kSmramDOpen = 0x40;
constexpr uint8_t kSmramDCls = 0x20;
constexpr uint8_t kSmramDLck = 0x10;
constexpr uint8_t kSmramGSmrame = 0x08;
constexpr uint8_t kSmramCBaseSeg = 0x02;  // fixed: 0xA0000-0xBFFFF
}  // namespace

I440fxHost::I440fxHost(std::function<void()> pam_changed)
    : PciFunction(PciId{0x8086, 0x1237, 0x02, 0x06, 0x00, 0x00, 0x00}), pam_changed_(std::move(pam_changed)) {
  define16(pci::kCommand, 0x0006, 0x0006);
  define16(pci::kStatus, 0x0280, 0, 0xF900);
  for (unsigned o = 0x40; o < 0x100; ++o) define8(o, 0, 0xFF);
  // PAM0 holds only the F0000 segment (bits 5:4); PAM1-6 two segments each.
  // Bits 0/4 RE, 1/5 WE; the cache-enable bits are not modelled.
  define8(kPam0, 0, 0x30);
  for (unsigned i = 1; i < 7; ++i) define8(kPam0 + i, 0, 0x33);
  define8(kSmram, kSmramCBaseSeg, kSmramDOpen | kSmramDCls | kSmramDLck | kSmramGSmrame);
}

std::array<PamSegment, I440fxHost::kPamSegments> I440fxHost::pamSegments() const {
  std::array<PamSegment, kPamSegments> s{};
  const uint8_t pam0 = byte(kPam0) >> 4;
  s[0] = {0xF0000, 0x10000, (pam0 & 1) != 0, (pam0 & 2) != 0};
  for (unsigned i = 0; i < 12; ++i) {
    const uint8_t nibble = static_cast<uint8_t>(byte(kPam0 + 1 + i / 2) >> (4 * (i % 2)));
    s[1 + i] = {0xC0000u + 0x4000u * i, 0x4000, (nibble & 1) != 0, (nibble & 2) != 0};
  }
  return s;
}

void I440fxHost::reset() {
  PciFunction::reset();
  smram_locked_ = false;
  if (pam_changed_) pam_changed_();
}

void I440fxHost::configChanged(unsigned offset, unsigned size) {
  const unsigned end = offset + size;
  if (offset <= kSmram && kSmram < end) {
    // D_LCK: once set, D_OPEN reads 0 and only D_CLS stays writable until
    // reset (82441FX 3.2.18).
    if (!smram_locked_ && (byte(kSmram) & kSmramDLck)) {
      smram_locked_ = true;
      setWritable(kSmram, kSmramDCls);
    }
    if (smram_locked_) setByte(kSmram, static_cast<uint8_t>(byte(kSmram) & ~kSmramDOpen));
  }
  if (offset < kPam0 + 7 && end > kPam0 && pam_changed_) pam_changed_();
}

}  // namespace sv
