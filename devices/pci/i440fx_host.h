// The i440FX PCI and memory controller (82441FX PMC) at 00:00.0, as on
// QEMU's "pc" machine: 8086:1237, host bridge class 06/00.
//
// What it models (82441FX datasheet, 3.2): the PAM registers 0x59-0x5F,
// which decide per segment of 0xC0000-0xFFFFF whether reads and writes go
// to DRAM or to PCI (where the BIOS ROM answers), and the SMRAM register
// 0x72 (stored with its lock rule; there is no SMM yet, so 0xA0000-0xBFFFF
// always goes to PCI/VGA). Everything else in 0x40-0xFF is plain
// read/write storage so firmware that saves and restores it works.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "devices/pci/pci_function.h"

namespace sv {

// One PAM segment and where its accesses go.
struct PamSegment {
  uint32_t base;
  uint32_t size;
  bool read_ram;   // RE: reads from DRAM, else from PCI (ROM)
  bool write_ram;  // WE: writes to DRAM, else to PCI (dropped by ROM)
};

class I440fxHost final : public PciFunction {
 public:
  static constexpr unsigned kPam0 = 0x59;
  static constexpr unsigned kSmram = 0x72;
  static constexpr unsigned kPamSegments = 13;  // F0000 (64 KiB) + 12 x 16 KiB

  // `pam_changed` runs after any PAM register changed (also on reset), so
  // the board can remap 0xC0000-0xFFFFF and drop stale translations.
  explicit I440fxHost(std::function<void()> pam_changed);

  std::array<PamSegment, kPamSegments> pamSegments() const;
  void reset() override;

 private:
  void configChanged(unsigned offset, unsigned size) override;

  std::function<void()> pam_changed_;
  bool smram_locked_ = false;
};

}  // namespace sv
