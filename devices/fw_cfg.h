// QEMU's firmware configuration device (fw_cfg), x86 I/O flavour, as
// described in QEMU's docs/specs/fw_cfg: the guest selects an item with a
// 16-bit little-endian write to 0x510 and reads its bytes from 0x511, or
// hands the device a DMA descriptor through the big-endian address
// register at 0x514 (high half) / 0x518 (low half; writing it starts the
// transfer).
//
// Items are byte blobs keyed by selector; "files" get selectors from 0x20
// and are listed in the directory at 0x19. Selecting an unknown item reads
// zeros (no data), as QEMU does; such selectors can be reported once to a
// log (-d unimp).
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "devices/dma_memory.h"
#include "devices/io_bus.h"

namespace sv {

namespace fwcfg {
// Selector keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h).
constexpr uint16_t kSignature = 0x00;
constexpr uint16_t kId = 0x01;
constexpr uint16_t kUuid = 0x02;
constexpr uint16_t kRamSize = 0x03;
constexpr uint16_t kNoGraphic = 0x04;
constexpr uint16_t kNbCpus = 0x05;
constexpr uint16_t kMachineId = 0x06;
constexpr uint16_t kNuma = 0x0D;
constexpr uint16_t kBootMenu = 0x0E;
constexpr uint16_t kMaxCpus = 0x0F;
constexpr uint16_t kFileDir = 0x19;
constexpr uint16_t kFileFirst = 0x20;
constexpr uint16_t kWriteChannel = 0x4000;
constexpr uint16_t kArchLocal = 0x8000;
constexpr uint16_t kIrq0Override = kArchLocal + 2;
// ID bits: the traditional I/O interface and the DMA interface.
constexpr uint32_t kIdTraditional = 1u << 0;
constexpr uint32_t kIdDma = 1u << 1;
constexpr size_t kFileNameMax = 56;
}  // namespace fwcfg

class FwCfg final : public IoDevice {
 public:
  static constexpr uint16_t kSelectorPort = 0x510;
  static constexpr uint16_t kDataPort = 0x511;
  static constexpr uint16_t kDmaPort = 0x514;  // 8 bytes

  // `dma` is the memory the DMA interface reads descriptors from and
  // moves data to; `unimp_log` (may be null) gets one line per unknown
  // selector.
  FwCfg(DmaMemory& dma, std::FILE* unimp_log);
  void attach(IoBus& io);
  void reset();  // selector 0, offset 0, DMA address 0; items stay

  void setItem(uint16_t key, std::vector<uint8_t> data);
  // Adds a file (or replaces one of the same name); returns its selector.
  uint16_t addFile(const std::string& name, std::vector<uint8_t> data);
  const std::vector<uint8_t>* item(uint16_t key) const;

  uint32_t ioRead(uint16_t port, unsigned size) override;
  void ioWrite(uint16_t port, unsigned size, uint32_t value) override;

 private:
  void select(uint16_t key);
  uint8_t nextByte();
  void runDma(uint64_t descriptor_paddr);
  void rebuildDirectory();

  DmaMemory& dma_;
  std::FILE* unimp_log_;
  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::vector<std::pair<std::string, uint16_t>> files_;  // in selector order
  std::set<uint16_t> reported_;
  uint16_t selector_ = 0;
  uint32_t offset_ = 0;
  uint32_t dma_high_ = 0;
};

}  // namespace sv
