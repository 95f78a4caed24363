#include "tests/oracle/oracle_driver.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <map>
#include <memory>
#include <string>

#include "tests/oracle/case_generator.h"
#include "tests/oracle/cpu_runner.h"
#include "tests/oracle/native_runner.h"
#include "tests/oracle/outcome_comparison.h"

namespace sv::oracle {

namespace {

const char* mnemonicName(uint16_t m) {
  const char* s = m ? ZydisMnemonicGetString(static_cast<ZydisMnemonic>(m)) : nullptr;
  return s ? s : "(invalid)";
}

struct Tally {
  uint64_t cases = 0, mismatches = 0, faults = 0;
};

}  // namespace

std::vector<Mode> availableModes() {
  std::vector<Mode> m = {Mode::Bits16, Mode::Bits32};
  if (kLongModeEnabled) m.push_back(Mode::Bits64);
  return m;
}

OracleResult runOracle(const OracleOptions& o, std::FILE* out) {
  OracleResult result;
  const auto start = std::chrono::steady_clock::now();
  NativeRunner native;
  if (!native.ok()) {
    std::fprintf(out, "oracle: %s\n", native.error().c_str());
    result.harness_error = true;
    return result;
  }
  auto interp = std::make_unique<CpuRunner>(o.through_jit);
  Rng rng(o.seed);
  std::map<Mode, Tally> per_mode;
  std::map<std::string, Tally> per_mnemonic;
  std::vector<Case> cases;
  std::vector<Outcome> host;
  const uint64_t per_mode_cases = o.modes.empty() ? 0 : (o.cases + o.modes.size() - 1) / o.modes.size();

  for (Mode mode : o.modes) {
    uint64_t done = 0;
    while (done < per_mode_cases) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(NativeRunner::maxBatch(), per_mode_cases - done));
      cases.resize(n);
      host.resize(n);
      for (Case& c : cases) generateCase(rng, mode, c);
      if (!native.run(cases.data(), n, host.data())) {
        std::fprintf(out, "oracle: native run failed (%s mode, cases %" PRIu64 "..): %s\n", modeName(mode), done,
                     native.error().c_str());
        result.harness_error = true;
        return result;
      }
      for (size_t i = 0; i < n; ++i) {
        uint16_t mnemonic = 0;
        const Outcome mine = interp->run(cases[i], mnemonic);
        const bool same = sameOutcome(cases[i], host[i], mine);
        const char* name = mnemonicName(mnemonic);
        for (Tally* t : {&per_mode[mode], &per_mnemonic[name]}) {
          ++t->cases;
          t->faults += host[i].fault != Fault::None;
          t->mismatches += !same;
        }
        if (!same && result.mismatches++ < o.show_mismatches) printMismatch(out, cases[i], name, host[i], mine);
      }
      done += n;
      result.cases += n;
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (o.per_mnemonic) {
    std::fprintf(out, "%-14s %10s %9s %10s\n", "mnemonic", "cases", "faults", "mismatches");
    for (const auto& [name, t] : per_mnemonic)
      std::fprintf(out, "%-14s %10" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n", name.c_str(), t.cases, t.faults,
                   t.mismatches);
  }
  for (const auto& [mode, t] : per_mode)
    std::fprintf(out, "mode %-7s %10" PRIu64 " cases %9" PRIu64 " faults %8" PRIu64 " mismatches\n", modeName(mode),
                 t.cases, t.faults, t.mismatches);
  std::fprintf(out, "total %" PRIu64 " cases, %" PRIu64 " mismatches, %.1f s, %.0f cases/s (seed %" PRIu64 ", %s)\n",
               result.cases, result.mismatches, result.seconds, result.cases / std::max(result.seconds, 1e-9), o.seed,
               o.through_jit ? "JIT" : "interpreter");
  return result;
}

}  // namespace sv::oracle
