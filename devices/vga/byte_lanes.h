// Wider accesses to byte-wide VGA registers and memory act as consecutive
// byte accesses, lowest address first (little-endian), as the ISA bus
// splits them for an 8-bit device.
#pragma once
#include <cstdint>

namespace sv {

template <typename ReadByte>
uint64_t readByteLanes(uint64_t first, unsigned size, ReadByte read_byte) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint64_t{read_byte(first + i)} << (8 * i);
  return v;
}

template <typename WriteByte>
void writeByteLanes(uint64_t first, unsigned size, uint64_t value, WriteByte write_byte) {
  for (unsigned i = 0; i < size; ++i) write_byte(first + i, static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace sv
