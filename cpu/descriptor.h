// Segment and gate descriptors as they sit in the GDT/LDT/IDT (Intel SDM
// Vol. 3A, 3.4.5 and 6.11), decoded from their two (or, for 64-bit system
// descriptors and gates, four) dwords.
#pragma once

#include <cstdint>

#include "cpu/cpu_state.h"

namespace sv {

namespace sysdesc {
// System descriptor types (S = 0), SDM Table 3-2.
constexpr uint8_t TSS16_AVAIL = 0x1, LDT = 0x2, TSS16_BUSY = 0x3, CALL_GATE16 = 0x4,
                  TASK_GATE = 0x5, INT_GATE16 = 0x6, TRAP_GATE16 = 0x7, TSS32_AVAIL = 0x9,
                  TSS32_BUSY = 0xB, CALL_GATE32 = 0xC, INT_GATE32 = 0xE, TRAP_GATE32 = 0xF;
}  // namespace sysdesc

struct Descriptor {
  uint32_t lo = 0, hi = 0;

  uint8_t type() const { return (hi >> 8) & 0xF; }
  bool isSegment() const { return (hi >> 12) & 1; }  // S: code/data (1) or system (0)
  unsigned dpl() const { return (hi >> 13) & 3; }
  bool present() const { return (hi >> 15) & 1; }
  bool isCode() const { return isSegment() && (type() & 0x8); }
  bool isData() const { return isSegment() && !(type() & 0x8); }
  bool conforming() const { return isCode() && (type() & 0x4); }
  bool readable() const { return isCode() ? (type() & 0x2) : true; }
  bool writable() const { return isData() && (type() & 0x2); }
  bool longMode() const { return (hi >> 21) & 1; }
  bool defaultBig() const { return (hi >> 22) & 1; }
  bool granular() const { return (hi >> 23) & 1; }

  uint32_t base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000); }
  uint32_t limit() const {
    uint32_t raw = (lo & 0xFFFF) | (hi & 0xF0000);
    return granular() ? (raw << 12) | 0xFFF : raw;
  }
  // Attributes in SegmentCache::attr form: type,S,DPL,P | AVL,L,D/B,G << 8.
  uint16_t attr() const { return static_cast<uint16_t>(((hi >> 8) & 0xFF) | (((hi >> 20) & 0xF) << 8)); }

  // Gates.
  uint16_t gateSelector() const { return static_cast<uint16_t>(lo >> 16); }
  uint32_t gateOffset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000); }
  unsigned gateParamCount() const { return hi & 0x1F; }  // call gates
  unsigned gateIst() const { return hi & 0x7; }          // 64-bit interrupt gates
};

inline SegmentCache toCache(const Descriptor& d, uint16_t selector) {
  return SegmentCache{d.base(), d.limit(), selector, d.attr()};
}

// A null SS in 64-bit mode (loaded by MOV/POP at CPL < 3, by event delivery
// and far calls to an inner level, and by IRET/RETF to 64-bit code): the
// cache keeps the privilege but no P bit (SDM Vol. 3A, 6.14.4).
inline SegmentCache nullStackCache(uint16_t selector, unsigned dpl) {
  return SegmentCache{0, 0, selector, static_cast<uint16_t>(segattr::WRITABLE | segattr::S | (dpl << 5))};
}

}  // namespace sv
