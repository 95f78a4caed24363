// A synthetic bzImage for loader and Machine tests: the setup header of a
// protocol 2.15 kernel and a protected-mode "kernel" of patterned bytes.
#pragma once

#include <cstdint>
#include <iterator>
#include <vector>

#include "vmm/little_endian.h"

namespace sv::test {

// 4 setup sectors + the boot sector, a protected-mode "kernel" of
// `payload` bytes, and a setup header of protocol 2.15.
struct FakeBzImage {
  uint8_t setup_sects = 4;
  uint16_t protocol = 0x020F;
  uint8_t loadflags = 0x01;  // LOADED_HIGH
  uint32_t payload = 0x3000;
  uint32_t initrd_addr_max = 0x7FFFFFFF;
  uint32_t cmdline_size = 2047;
  uint64_t pref_address = 0x1000000;
  uint32_t init_size = 0x800000;
  uint8_t relocatable = 1;
  uint16_t xloadflags = 0x0001;

  std::vector<uint8_t> build() const {
    const unsigned sects = setup_sects ? setup_sects : 4;
    std::vector<uint8_t> f((sects + 1) * 512 + payload, 0);
    f[0x1F1] = setup_sects;
    le::write32(f, 0x1F4, payload / 16);
    le::write16(f, 0x1FE, 0xAA55);
    f[0x200] = 0xEB;
    f[0x201] = 0x66;  // header ends at 0x268
    le::write32(f, 0x202, 0x53726448);
    le::write16(f, 0x206, protocol);
    le::write16(f, 0x20E, 0x300);  // kernel_version string at 0x500
    const char version[] = "6.1.0-test (synthetic)";
    std::copy(std::begin(version), std::end(version), f.begin() + 0x500);
    f[0x211] = loadflags;
    le::write32(f, 0x214, 0x100000);
    le::write32(f, 0x22C, initrd_addr_max);
    le::write32(f, 0x230, 0x200000);
    f[0x234] = relocatable;
    le::write16(f, 0x236, xloadflags);
    le::write32(f, 0x238, cmdline_size);
    le::write64(f, 0x258, pref_address);
    le::write32(f, 0x260, init_size);
    for (uint32_t i = 0; i < payload; ++i) f[(sects + 1) * 512 + i] = uint8_t(i * 7 + 1);
    return f;
  }
};

}  // namespace sv::test
