#include "memory/physical_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace sv {

PhysicalMemory::PhysicalMemory(uint64_t ram_bytes) : ram_size_(ram_bytes) {
  if (ram_bytes == 0 || (ram_bytes & kPageMask)) throw std::invalid_argument("RAM size must be a non-zero multiple of 4 KiB");
  // One anonymous mapping: pages the guest never touches cost no host memory.
  void* p = mmap(nullptr, ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  ram_ = static_cast<uint8_t*>(p);
  ram_below_4g_ = std::min(ram_bytes, kPciHoleStart);
  regions_.push_back({0, ram_below_4g_, RegionKind::Ram, ram_, nullptr, "ram-below-4g"});
  if (ram_bytes > ram_below_4g_)
    regions_.push_back({kHighRamBase, ram_bytes - ram_below_4g_, RegionKind::Ram, ram_ + ram_below_4g_, nullptr, "ram-above-4g"});
}

PhysicalMemory::~PhysicalMemory() {
  if (ram_) munmap(ram_, ram_size_);
}

void PhysicalMemory::addRom(uint64_t base, std::span<const uint8_t> image, std::string name) {
  if ((base & kPageMask) || image.empty()) throw std::invalid_argument("ROM '" + name + "' must be page aligned and non-empty");
  uint64_t size = (image.size() + kPageMask) & ~kPageMask;
  auto storage = std::make_unique<uint8_t[]>(size);
  std::memset(storage.get(), 0xFF, size);
  std::memcpy(storage.get(), image.data(), image.size());
  regions_.push_back({base, size, RegionKind::Rom, storage.get(), nullptr, std::move(name)});
  rom_storage_.push_back(std::move(storage));
}

void PhysicalMemory::addMmio(uint64_t base, uint64_t size, MmioHandler& handler, std::string name) {
  if ((base & kPageMask) || (size & kPageMask) || size == 0)
    throw std::invalid_argument("MMIO window '" + name + "' must be page aligned");
  regions_.push_back({base, size, RegionKind::Mmio, nullptr, &handler, std::move(name)});
}

void PhysicalMemory::removeMmio(uint64_t base, const MmioHandler& handler) {
  std::erase_if(regions_, [&](const MemoryRegion& r) { return r.kind == RegionKind::Mmio && r.base == base && r.mmio == &handler; });
}

void PhysicalMemory::setLegacyShadow(uint64_t base, uint64_t size, bool read_ram, bool write_ram) {
  if ((base & kPageMask) || (size & kPageMask) || base < kLegacyShadowBase ||
      base + size > kLegacyShadowBase + kLegacyShadowSize)
    throw std::invalid_argument("legacy shadow range outside 0xC0000-0xFFFFF or not page aligned");
  const uint8_t mode = static_cast<uint8_t>(kShadowControlled | (read_ram ? kShadowReadRam : 0) |
                                            (write_ram ? kShadowWriteRam : 0));
  for (uint64_t p = base; p < base + size; p += kPageSize) shadow_[(p - kLegacyShadowBase) / kPageSize] = mode;
}

const MemoryRegion* PhysicalMemory::findByPrecedence(uint64_t paddr, bool skip_ram) const {
  for (auto it = regions_.rbegin(); it != regions_.rend(); ++it)
    if (paddr >= it->base && paddr - it->base < it->size && !(skip_ram && it->kind == RegionKind::Ram)) return &*it;
  return nullptr;
}

const MemoryRegion* PhysicalMemory::route(uint64_t paddr, bool write) const {
  if (paddr - kLegacyShadowBase < kLegacyShadowSize) {
    const uint8_t mode = shadow_[(paddr - kLegacyShadowBase) / kPageSize];
    if (mode & kShadowControlled) {
      if (mode & (write ? kShadowWriteRam : kShadowReadRam)) return &regions_[0];
      return findByPrecedence(paddr, true);  // the bus side: ROM, MMIO or nothing
    }
  }
  return findByPrecedence(paddr, false);
}

uint8_t* PhysicalMemory::hostPointer(uint64_t paddr, bool write) const {
  const MemoryRegion* r = route(paddr, write);
  if (!r || r->kind == RegionKind::Mmio || (write && r->kind == RegionKind::Rom)) return nullptr;
  return r->host + (paddr - r->base);
}

uint64_t PhysicalMemory::read(uint64_t paddr, unsigned size) const {
  const MemoryRegion* r = find(paddr);
  if (!r) return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
  if (r->kind == RegionKind::Mmio) return r->mmio->mmioRead(paddr - r->base, size);
  uint64_t v = 0;
  std::memcpy(&v, r->host + (paddr - r->base), size);
  return v;
}

void PhysicalMemory::write(uint64_t paddr, unsigned size, uint64_t value) {
  const MemoryRegion* r = findForWrite(paddr);
  if (!r || r->kind == RegionKind::Rom) return;
  if (r->kind == RegionKind::Mmio) {
    r->mmio->mmioWrite(paddr - r->base, size, value);
    return;
  }
  std::memcpy(r->host + (paddr - r->base), &value, size);
}

void PhysicalMemory::readBlock(uint64_t paddr, void* dst, uint64_t len) const {
  auto* out = static_cast<uint8_t*>(dst);
  for (uint64_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(read(paddr + i, 1));
}

void PhysicalMemory::writeBlock(uint64_t paddr, const void* src, uint64_t len) {
  const auto* in = static_cast<const uint8_t*>(src);
  while (len) {
    // RAM runs in one copy (page by page inside the legacy shadow area,
    // whose routing is per page); MMIO byte by byte.
    const MemoryRegion* r = findForWrite(paddr);
    if (r && r->kind == RegionKind::Ram) {
      uint64_t n = std::min(len, r->base + r->size - paddr);
      if (paddr - kLegacyShadowBase < kLegacyShadowSize) n = std::min(n, kPageSize - (paddr & kPageMask));
      std::memcpy(r->host + (paddr - r->base), in, n);
      paddr += n, in += n, len -= n;
    } else if (r && r->kind == RegionKind::Mmio) {
      write(paddr, 1, *in);
      ++paddr, ++in, --len;
    } else {
      // ROM or unassigned: the bytes are dropped; skip to the next page
      // (routing changes at page granularity at most), so a huge DMA into
      // nothing costs pages, not bytes.
      const uint64_t n = std::min(len, kPageSize - (paddr & kPageMask));
      paddr += n, in += n, len -= n;
    }
  }
}

}  // namespace sv
