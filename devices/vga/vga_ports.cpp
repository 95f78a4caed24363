#include "devices/vga/vga_ports.h"

#include "devices/vga/byte_lanes.h"

namespace sv {

using namespace vga;

namespace {
// A 60 Hz frame with a short vertical retrace, and horizontal blanking
// toggling much faster: enough for guests that wait for retrace edges.
constexpr uint64_t kFrameNs = 16'666'667;
constexpr uint64_t kVerticalRetraceNs = 600'000;
constexpr uint64_t kLineNs = 31'778;  // 31.5 kHz
constexpr uint64_t kHorizontalBlankNs = 6'000;
}  // namespace

uint32_t VgaPorts::ioRead(uint16_t port, unsigned size) {
  return static_cast<uint32_t>(readByteLanes(port, size, [this](uint64_t p) { return readByte(static_cast<uint16_t>(p)); }));
}

void VgaPorts::ioWrite(uint16_t port, unsigned size, uint32_t value) {
  writeByteLanes(port, size, value, [this](uint64_t p, uint8_t v) { writeByte(static_cast<uint16_t>(p), v); });
}

// The CRTC and input status 1 answer at 0x3Dx in colour mode and at 0x3Bx
// in mono mode (misc output bit 0); the other set is not decoded.
bool VgaPorts::ignoredCrtcPort(uint16_t port) const {
  if (port == 0x3B4 || port == 0x3B5 || port == 0x3BA) return regs_.colorCrtc();
  if (port == 0x3D4 || port == 0x3D5 || port == 0x3DA) return !regs_.colorCrtc();
  return false;
}

uint8_t VgaPorts::inputStatus1() {
  // Reading input status 1 also resets the attribute flip-flop to "index".
  regs_.attr_expect_data = false;
  const uint64_t t = clock_.nowNs();
  const bool vretrace = t % kFrameNs < kVerticalRetraceNs;
  const bool blank = vretrace || t % kLineNs < kHorizontalBlankNs;
  return static_cast<uint8_t>((vretrace ? 0x08 : 0) | (blank ? 0x01 : 0));
}

uint8_t VgaPorts::readByte(uint16_t port) {
  if (ignoredCrtcPort(port)) return 0xFF;
  switch (port) {
    case 0x3C0: return regs_.attr_index;
    case 0x3C1: return regs_.attr[regs_.attr_index & 0x1F];
    case 0x3C2: return 0x10;  // input status 0: switch sense reads as a colour monitor
    case 0x3C4: return regs_.seq_index;
    case 0x3C5: return regs_.seq[regs_.seq_index & 7];
    case 0x3C6: return regs_.dac_pel_mask;
    case 0x3C7: return regs_.dac_state;
    case 0x3C8: return regs_.dac_write_index;
    case 0x3C9: {
      const uint8_t v = regs_.palette[regs_.dac_read_index * 3u + regs_.dac_component];
      if (++regs_.dac_component == 3) regs_.dac_component = 0, ++regs_.dac_read_index;
      return v;
    }
    case 0x3CA: return regs_.feature_control;
    case 0x3CC: return regs_.misc_output;
    case 0x3CE: return regs_.gc_index;
    case 0x3CF: return regs_.gc[regs_.gc_index & 0x0F];
    case 0x3B4:
    case 0x3D4: return regs_.crtc_index;
    case 0x3B5:
    case 0x3D5: return regs_.crtc[regs_.crtc_index & 0x1F];
    case 0x3BA:
    case 0x3DA: return inputStatus1();
    default: return 0xFF;
  }
}

void VgaPorts::writeByte(uint16_t port, uint8_t v) {
  if (ignoredCrtcPort(port)) return;
  ++generation_;
  switch (port) {
    case 0x3C0:
      // One port, two registers: a flip-flop alternates index and data
      // (reset by reading input status 1).
      if (!regs_.attr_expect_data) regs_.attr_index = v & 0x3F;
      else if ((regs_.attr_index & 0x1F) <= 0x14) regs_.attr[regs_.attr_index & 0x1F] = v;
      regs_.attr_expect_data = !regs_.attr_expect_data;
      break;
    case 0x3C2: regs_.misc_output = v; break;
    case 0x3C4: regs_.seq_index = v & 7; break;
    case 0x3C5: regs_.seq[regs_.seq_index & 7] = v; break;
    case 0x3C6: regs_.dac_pel_mask = v; break;
    case 0x3C7:
      regs_.dac_read_index = v, regs_.dac_component = 0, regs_.dac_state = 3;
      break;
    case 0x3C8:
      regs_.dac_write_index = v, regs_.dac_component = 0, regs_.dac_state = 0;
      break;
    case 0x3C9:
      // A colour takes effect after its third (blue) component.
      regs_.dac_latch[regs_.dac_component] = regs_.dac_8bit ? v : v & 0x3F;
      if (++regs_.dac_component == 3) {
        for (unsigned c = 0; c < 3; ++c) regs_.palette[regs_.dac_write_index * 3u + c] = regs_.dac_latch[c];
        regs_.dac_component = 0;
        ++regs_.dac_write_index;
      }
      break;
    case 0x3BA:
    case 0x3DA: regs_.feature_control = v; break;
    case 0x3CE: regs_.gc_index = v & 0x0F; break;
    case 0x3CF: regs_.gc[regs_.gc_index & 0x0F] = v; break;
    case 0x3B4:
    case 0x3D4: regs_.crtc_index = v & 0x1F; break;
    case 0x3B5:
    case 0x3D5: {
      const unsigned i = regs_.crtc_index & 0x1F;
      // CR11 bit 7 write-protects CR0-CR7, except the line compare bit 4 of CR7.
      if (i <= 7 && (regs_.crtc[kCrtcVerticalRetraceEnd] & 0x80)) {
        if (i == kCrtcOverflow) regs_.crtc[i] = static_cast<uint8_t>((regs_.crtc[i] & ~0x10) | (v & 0x10));
        break;
      }
      regs_.crtc[i] = v;
      break;
    }
    default: break;
  }
}

}  // namespace sv
