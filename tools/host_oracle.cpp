// host_oracle: runs random user-mode instructions natively on this x86-64
// host and in softvisor's interpreter (or its JIT), and reports every difference.
//
//   host_oracle [--cases N] [--seed S] [--mode 16|32|64]... [--show K] [--quiet] [--accel interp|jit]
//
// Prints per-mnemonic and per-mode counts, cases per second, and each
// mismatch (up to --show) with its bytes, input state and both outcomes.
// Exit status: 0 with no mismatch, 1 with mismatches, 2 on a usage or
// harness error. CTest runs a bounded seeded run of it (label oracle).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "tests/oracle/oracle_driver.h"

namespace {

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: host_oracle [--cases N] [--seed S] [--mode 16|32|64]... [--show K] [--quiet] [--accel interp|jit]\n"
               "  --cases N   cases in all, shared evenly among the modes (default 1000000)\n"
               "  --seed S    generator seed (default 1)\n"
               "  --mode M    16, 32 or 64 (repeatable; default: every mode this build checks)\n"
               "  --show K    mismatches printed in full (default 10)\n"
               "  --quiet     no per-mnemonic table\n"
               "  --accel E   interp (default) or jit: the JIT, one instruction per block\n");
}

bool parseNumber(const char* s, uint64_t& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 0);
  return end != s && *end == 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sv::oracle;
  OracleOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (a == "--quiet") {
      o.per_mnemonic = false;
      continue;
    }
    if (a == "--accel" && i + 1 < argc) {
      std::string_view v = argv[++i];
      if (v != "interp" && v != "jit") {
        std::fprintf(stderr, "host_oracle: unknown --accel '%s' (interp or jit)\n", argv[i]);
        return 2;
      }
      o.through_jit = v == "jit";
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "host_oracle: unknown option or missing value: %s\n", argv[i]);
      usage(stderr);
      return 2;
    }
    const char* v = argv[++i];
    uint64_t n = 0;
    if (!parseNumber(v, n)) {
      std::fprintf(stderr, "host_oracle: %s wants a number, got '%s'\n", argv[i - 1], v);
      return 2;
    }
    if (a == "--cases") {
      o.cases = n;
    } else if (a == "--seed") {
      o.seed = n;
    } else if (a == "--show") {
      o.show_mismatches = static_cast<unsigned>(n);
    } else if (a == "--mode") {
      if (n == 16) o.modes.push_back(Mode::Bits16);
      else if (n == 32) o.modes.push_back(Mode::Bits32);
      else if (n == 64 && kLongModeEnabled) o.modes.push_back(Mode::Bits64);
      else {
        std::fprintf(stderr, "host_oracle: --mode %s is not available (16, 32%s)\n", v,
                     kLongModeEnabled ? ", 64" : "; 64 needs the interpreter's long mode");
        return 2;
      }
    } else {
      std::fprintf(stderr, "host_oracle: unknown option %s\n", argv[i - 1]);
      usage(stderr);
      return 2;
    }
  }
  if (o.modes.empty()) o.modes = availableModes();
  const OracleResult r = runOracle(o, stdout);
  if (r.harness_error) return 2;
  return r.mismatches ? 1 : 0;
}
