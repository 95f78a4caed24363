// Register-stack view over CpuState::x87 (SDM Vol. 1, 8.1): TOP, tags,
// status-word bookkeeping and the stack-fault responses shared by all x87
// handlers. The tag word is kept in full (2 bits per physical register,
// recomputed from the contents on every write) so FSAVE/FSTENV can store it
// as is.
#pragma once

#include "cpu/cpu_state.h"
#include "cpu/x87/float80.h"

namespace sv::x87 {

constexpr uint16_t kTagValid = 0, kTagZero = 1, kTagSpecial = 2, kTagEmpty = 3;

inline uint16_t tagOf(Float80 v) {
  switch (classify(v)) {
    case Class::Normal: return kTagValid;
    case Class::Zero: return kTagZero;
    default: return kTagSpecial;
  }
}

struct Stack {
  X87State& s;

  unsigned top() const { return (s.fsw >> 11) & 7; }
  void setTop(unsigned t) { s.fsw = static_cast<uint16_t>((s.fsw & ~0x3800) | ((t & 7) << 11)); }
  unsigned phys(unsigned i) const { return (top() + i) & 7; }
  uint16_t tag(unsigned physReg) const { return (s.ftw >> (2 * physReg)) & 3; }
  void setTag(unsigned physReg, uint16_t t) {
    s.ftw = static_cast<uint16_t>((s.ftw & ~(3u << (2 * physReg))) | (t << (2 * physReg)));
  }
  bool empty(unsigned i) const { return tag(phys(i)) == kTagEmpty; }
  Float80 get(unsigned i) const {
    const X87Register& r = s.st[phys(i)];
    return Float80{r.mantissa, r.sign_exponent};
  }
  void setPhys(unsigned p, Float80 v) {
    s.st[p].mantissa = v.sig;
    s.st[p].sign_exponent = v.se;
    setTag(p, tagOf(v));
  }
  void set(unsigned i, Float80 v) { setPhys(phys(i), v); }
  // Push without the overflow check (callers check pushOverflows first).
  void push(Float80 v) {
    setTop(top() - 1);
    set(0, v);
  }
  bool pushOverflows() const { return tag((top() - 1) & 7) != kTagEmpty; }
  void pop() {
    setTag(phys(0), kTagEmpty);
    setTop(top() + 1);
  }

  // Condition codes C0..C3 at once (bits given in fsw:: positions).
  void setCC(uint16_t cc) {
    constexpr uint16_t all = fsw::C0 | fsw::C1 | fsw::C2 | fsw::C3;
    s.fsw = static_cast<uint16_t>((s.fsw & ~all) | (cc & all));
  }
  // ES and B summarise "an unmasked exception is pending" (SDM 8.1.3.1).
  void updateSummary() {
    if (s.fsw & ~s.fcw & fsw::kExceptions) s.fsw |= fsw::ES | fsw::B;
    else s.fsw &= static_cast<uint16_t>(~(fsw::ES | fsw::B));
  }
  // Merges an operation's flags: exception bits are sticky, C1 is replaced
  // by "rounded up". Returns true when the destination must be written.
  bool commit(const FpEnv& env) {
    s.fsw = static_cast<uint16_t>((s.fsw & ~fsw::C1) | (env.flags & (fsw::kExceptions | fsw::C1)));
    updateSummary();
    return !env.suppress;
  }
  // Stack underflow (empty source) or overflow (full on push): IE + SF with
  // C1 = overflow (SDM 8.5.1.1). Returns true when the masked response (store
  // the real indefinite) applies.
  bool stackFault(bool overflow) {
    s.fsw = static_cast<uint16_t>((s.fsw & ~fsw::C1) | fsw::IE | fsw::SF | (overflow ? fsw::C1 : 0));
    updateSummary();
    return (s.fcw & fsw::IE) != 0;
  }
};

}  // namespace sv::x87
