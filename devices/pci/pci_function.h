// One PCI function's configuration space (PCI Local Bus Spec 3.0, ch. 6):
// 256 bytes with per-bit write masks, so read-only fields, writable fields,
// write-1-to-clear status bits and BAR sizing all follow from the masks.
//
// BARs: a BAR's writable bits are those above its size, so the standard
// sizing probe (write all ones, read back ~(size - 1) | type bits) works
// without special cases; the type bits (I/O, 64-bit, prefetchable) are
// read-only. A function that attaches a handler to a BAR has the window
// decoded in its PciBarSpace while the command register enables its space
// and the BAR holds an address (PCI 3.0 6.2.5.1); it follows every BAR or
// command write and goes at reset.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "devices/pci/pci_bar_space.h"

namespace sv {

namespace pci {
constexpr uint8_t kVendorId = 0x00;
constexpr uint8_t kDeviceId = 0x02;
constexpr uint8_t kCommand = 0x04;
constexpr uint8_t kStatus = 0x06;
constexpr uint8_t kRevision = 0x08;
constexpr uint8_t kClassProgIf = 0x09;
constexpr uint8_t kCacheLineSize = 0x0C;
constexpr uint8_t kLatencyTimer = 0x0D;
constexpr uint8_t kHeaderType = 0x0E;
constexpr uint8_t kBar0 = 0x10;
constexpr uint8_t kSubsystemVendorId = 0x2C;
constexpr uint8_t kInterruptLine = 0x3C;
constexpr uint8_t kInterruptPin = 0x3D;
constexpr uint8_t kHeaderTypeMultiFunction = 0x80;
}  // namespace pci

struct PciId {
  uint16_t vendor;
  uint16_t device;
  uint8_t revision;
  uint8_t class_code;  // base class
  uint8_t subclass;
  uint8_t prog_if;
  uint8_t header_type;  // 0x00 / 0x80 (multi-function)
};

class PciFunction {
 public:
  explicit PciFunction(const PciId& id);
  virtual ~PciFunction() = default;
  PciFunction(const PciFunction&) = delete;
  PciFunction& operator=(const PciFunction&) = delete;

  // Accesses of 1, 2 or 4 bytes; bytes beyond offset 0xFF read as ones and
  // ignore writes.
  uint32_t configRead(unsigned offset, unsigned size) const;
  void configWrite(unsigned offset, unsigned size, uint32_t value);

  // Back to the power-on image (PCI RST#); BAR windows go.
  virtual void reset();

  // The spaces this function's BARs decode into (PciBus::attach passes the
  // bus's). Without one, BARs are plain config registers.
  void connectBars(PciBarSpace* space);

  static constexpr unsigned kBarCount = 6;
  // Where BAR `index` is decoded now, or -1 when it is not.
  int64_t barAddress(unsigned index) const;

 protected:
  // Called after a write changed config bytes [offset, offset + size).
  virtual void configChanged(unsigned offset, unsigned size) {}

  // Sets a power-on value and its writable / write-1-to-clear bits.
  void define8(unsigned offset, uint8_t value, uint8_t writable = 0, uint8_t w1c = 0);
  void define16(unsigned offset, uint16_t value, uint16_t writable = 0, uint16_t w1c = 0);
  void define32(unsigned offset, uint32_t value, uint32_t writable = 0);
  // A 32-bit memory or I/O BAR of `size` bytes (a power of two; >= 16 for
  // memory, >= 4 for I/O).
  void defineBar(unsigned index, uint32_t size, bool io, bool prefetchable = false);
  // The device behind a defined BAR (of the matching kind).
  void attachIoBar(unsigned index, IoDevice& dev, std::string name);
  void attachMemoryBar(unsigned index, MmioHandler& dev, std::string name);

  uint8_t byte(unsigned offset) const { return config_[offset]; }
  // Run-time changes (lock bits and the like), undone by reset().
  void setByte(unsigned offset, uint8_t value) { config_[offset] = value; }
  void setWritable(unsigned offset, uint8_t writable) { writable_[offset] = writable; }
  uint32_t dword(unsigned offset) const { return configRead(offset, 4); }

 private:
  struct BarBinding {
    uint32_t size = 0;  // 0: no BAR defined at this index
    bool io = false;
    IoDevice* io_dev = nullptr;
    MmioHandler* mmio = nullptr;
    std::string name;
    int64_t decoded_at = -1;  // where the window is mapped now
  };
  int64_t wantedAddress(const BarBinding& bar, unsigned index) const;
  void updateBarDecoding();

  PciBarSpace* bar_space_ = nullptr;
  std::array<BarBinding, kBarCount> bars_;
  std::array<uint8_t, 256> config_{};
  std::array<uint8_t, 256> power_on_{};
  std::array<uint8_t, 256> writable_{};
  std::array<uint8_t, 256> power_on_writable_{};
  std::array<uint8_t, 256> w1c_{};
};

}  // namespace sv
