#include "tests/oracle/outcome_comparison.h"

#include <cinttypes>
#include <cstring>

namespace sv::oracle {

namespace {

uint64_t gprMask(Mode m) { return m == Mode::Bits64 ? ~0ull : 0xFFFFFFFFull; }

const char* const kGprNames[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                   "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// Control word, defined status bits, which registers are in use, and the
// bits of those (empty registers keep stale contents); MXCSR and the XMM
// registers the mode can name.
bool sameFxState(const Case& c, const X87Snapshot& a, const X87Snapshot& b) {
  if (a.fcw != b.fcw || ((a.fsw ^ b.fsw) & c.fsw_mask) || a.valid != b.valid || a.mxcsr != b.mxcsr) return false;
  for (unsigned p = 0; p < 8; ++p)
    if ((a.valid >> p) & 1 && (a.sig[p] != b.sig[p] || a.se[p] != b.se[p])) return false;
  for (unsigned i = 0; i < gprCount(c.mode); ++i)
    if (a.xmm[i][0] != b.xmm[i][0] || a.xmm[i][1] != b.xmm[i][1]) return false;
  return true;
}

void printX87(std::FILE* out, const char* who, const X87Snapshot& s) {
  std::fprintf(out, "  x87 %-11s fcw %04x fsw %04x valid %02x:", who, s.fcw, s.fsw, s.valid);
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned p = ((s.fsw >> 11) + i) & 7;
    if ((s.valid >> p) & 1) std::fprintf(out, " st%u=%04x:%016" PRIx64, i, s.se[p], s.sig[p]);
  }
  std::fprintf(out, "\n  %-15s mxcsr %08x", who, s.mxcsr);
  for (unsigned i = 0; i < 8; ++i) std::fprintf(out, " xmm%u=%016" PRIx64 "%016" PRIx64, i, s.xmm[i][1], s.xmm[i][0]);
  std::fprintf(out, "\n");
}

}  // namespace

const char* modeName(Mode m) {
  switch (m) {
    case Mode::Bits16: return "16-bit";
    case Mode::Bits32: return "32-bit";
    default: return "64-bit";
  }
}

const char* faultName(Fault f) {
  switch (f) {
    case Fault::None: return "none";
    case Fault::Arithmetic: return "SIGFPE (#DE)";
    case Fault::InvalidOpcode: return "SIGILL (#UD)";
    case Fault::Protection: return "SIGSEGV (#GP/#PF)";
    case Fault::Bus: return "SIGBUS (#SS/#AC)";
    default: return "other";
  }
}

bool sameOutcome(const Case& c, const Outcome& host, const Outcome& interp) {
  if (host.fault != interp.fault) return false;
  if (host.fault != Fault::None) return true;  // the state is the one before the instruction
  const uint64_t m = gprMask(c.mode);
  for (unsigned i = 0; i < gprCount(c.mode); ++i)
    if ((host.gpr[i] & m) != (interp.gpr[i] & m)) return false;
  if ((host.flags ^ interp.flags) & c.flag_mask) return false;
  if (std::memcmp(host.mem, interp.mem, kWindowBytes) != 0) return false;
  return !c.fx_state || sameFxState(c, host.fpu, interp.fpu);
}

void printMismatch(std::FILE* out, const Case& c, const char* mnemonic, const Outcome& host, const Outcome& interp) {
  std::fprintf(out, "MISMATCH %s %s bytes:", modeName(c.mode), mnemonic);
  for (unsigned i = 0; i < c.length; ++i) std::fprintf(out, " %02x", c.bytes[i]);
  std::fprintf(out, "\n  fault: host %s, interpreter %s\n", faultName(host.fault), faultName(interp.fault));
  const uint64_t m = gprMask(c.mode);
  std::fprintf(out, "  %-6s %-18s %-18s %-18s\n", "", "input", "host", "interpreter");
  for (unsigned i = 0; i < gprCount(c.mode); ++i) {
    const bool diff = (host.gpr[i] & m) != (interp.gpr[i] & m);
    std::fprintf(out, "  %-6s %018" PRIx64 " %018" PRIx64 " %018" PRIx64 "%s\n", kGprNames[i], c.gpr[i] & m,
                 host.gpr[i] & m, interp.gpr[i] & m, diff ? "  <--" : "");
  }
  std::fprintf(out, "  eflags %018x %018x %018x  compared %08x%s\n", c.flags, host.flags, interp.flags, c.flag_mask,
               ((host.flags ^ interp.flags) & c.flag_mask) ? "  <--" : "");
  if (c.fx_state) {
    std::fprintf(out, "  x87 fsw compared %04x\n", c.fsw_mask);
    printX87(out, "input", c.fpu);
    printX87(out, "host", host.fpu);
    printX87(out, "interpreter", interp.fpu);
  }
  for (unsigned i = 0; i < kWindowBytes; ++i) {
    if (host.mem[i] == interp.mem[i]) continue;
    std::fprintf(out, "  window+%-3u input %02x host %02x interpreter %02x\n", i, c.mem[i], host.mem[i],
                 interp.mem[i]);
  }
}

}  // namespace sv::oracle
