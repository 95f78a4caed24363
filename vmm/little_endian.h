// Little-endian field access for loaders that parse and build guest
// structures (boot headers, ELF, boot_params, multiboot info). Callers check
// bounds before reading; writes grow nothing and must fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sv::le {

inline uint64_t read(std::span<const uint8_t> bytes, size_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint64_t(bytes[offset + i]) << (8 * i);
  return v;
}
inline uint8_t read8(std::span<const uint8_t> b, size_t off) { return b[off]; }
inline uint16_t read16(std::span<const uint8_t> b, size_t off) { return uint16_t(read(b, off, 2)); }
inline uint32_t read32(std::span<const uint8_t> b, size_t off) { return uint32_t(read(b, off, 4)); }
inline uint64_t read64(std::span<const uint8_t> b, size_t off) { return read(b, off, 8); }

inline void write(std::span<uint8_t> bytes, size_t offset, unsigned size, uint64_t v) {
  for (unsigned i = 0; i < size; ++i) bytes[offset + i] = uint8_t(v >> (8 * i));
}
inline void write8(std::span<uint8_t> b, size_t off, uint8_t v) { b[off] = v; }
inline void write16(std::span<uint8_t> b, size_t off, uint16_t v) { write(b, off, 2, v); }
inline void write32(std::span<uint8_t> b, size_t off, uint32_t v) { write(b, off, 4, v); }
inline void write64(std::span<uint8_t> b, size_t off, uint64_t v) { write(b, off, 8, v); }

}  // namespace sv::le
