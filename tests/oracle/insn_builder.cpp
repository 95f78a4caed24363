#include "tests/oracle/insn_builder.h"

#include <algorithm>
#include <cstring>

namespace sv::oracle {

namespace {
constexpr unsigned kEsp = 4, kEbp = 5;
}

uint64_t edgeValue(Rng& rng) {
  static const uint64_t kEdges[] = {0,          1,          2,          0x7F,       0x80,       0xFF,
                                    0x100,      0x7FFF,     0x8000,     0xFFFF,     0x10000,    0x7FFFFFFF,
                                    0x80000000, 0xFFFFFFFF, 0x0F,       0x10,       0x99,       0x09,
                                    0x8001,     0x7FFE,     0x7FFFFFFFFFFFFFFFull,  0x8000000000000000ull,
                                    0xFFFFFFFFFFFFFFFFull,  0x100000000ull};
  switch (rng() % 4) {
    case 0: return kEdges[rng() % (sizeof kEdges / sizeof kEdges[0])];
    case 1: return rng() & 0xFF;  // small values: BCD, counts, bytes
    default: return rng();
  }
}

uint64_t randomBinaryFloat(Rng& rng, unsigned bytes) {
  uint64_t v = rng();
  if (rng() % 2) {
    if (bytes == 4) v = (v & 0x807FFFFF) | ((127 - 20 + rng() % 40) << 23);
    else v = (v & 0x800FFFFFFFFFFFFFull) | ((1023 - 40 + rng() % 80) << 52);
  }
  return v;
}

InsnBuilder::InsnBuilder(Rng& r, Case& cs) : rng(r), c(cs) {
  const uint64_t mask = regMask();
  for (unsigned i = 0; i < gprCount(c.mode); ++i) c.gpr[i] = edgeValue(rng) & mask;
  op_size_ = is16() ? 2 : 4;
  addr_size_ = is16() ? 2 : is64() ? 8 : 4;
  useHostAddressing();
}

uint64_t InsnBuilder::regMask() const { return is64() ? ~0ull : 0xFFFFFFFFull; }

unsigned InsnBuilder::pickOperandSize(bool allow_byte, bool allow_64) {
  unsigned choice = rng() % (allow_byte ? 4 : 3);
  if (allow_byte && choice == 3) return op_size_ = 1;
  if (is64() && allow_64 && choice == 2) {
    rexW();
    return op_size_ = 8;
  }
  if (choice == 1) {
    prefix(0x66);
    return op_size_ = is16() ? 4 : 2;
  }
  return op_size_ = is16() ? 2 : 4;
}

void InsnBuilder::useHostAddressing() {
  if (is16() && addr_size_ == 2) {
    prefix(0x67);
    addr_size_ = 4;
  }
}

void InsnBuilder::imm(uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) body_.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void InsnBuilder::opcodeWithReg(uint8_t base, unsigned reg) {
  setRexBit(1, reg);
  body_.push_back(static_cast<uint8_t>(base + (reg & 7)));
}

unsigned InsnBuilder::pickReg() {
  // 64-bit code never names RSP as an operand: an ALU result there can be a
  // non-canonical RSP, and this sandbox's hypervisor then hangs the child at
  // its next interrupt (observed; 32-bit results are always canonical).
  unsigned r;
  do r = static_cast<unsigned>(rng() % gprCount(c.mode));
  while (is64() && r == 4);
  return r;
}

void InsnBuilder::setRexBit(unsigned bit, unsigned reg) {
  if (reg & 8) rex_ |= 0x40 | bit;
}

void InsnBuilder::modrmReg(unsigned reg_field, unsigned rm_reg) {
  setRexBit(4, reg_field);  // REX.R
  setRexBit(1, rm_reg);     // REX.B
  body_.push_back(static_cast<uint8_t>(0xC0 | ((reg_field & 7) << 3) | (rm_reg & 7)));
}

void InsnBuilder::fix(unsigned reg, uint64_t value) {
  c.gpr[reg] = value & regMask();
  fixed_ |= 1u << reg;
}

uint64_t InsnBuilder::windowAddress(uint32_t t) const { return kDataBase + kWindowOffset + t; }

unsigned InsnBuilder::solvableReg() {
  const unsigned n = gprCount(c.mode);
  unsigned start = static_cast<unsigned>(rng() % n);
  for (unsigned k = 0; k < n; ++k) {
    unsigned r = (start + k) % n;
    if (r != kEsp && !((fixed_ | reserved_) & (1u << r))) return r;
  }
  return ~0u;
}

void InsnBuilder::modrmMem(unsigned reg_field, uint32_t target) { modrm32(reg_field, windowAddress(target), true); }

void InsnBuilder::modrmFree(unsigned reg_field) { modrm32(reg_field, 0, false); }

// 32/64-bit ModRM/SIB forms (SDM Vol. 2A, 2.1.5, Tables 2-2 and 2-3).
void InsnBuilder::modrm32(unsigned reg_field, uint64_t ea, bool solve) {
  setRexBit(4, reg_field);
  const uint64_t mask = addr_size_ == 8 ? ~0ull : 0xFFFFFFFFull;
  const uint8_t reg3 = static_cast<uint8_t>((reg_field & 7) << 3);
  auto disp32 = [&](uint64_t d) { imm(d, 4); };
  int form = static_cast<int>(rng() % 7);
  if (!solve && form >= 5) form = 4;  // free forms need nothing solved
  unsigned base = ~0u, index = ~0u;
  if (form >= 1 && form <= 4) {
    base = solve ? solvableReg() : pickReg();
    if (base == ~0u) form = 0;
  }
  if (form == 4 || form == 5) {
    index = pickReg();
    if ((index & 7) == kEsp && index != 12) index = ~0u;  // 100 = no index
    if (index == base || (index != ~0u && (reserved_ & (1u << index)))) index = ~0u;
    if (index == ~0u) form = form == 4 ? 2 : 0;
  }
  if (form == 6 && (!solve || !isFixed(kEsp) || !esp_base_ok)) form = 0;
  if (form == 5 && solve) {
    // [index*scale + disp32]: solve the index when it is free, else the disp.
    unsigned scale = static_cast<unsigned>(rng() % 4);
    uint64_t disp;
    if (!isFixed(index) && index != kEsp) {
      disp = edgeValue(rng) & 0xFFFF;
      // index * 2^scale = ea - disp has a solution only when divisible.
      disp += (ea - disp) & ((1u << scale) - 1);
      c.gpr[index] = ((ea - disp) & mask) >> scale;
      if (addr_size_ == 4 && scale) c.gpr[index] |= (rng() % (1u << scale)) << (32 - scale);  // wrap-around bits
      c.gpr[index] &= regMask();
      fixed_ |= 1u << index;
    } else {
      disp = ea - (c.gpr[index] << scale);
    }
    if (addr_size_ == 8 && static_cast<int64_t>(disp) != static_cast<int32_t>(disp)) {
      form = 0;  // cannot reach with a sign-extended disp32
    } else {
      setRexBit(2, index);
      body_.push_back(static_cast<uint8_t>(0x04 | reg3));
      body_.push_back(static_cast<uint8_t>((scale << 6) | ((index & 7) << 3) | 5));
      disp32(disp);
      return;
    }
  }
  switch (form) {
    case 0: {  // [disp32] as SIB with no base and no index (mod 00 rm 101 is RIP-relative in the host's 64-bit code)
      body_.push_back(static_cast<uint8_t>(0x04 | reg3));
      body_.push_back(0x25);
      disp32(solve ? ea : rng());
      return;
    }
    case 6: {  // [esp + disp]
      uint64_t d = ea - c.gpr[kEsp];
      int64_t sd = addr_size_ == 8 ? static_cast<int64_t>(d) : static_cast<int32_t>(d);
      bool short_disp = sd == static_cast<int8_t>(sd);
      body_.push_back(static_cast<uint8_t>((short_disp ? 0x44 : 0x84) | reg3));
      body_.push_back(0x24);
      if (short_disp) imm(d, 1);
      else disp32(d);
      return;
    }
    default: break;
  }
  // [base (+ index*scale) (+ disp)]
  unsigned mod = form == 1 ? 0 : form == 2 ? 1 : form == 3 ? 2 : static_cast<unsigned>(rng() % 3);
  if (mod == 0 && (base & 7) == kEbp) mod = 1;  // mod 00 with base 101 means "no base"
  uint64_t disp = mod == 0 ? 0 : mod == 1 ? static_cast<uint64_t>(static_cast<int8_t>(rng())) : edgeValue(rng);
  if (mod == 2) disp = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(disp)));
  unsigned scale = static_cast<unsigned>(rng() % 4);
  setRexBit(1, base);
  const bool sib = index != ~0u || (base & 7) == kEsp;
  body_.push_back(static_cast<uint8_t>((mod << 6) | reg3 | (sib ? 4 : (base & 7))));
  if (sib) {
    unsigned idx = index == ~0u ? 4 : index;
    if (index != ~0u) setRexBit(2, index);
    body_.push_back(static_cast<uint8_t>(((index == ~0u ? 0 : scale) << 6) | ((idx & 7) << 3) | (base & 7)));
  }
  if (mod == 1) imm(disp, 1);
  if (mod == 2) disp32(disp);
  if (solve) {
    uint64_t scaled = index == ~0u ? 0 : c.gpr[index] << scale;
    c.gpr[base] = (ea - scaled - disp) & mask & regMask();
    fixed_ |= 1u << base;
  }
}

bool InsnBuilder::finish() {
  auto assemble = [&](std::vector<uint8_t> all, uint8_t* out, uint8_t& length) {
    if (mandatory_) all.push_back(mandatory_);
    if (rex_) all.push_back(rex_);
    all.insert(all.end(), body_.begin(), body_.end());
    if (all.size() > 15) return false;
    std::memcpy(out, all.data(), all.size());
    length = static_cast<uint8_t>(all.size());
    return true;
  };
  std::vector<uint8_t> host = prefixes_;
  if (c.mode == Mode::Bits32) {
    host.insert(host.begin(), 0x67);  // 32-bit addresses in 64-bit code
  } else if (c.mode == Mode::Bits16 && size_sensitive_) {
    // 16-bit code's default operand size is 16 bits: the other way round.
    auto p66 = std::find(host.begin(), host.end(), 0x66);
    if (p66 != host.end()) host.erase(p66);
    else host.insert(host.begin(), 0x66);
  }
  return assemble(prefixes_, c.bytes, c.length) && assemble(host, c.host_bytes, c.host_length);
}

}  // namespace sv::oracle
