// The guest physical address space: RAM as one host allocation, ROM images,
// and MMIO windows with read/write handlers.
//
// Lookups here are the slow path: the CPU caches host pointers for RAM pages
// in its TLB, so this is consulted on a TLB fill and for MMIO accesses only.
#pragma once

#include <cstdint>
#include <memory>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace sv {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPageMask = kPageSize - 1;

// A device window in the physical address space. Offsets are relative to the
// window's base; size is 1, 2, 4 or 8 and accesses never cross the window.
class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint64_t mmioRead(uint64_t offset, unsigned size) = 0;
  virtual void mmioWrite(uint64_t offset, unsigned size, uint64_t value) = 0;
};

enum class RegionKind : uint8_t { Ram, Rom, Mmio };

struct MemoryRegion {
  uint64_t base;
  uint64_t size;
  RegionKind kind;
  uint8_t* host;        // RAM/ROM backing, nullptr for MMIO
  MmioHandler* mmio;    // MMIO only
  std::string name;
};

class PhysicalMemory {
 public:
  // Below-4G RAM stops at the PCI hole, as on QEMU's "pc" machine.
  static constexpr uint64_t kPciHoleStart = 0xC0000000;
  static constexpr uint64_t kHighRamBase = 0x100000000;

  explicit PhysicalMemory(uint64_t ram_bytes);
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  uint64_t ramSize() const { return ram_size_; }
  uint64_t ramBelow4G() const { return ram_below_4g_; }
  uint8_t* ramHost() const { return ram_; }

  // Maps a copy of `image` read-only at `base` (page aligned). A later
  // mapping takes precedence over an earlier one where they overlap.
  void addRom(uint64_t base, std::span<const uint8_t> image, std::string name);
  void addMmio(uint64_t base, uint64_t size, MmioHandler& handler, std::string name);
  // Takes away the window `handler` answers at `base` (a PCI BAR moving);
  // callers that cache translations must drop what they hold for it.
  void removeMmio(uint64_t base, const MmioHandler& handler);

  // The region that answers a read of `paddr` (findForWrite: a write), or
  // nullptr (unassigned: reads as all ones, writes are dropped, like an
  // open PC bus). They differ only inside the legacy shadow area.
  const MemoryRegion* find(uint64_t paddr) const { return route(paddr, false); }
  const MemoryRegion* findForWrite(uint64_t paddr) const { return route(paddr, true); }

  // The legacy BIOS area 0xC0000-0xFFFFF behind the chipset's shadow
  // controls (i440FX PAM): once a page is set here, its reads go to RAM or
  // to the bus (whatever ROM/MMIO is mapped there, else unassigned), and so
  // do its writes, independently. Pages never set keep plain precedence
  // (ROM over RAM). `base` and `size` must be 4 KiB aligned inside the
  // area. Callers that cache translations (TLBs, translated code) must
  // drop what they hold for the range.
  static constexpr uint64_t kLegacyShadowBase = 0xC0000;
  static constexpr uint64_t kLegacyShadowSize = 0x40000;
  void setLegacyShadow(uint64_t base, uint64_t size, bool read_ram, bool write_ram);

  // Host pointer for `paddr` when it is RAM (or ROM, for reads); valid up to
  // the end of its 4 KiB page. nullptr means: take the slow path.
  uint8_t* hostPointer(uint64_t paddr, bool write) const;

  // Slow-path accesses of 1/2/4/8 bytes that do not cross a page.
  uint64_t read(uint64_t paddr, unsigned size) const;
  void write(uint64_t paddr, unsigned size, uint64_t value);

  // Bulk copies for loaders and tests; may cross pages and regions.
  void readBlock(uint64_t paddr, void* dst, uint64_t len) const;
  void writeBlock(uint64_t paddr, const void* src, uint64_t len);

  const std::vector<MemoryRegion>& regions() const { return regions_; }

 private:
  static constexpr uint8_t kShadowControlled = 1u << 0;
  static constexpr uint8_t kShadowReadRam = 1u << 1;
  static constexpr uint8_t kShadowWriteRam = 1u << 2;

  const MemoryRegion* route(uint64_t paddr, bool write) const;
  const MemoryRegion* findByPrecedence(uint64_t paddr, bool skip_ram) const;

  uint8_t* ram_ = nullptr;
  uint64_t ram_size_ = 0;
  uint64_t ram_below_4g_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> rom_storage_;
  std::vector<MemoryRegion> regions_;  // later entries take precedence; [0] is RAM below 4 GiB
  uint8_t shadow_[kLegacyShadowSize / kPageSize] = {};  // kShadow* per page
};

}  // namespace sv
