#include "devices/fw_cfg.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>

namespace sv {

namespace {
// DMA control bits (fw_cfg spec, "DMA interface").
constexpr uint32_t kDmaError = 0x01;
constexpr uint32_t kDmaRead = 0x02;
constexpr uint32_t kDmaSkip = 0x04;
constexpr uint32_t kDmaSelect = 0x08;
constexpr uint32_t kDmaWrite = 0x10;
// Reading the DMA address register returns this, big-endian ("QEMU CFG").
constexpr char kDmaSignature[8] = {'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G'};

uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }
uint64_t be64(const uint8_t* p) { return uint64_t{be32(p)} << 32 | be32(p + 4); }
void putBe32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
}  // namespace

FwCfg::FwCfg(DmaMemory& dma, std::FILE* unimp_log) : dma_(dma), unimp_log_(unimp_log) {
  setItem(fwcfg::kSignature, {'Q', 'E', 'M', 'U'});
  const uint32_t id = fwcfg::kIdTraditional | fwcfg::kIdDma;
  setItem(fwcfg::kId, {static_cast<uint8_t>(id), 0, 0, 0});
  rebuildDirectory();
}

void FwCfg::attach(IoBus& io) {
  io.registerPorts(kSelectorPort, 2, *this, "fw_cfg");
  io.registerPorts(kDmaPort, 8, *this, "fw_cfg-dma");
}

void FwCfg::reset() {
  selector_ = 0;
  offset_ = 0;
  dma_high_ = 0;
}

void FwCfg::setItem(uint16_t key, std::vector<uint8_t> data) { items_[key] = std::move(data); }

uint16_t FwCfg::addFile(const std::string& name, std::vector<uint8_t> data) {
  for (auto& [n, key] : files_)
    if (n == name) {
      setItem(key, std::move(data));
      rebuildDirectory();
      return key;
    }
  const uint16_t key = static_cast<uint16_t>(fwcfg::kFileFirst + files_.size());
  files_.emplace_back(name.substr(0, fwcfg::kFileNameMax - 1), key);
  setItem(key, std::move(data));
  rebuildDirectory();
  return key;
}

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

// The directory: a big-endian count, then per file a big-endian size and
// selector, two reserved bytes and a 56-byte NUL-padded name.
void FwCfg::rebuildDirectory() {
  std::vector<uint8_t> dir(4 + 64 * files_.size(), 0);
  putBe32(dir.data(), static_cast<uint32_t>(files_.size()));
  for (size_t i = 0; i < files_.size(); ++i) {
    uint8_t* e = dir.data() + 4 + 64 * i;
    putBe32(e, static_cast<uint32_t>(items_[files_[i].second].size()));
    e[4] = static_cast<uint8_t>(files_[i].second >> 8);
    e[5] = static_cast<uint8_t>(files_[i].second);
    std::memcpy(e + 8, files_[i].first.data(), files_[i].first.size());
  }
  items_[fwcfg::kFileDir] = std::move(dir);
}

void FwCfg::select(uint16_t key) {
  selector_ = key;
  offset_ = 0;
  // Bit 14 only says "write channel"; the item is the same.
  const uint16_t item_key = key & static_cast<uint16_t>(~fwcfg::kWriteChannel);
  if (!items_.count(item_key) && unimp_log_ && reported_.insert(item_key).second)
    std::fprintf(unimp_log_, "fw_cfg: guest selected unknown item 0x%04x\n", item_key);
}

uint8_t FwCfg::nextByte() {
  const std::vector<uint8_t>* d = item(selector_ & static_cast<uint16_t>(~fwcfg::kWriteChannel));
  if (!d || offset_ >= d->size()) return 0;  // past the end: zeros (spec)
  return (*d)[offset_++];
}

uint32_t FwCfg::ioRead(uint16_t port, unsigned size) {
  if (port == kDataPort) {
    // Wider reads return consecutive bytes, first byte lowest.
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint32_t{nextByte()} << (8 * i);
    return v;
  }
  if (port >= kDmaPort && port < kDmaPort + 8) {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      const unsigned at = port - kDmaPort + i;
      v |= uint32_t{static_cast<uint8_t>(at < 8 ? kDmaSignature[at] : 0xFF)} << (8 * i);
    }
    return v;
  }
  return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;  // the selector is write-only
}

void FwCfg::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  if (port == kSelectorPort) {
    select(static_cast<uint16_t>(size == 1 ? value & 0xFF : value & 0xFFFF));
    return;
  }
  if (port == kDataPort) return;  // writes through the data port are ignored (QEMU >= 2.4)
  // The DMA address register is big-endian; 32-bit halves only.
  if (port == kDmaPort && size == 4) {
    dma_high_ = bswap32(value);
  } else if (port == kDmaPort + 4 && size == 4) {
    const uint64_t addr = uint64_t{dma_high_} << 32 | bswap32(value);
    dma_high_ = 0;
    runDma(addr);
  }
}

// One descriptor: be32 control, be32 length, be64 address. The device
// clears control (or leaves only the error bit) when done.
void FwCfg::runDma(uint64_t descriptor) {
  uint8_t desc[16];
  dma_.dmaRead(descriptor, desc, sizeof desc);
  uint32_t control = be32(desc);
  uint32_t length = be32(desc + 4);
  uint64_t address = be64(desc + 8);

  if (control & kDmaSelect) select(static_cast<uint16_t>(control >> 16));
  bool error = false;
  if (control & kDmaWrite) {
    error = true;  // no writable items
  } else if (control & (kDmaRead | kDmaSkip)) {
    const std::vector<uint8_t>* d = item(selector_ & static_cast<uint16_t>(~fwcfg::kWriteChannel));
    const uint64_t avail = d && offset_ < d->size() ? d->size() - offset_ : 0;
    const uint32_t from_item = static_cast<uint32_t>(std::min<uint64_t>(avail, length));
    if (control & kDmaRead) {
      if (from_item) dma_.dmaWrite(address, d->data() + offset_, from_item);
      if (length > from_item) {
        // Past the end of the item the transfer is zero-filled.
        static constexpr uint8_t kZeros[4096] = {};
        for (uint64_t done = from_item; done < length;) {
          const uint64_t n = std::min<uint64_t>(sizeof kZeros, length - done);
          dma_.dmaWrite(address + done, kZeros, n);
          done += n;
        }
      }
    }
    offset_ += from_item;
  }
  uint8_t done[4];
  putBe32(done, error ? kDmaError : 0);
  dma_.dmaWrite(descriptor, done, sizeof done);
}

}  // namespace sv
