// singlestep_runner: runs the SingleStepTests suites (80286 and 8086, MOO
// format) against softvisor's CPU and reports pass/fail per opcode file.
//
// Each test gives an initial real-mode state (registers and the RAM bytes the
// instruction touches) and the final state captured on a real CPU. The 286
// suite ends every test with a HLT, so a test runs until the CPU halts; the
// 8086 suite captures exactly one instruction. The suites' README.md files
// describe the data; exclusions.h says which tests are skipped and why.
//
// With --accel jit every test runs under the block translator (one
// instruction per block, so each native emitter meets each test) and
// again in the interpreter: the pass rate is the JIT's, and any test
// where the two engines end in different states fails the run
// (engine_agreement.h), whatever the real CPU did.
//
//   singlestep_runner [--cpu 286|8086] [--filter PREFIX] [--verbose [--show K]]
//                     [--min-pass-rate P] [--max-excluded P] [--accel interp|jit] DIR

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cpu/cpu.h"
#include "jit/jit.h"
#include "memory/code_page_map.h"
#include "memory/physical_memory.h"
#include "tests/conformance/engine_agreement.h"
#include "tests/conformance/exclusions.h"
#include "tests/conformance/moo_reader.h"
#include "tests/conformance/state_comparison.h"

namespace sv::conformance {
namespace {

namespace fs = std::filesystem;

// The suites assume 16 MiB of RAM (the 286's whole 24-bit address space).
constexpr uint64_t kRamBytes = 16ull << 20;
// A correct test retires the instruction, maybe an exception delivery and a
// HLT (REP string instructions count once). The bound only stops runaways.
constexpr uint64_t kMaxInstructions = 1000;
// Cleared RAM pages kept mapped between tests (see Bench::wipeRam).
constexpr size_t kMaxResident = 64;
constexpr size_t kMaxResidentComparing = 8;

// ---------------------------------------------------------------- options

struct Options {
  std::string dir;
  std::optional<SuiteCpu> cpu;
  std::vector<std::string> filters;
  bool verbose = false;
  unsigned show = 3;                 // failures printed per file with --verbose
  std::optional<double> min_pass_rate;  // percent of non-excluded tests
  double max_excluded = 2.0;         // percent of all tests
  bool jit = false;                  // --accel jit: the JIT, checked against the interpreter
  bool help = false;
};

void printUsage(FILE* out) {
  std::fprintf(out,
               "usage: singlestep_runner [options] DIR\n"
               "  DIR                  a SingleStepTests suite directory (*.MOO.gz, metadata.json)\n"
               "  --cpu 286|8086       suite CPU (default: metadata \"cpu\", else the directory name)\n"
               "  --filter PREFIX      only files whose name starts with PREFIX (repeatable)\n"
               "  --verbose, -v        print the first failures of each file with a diff\n"
               "  --show K             failures printed per file with --verbose (default 3)\n"
               "  --min-pass-rate P    exit 1 if fewer than P%% of non-excluded tests pass\n"
               "  --max-excluded P     exit 1 if more than P%% of tests are excluded (default 2)\n"
               "  --accel interp|jit   engine (default interp); jit also runs each test in the\n"
               "                       interpreter and fails on any difference between the two\n");
}

std::optional<SuiteCpu> cpuFromName(std::string_view name) {
  if (name == "286" || name == "80286") return SuiteCpu::i80286;
  if (name == "8086" || name == "8088") return SuiteCpu::i8086;
  return std::nullopt;
}

std::optional<double> parsePercent(const char* s) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || *end || v < 0 || v > 100) return std::nullopt;
  return v;
}

// nullopt after printing the problem.
std::optional<Options> parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "singlestep_runner: %s needs a value\n", argv[i]);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    } else if (a == "--verbose" || a == "-v") {
      o.verbose = true;
    } else if (a == "--cpu") {
      const char* v = value();
      if (!v) return std::nullopt;
      o.cpu = cpuFromName(v);
      if (!o.cpu) {
        std::fprintf(stderr, "singlestep_runner: unknown --cpu '%s' (286 or 8086)\n", v);
        return std::nullopt;
      }
    } else if (a == "--accel") {
      const char* v = value();
      if (!v) return std::nullopt;
      if (std::string_view(v) != "interp" && std::string_view(v) != "jit") {
        std::fprintf(stderr, "singlestep_runner: unknown --accel '%s' (interp or jit)\n", v);
        return std::nullopt;
      }
      o.jit = std::string_view(v) == "jit";
    } else if (a == "--filter") {
      const char* v = value();
      if (!v) return std::nullopt;
      o.filters.emplace_back(v);
    } else if (a == "--show") {
      const char* v = value();
      if (!v) return std::nullopt;
      o.show = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    } else if (a == "--min-pass-rate" || a == "--max-excluded") {
      const char* v = value();
      if (!v) return std::nullopt;
      std::optional<double> p = parsePercent(v);
      if (!p) {
        std::fprintf(stderr, "singlestep_runner: %s wants a percentage, got '%s'\n", argv[i - 1], v);
        return std::nullopt;
      }
      if (a == "--min-pass-rate") o.min_pass_rate = p;
      else o.max_excluded = *p;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "singlestep_runner: unknown option '%s'\n", argv[i]);
      printUsage(stderr);
      return std::nullopt;
    } else if (o.dir.empty()) {
      o.dir = argv[i];
    } else {
      std::fprintf(stderr, "singlestep_runner: more than one directory given\n");
      return std::nullopt;
    }
  }
  if (o.dir.empty()) {
    printUsage(stderr);
    return std::nullopt;
  }
  return o;
}

// ---------------------------------------------------------------- CPU profiles

// How a suite's CPU maps onto ours in real mode.
struct CpuProfile {
  SuiteCpu cpu;
  const char* name;
  bool a20;                 // 286: 24 address lines; 8086: 20, addresses wrap at 1 MiB
  bool ends_with_hlt;       // 286 tests run to the HLT after the instruction
  uint16_t loadable_flags;  // FLAGS bits the initial state can really hold in real mode
  uint16_t compared_flags;  // FLAGS bits that mean the same on both CPUs
};

// The 286 cannot set IOPL/NT (bits 12-14) in real mode, so the suite asks to
// mask them off the initial state; bits 1, 3, 5 and 15 are fixed.
constexpr uint16_t kRealModeFlags = 0x0FD5;

constexpr CpuProfile kProfile286{SuiteCpu::i80286, "80286", true, true, kRealModeFlags, 0xFFFF};
// The 8086 reads FLAGS bits 12-15 as ones; ours reads them as zeros.
constexpr CpuProfile kProfile8086{SuiteCpu::i8086, "8086", false, false, kRealModeFlags, 0x0FFF};

const CpuProfile& profileFor(SuiteCpu cpu) { return cpu == SuiteCpu::i80286 ? kProfile286 : kProfile8086; }

// ---------------------------------------------------------------- the test bench

// IN reads an open bus (all ones, as the suites specify); OUT goes nowhere.
class OpenBusPorts final : public PortIo {
 public:
  uint32_t portRead(uint16_t, unsigned size) override { return size >= 4 ? ~0u : (1u << (8 * size)) - 1; }
  void portWrite(uint16_t, unsigned, uint32_t) override {}
};

class StoppedClock final : public TimeSource {
 public:
  uint64_t tscNow() override { return 0; }
};

// Register homes: MOO order (ax, bx, cx, dx ...) is not x86 encoding order.
struct GprHome {
  MooReg moo;
  Gpr gpr;
};
constexpr GprHome kGprHomes[] = {{kAX, RAX}, {kBX, RBX}, {kCX, RCX}, {kDX, RDX},
                                 {kSP, RSP}, {kBP, RBP}, {kSI, RSI}, {kDI, RDI}};
struct SegHome {
  MooReg moo;
  SegReg seg;
};
constexpr SegHome kSegHomes[] = {{kCS, CS}, {kSS, SS}, {kDS, DS}, {kES, ES}};

enum class RunEnd : uint8_t { Completed, Runaway, Shutdown };

// What the CPU did during one test, for the failure report.
struct RunResult {
  RunEnd end;
  uint64_t retired;
  uint64_t exceptions;
  uint64_t unimplemented;  // #UD raised for instructions decoded but not implemented
};

// One machine reused for every test: a fresh Cpu state per test, and RAM
// returned to all zeros between tests. With a JIT, every instruction is a
// block of its own (the 8086 suite runs exactly one instruction).
class Bench {
 public:
  // `max_resident`: cleared pages kept mapped (see wipeRam).
  Bench(bool use_jit, size_t max_resident) : mem_(kRamBytes), cpu_(mem_, ports_, clock_, &code_pages_), max_resident_(max_resident) {
    if (use_jit) {
      JitOptions opt;
      opt.max_block_insns = 1;
      jit_ = std::make_unique<Jit>(cpu_, code_pages_, opt);
    }
    constexpr uint64_t kTableSpan = 2ull << 20;  // host memory one page table maps
    auto host = reinterpret_cast<uintptr_t>(ram());
    for (uint64_t off = 0; off < mem_.ramSize(); off += kPageSize)
      if (off == 0 || (host + off) % kTableSpan == 0) keepers_.push_back(static_cast<uint32_t>(off / kPageSize));
    for (uint32_t k : keepers_) ram()[static_cast<uint64_t>(k) * kPageSize] = 0;  // make them resident
  }

  Cpu& cpu() { return cpu_; }
  uint8_t* ram() { return mem_.ramHost(); }
  const Jit* jit() const { return jit_.get(); }

  void load(const MooTest& t, const CpuProfile& profile, uint16_t flags) {
    cpu_.reset();
    cpu_.setA20(profile.a20);
    CpuState& s = cpu_.state;
    const auto& r = t.init.regs.value;
    for (const GprHome& h : kGprHomes) s.gpr[h.gpr] = r[h.moo];
    for (const SegHome& h : kSegHomes) {
      // Real mode: base = selector << 4, 64 KiB limit; reset() set the rights.
      s.seg[h.seg].selector = r[h.moo];
      s.seg[h.seg].base = static_cast<uint64_t>(r[h.moo]) << 4;
      s.seg[h.seg].limit = 0xFFFF;
    }
    s.rip = r[kIP];
    s.rflags = flags;
    cpu_.updateMode();
    for (const RamEntry& e : t.init.ram) {
      if (e.addr >= mem_.ramSize()) throw MooError("test #" + std::to_string(t.index) + ": RAM address beyond 16 MiB");
      ram()[e.addr] = e.value;
    }
  }

  // Overwrites the instruction bytes at the positions set in `positions`
  // until unpatch(), so that the memory comparison sees the test's own bytes.
  void patchInstruction(const MooTest& t, uint16_t positions, uint8_t value) {
    const auto& r = t.init.regs.value;
    for (unsigned i = 0; i < 16; ++i) {
      if (!((positions >> i) & 1)) continue;
      uint64_t addr = ((static_cast<uint64_t>(r[kCS]) << 4) + static_cast<uint16_t>(r[kIP] + i)) & cpu_.state.a20_mask;
      patches_.push_back({addr, ram()[addr], value});
      ram()[addr] = value;
    }
  }

  void unpatch() {
    for (const Patch& p : patches_)
      if (ram()[p.addr] == p.patched) ram()[p.addr] = p.original;  // unless the test wrote it
    patches_.clear();
  }

  RunResult run(const CpuProfile& profile) {
    CpuStats before = cpu_.stats();
    Cpu::Exit exit = cpu_.run(profile.ends_with_hlt ? kMaxInstructions : 1);
    const CpuStats& after = cpu_.stats();
    RunResult r{RunEnd::Completed, after.retired - before.retired, after.exceptions - before.exceptions,
                after.undefined - before.undefined};
    if (exit == Cpu::Exit::Shutdown) r.end = RunEnd::Shutdown;
    else if (profile.ends_with_hlt && exit != Cpu::Exit::Halted) r.end = RunEnd::Runaway;
    return r;
  }

  // Every test starts from all-zero RAM, and afterwards every page it may
  // have touched is checked. Residency tells which: pages are dropped (so
  // untouched ones cost nothing) and the ones a test faults in are resident.
  // Dropping flushes the TLB, which costs more than a test, so cleared pages
  // stay resident (and are re-checked) until kMaxResident of them pile up.
  // One "keeper" page per 2 MiB of host address space is never dropped: a
  // page table left empty is freed by the kernel and rebuilt on the next fault.
  void residentPages(std::vector<uint32_t>& out) {
    residency_.resize(mem_.ramSize() / kPageSize);
    out.clear();
    if (mincore(mem_.ramHost(), mem_.ramSize(), residency_.data()) != 0) {
      for (uint32_t p = 0; p < residency_.size(); ++p) out.push_back(p);  // check everything: slow but exact
      return;
    }
    for (uint32_t p = 0; p < residency_.size(); ++p)
      if (residency_[p] & 1) out.push_back(p);
  }

  // Zeroes RAM again after a test; `resident` comes from residentPages().
  void wipeRam(const std::vector<uint32_t>& resident) {
    // Blocks translated from these pages go with their bytes (every page
    // that held code is resident).
    if (jit_)
      for (uint32_t p : resident) jit_->codePageWritten(static_cast<uint64_t>(p) * kPageSize);
    if (resident.size() <= max_resident_ + keepers_.size()) {
      for (uint32_t p : resident) std::memset(ram() + static_cast<uint64_t>(p) * kPageSize, 0, kPageSize);
      return;
    }
    // One madvise() per run of pages between two keepers.
    size_t k = 0;
    for (size_t i = 0; i < resident.size();) {
      while (k + 1 < keepers_.size() && keepers_[k + 1] <= resident[i]) ++k;
      uint32_t end_of_run = k + 1 < keepers_.size() ? keepers_[k + 1] : static_cast<uint32_t>(residency_.size());
      uint32_t first = resident[i] == keepers_[k] ? resident[i] + 1 : resident[i];
      uint32_t last = first - 1;
      for (; i < resident.size() && resident[i] < end_of_run; ++i) last = resident[i];
      if (last >= first)
        madvise(ram() + static_cast<uint64_t>(first) * kPageSize, (last - first + 1ull) * kPageSize, MADV_DONTNEED);
    }
    for (uint32_t keeper : keepers_) std::memset(ram() + static_cast<uint64_t>(keeper) * kPageSize, 0, kPageSize);
  }

 private:
  PhysicalMemory mem_;
  CodePageMap code_pages_{mem_};
  OpenBusPorts ports_;
  StoppedClock clock_;
  Cpu cpu_;
  std::unique_ptr<Jit> jit_;
  size_t max_resident_;
  std::vector<unsigned char> residency_;
  std::vector<uint32_t> keepers_;  // page numbers, ascending
  struct Patch {
    uint64_t addr;
    uint8_t original, patched;
  };
  std::vector<Patch> patches_;
};

// ---------------------------------------------------------------- comparison

void compareRegister(Diff& d, unsigned r, uint64_t ours, const Expected& e) {
  // Bits above 16 must stay clear too: no 16-bit instruction writes them.
  if (((ours ^ e.regs[r]) & e.masks[r]) == 0 && (ours >> 16) == 0) return;
  std::string line = std::string(mooRegName(r)) + ": expected " + hex(e.regs[r], 4) + " got " + hex(ours, 4);
  if (e.masks[r] != 0xFFFF) line += " (compared bits " + hex(e.masks[r], 4) + ")";
  d.add(std::move(line));
}

void compareRegisters(Diff& d, const CpuState& s, const Expected& e) {
  for (const GprHome& h : kGprHomes) compareRegister(d, h.moo, s.gpr[h.gpr], e);
  for (const SegHome& h : kSegHomes) {
    const SegmentCache& sc = s.seg[h.seg];
    compareRegister(d, h.moo, sc.selector, e);
    if (sc.base != static_cast<uint64_t>(sc.selector) << 4)
      d.add(std::string(mooRegName(h.moo)) + ": base " + hex(sc.base, 6) + " is not selector << 4");
  }
  compareRegister(d, kIP, s.rip, e);
  compareRegister(d, kFlags, s.rflags & 0xFFFF, e);
}

// ---------------------------------------------------------------- running files

struct Counts {
  uint64_t passed = 0, failed = 0, excluded = 0, revoked = 0;
  uint64_t disagreed = 0;  // --accel jit: the engines ended in different states
  void add(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    excluded += o.excluded;
    revoked += o.revoked;
    disagreed += o.disagreed;
  }
  uint64_t total() const { return passed + failed + excluded + revoked; }
};

struct Suite {
  std::string dir;
  SuiteCpu cpu;
  SuiteMetadata metadata;
  std::unordered_set<std::string> revoked;
  std::vector<fs::path> files;
};

struct FileResult {
  std::string stem;
  Counts counts;
};

struct Totals {
  Counts counts;
  std::vector<uint64_t> per_exclusion;  // per list entry: tests skipped, or run under its rule
  std::vector<FileResult> files;
  bool data_error = false;
};

std::string stemOf(const fs::path& p) {
  std::string name = p.filename().string();
  for (std::string_view ext : {".MOO.gz", ".moo.gz", ".MOO", ".moo"})
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      return name.substr(0, name.size() - ext.size());
  return name;
}

std::string bytesHex(const std::vector<uint8_t>& bytes) {
  std::string s;
  for (uint8_t b : bytes) {
    if (!s.empty()) s += ' ';
    s += hex(b, 2);
  }
  return s;
}

std::string initialRegisters(const MooTest& t) {
  std::string s;
  for (unsigned r = 0; r < kMooRegCount; ++r)
    s += std::string(r ? " " : "") + mooRegName(r) + "=" + hex(t.init.regs.value[r], 4);
  return s;
}

void printFailure(const std::string& stem, const MooTest& t, const std::vector<std::string>& lines) {
  std::printf("  FAIL %s #%u \"%s\" bytes [%s]%s%s\n", stem.c_str(), t.index, t.name.c_str(),
              bytesHex(t.bytes).c_str(), t.has_hash ? " hash " : "", t.hashHex().c_str());
  std::printf("    initial: %s\n", initialRegisters(t).c_str());
  if (t.has_exception)
    std::printf("    reference raised exception %u (FLAGS pushed at %06x)\n", t.exception, t.flag_address);
  for (const std::string& l : lines) std::printf("    %s\n", l.c_str());
}

// How one test is compared, after the exclusion list had its say.
struct Rules {
  uint16_t flags_mask;    // FLAGS bits compared
  uint16_t ignored_regs;  // bit r: MooReg r not compared
};

class FileRunner {
 public:
  // `reference`: the interpreter's bench when `bench` runs the JIT.
  FileRunner(Bench& bench, Bench* reference, const Suite& suite, const Options& options, Totals& totals)
      : bench_(bench), reference_(reference), suite_(suite), options_(options), totals_(totals),
        profile_(profileFor(suite.cpu)) {}

  Counts run(const fs::path& path) {
    stem_ = stemOf(path);
    Counts c;
    MooReader reader(readFileMaybeGzip(path.string()));
    header_ = &reader.header();
    const OpcodeInfo* info = suite_.metadata.find(stem_);
    flags_mask_ = static_cast<uint16_t>((info ? info->flags_mask : 0xFFFF) & profile_.compared_flags);
    shown_ = 0;
    MooTest t;
    while (reader.next(t)) runOne(t, c);
    return c;
  }

 private:
  void runOne(const MooTest& t, Counts& c) {
    if (t.has_hash && !suite_.revoked.empty() && suite_.revoked.count(t.hashHex())) {
      ++c.revoked;
      return;
    }
    if (t.init.regs.present != (1u << kMooRegCount) - 1)
      throw MooError("test #" + std::to_string(t.index) + ": initial state lacks registers");
    InsnProbe insn = probeInstruction(t, suite_.cpu);
    ExclusionVerdict v = classify(ExclusionContext{stem_, t, insn}, suite_.cpu);
    countExclusions(v);
    if (v.skip >= 0) {
      ++c.excluded;
      return;
    }
    Rules rules{static_cast<uint16_t>(flags_mask_ & ~v.ignored_flags), v.ignored_regs};
    uint16_t loaded_flags = static_cast<uint16_t>((t.init.regs.value[kFlags] & profile_.loadable_flags) | 0x0002);
    bench_.load(t, profile_, loaded_flags);
    if (v.neutralize_lock) bench_.patchInstruction(t, insn.lock_positions, neutralSegmentPrefix(insn));
    RunResult run = bench_.run(profile_);
    lastRun_ = run;
    bench_.unpatch();
    bool show = options_.verbose && shown_ < options_.show;
    std::vector<std::string> lines;
    bench_.residentPages(pages_);
    bool ok = check(t, run.end, loaded_flags, rules, show ? &lines : nullptr);
    if (reference_) compareWithReference(t, insn, v, loaded_flags, c);
    bench_.wipeRam(pages_);
    if (ok) {
      ++c.passed;
      return;
    }
    ++c.failed;
    if (show) {
      ++shown_;
      printFailure(stem_, t, lines);
      std::printf("    (our CPU: %" PRIu64 " instructions retired, %" PRIu64 " exceptions, %" PRIu64
                  " of them #UD for unimplemented instructions)\n",
                  run.retired, run.exceptions, run.unimplemented);
    }
  }

  // The same test in the interpreter; its end state must be the JIT's.
  void compareWithReference(const MooTest& t, const InsnProbe& insn, const ExclusionVerdict& v, uint16_t loaded_flags,
                            Counts& c) {
    reference_->load(t, profile_, loaded_flags);
    if (v.neutralize_lock) reference_->patchInstruction(t, insn.lock_positions, neutralSegmentPrefix(insn));
    RunResult ref = reference_->run(profile_);
    RunResult ours = lastRun_;
    reference_->unpatch();
    reference_->residentPages(ref_pages_);
    both_pages_.clear();
    std::set_union(pages_.begin(), pages_.end(), ref_pages_.begin(), ref_pages_.end(), std::back_inserter(both_pages_));
    const bool show = disagreements_shown_ < kDisagreementsShown;
    std::vector<std::string> lines;
    {
      Diff d(show ? &lines : nullptr);
      if (ref.end != ours.end) d.add("the engines ended differently (shutdown or runaway)");
      if (ref.retired != ours.retired)
        d.add("retired: interpreter " + std::to_string(ref.retired) + " jit " + std::to_string(ours.retired));
      if (ref.exceptions != ours.exceptions)
        d.add("exceptions: interpreter " + std::to_string(ref.exceptions) + " jit " + std::to_string(ours.exceptions));
      compareEngineStates(d, reference_->cpu().state, bench_.cpu().state);
      compareEngineMemory(d, reference_->ram(), bench_.ram(), both_pages_);
      if (d.any()) ++c.disagreed;
    }
    if (show && !lines.empty()) {
      ++disagreements_shown_;
      std::printf("  ENGINES DISAGREE %s #%u \"%s\" bytes [%s]\n", stem_.c_str(), t.index, t.name.c_str(),
                  bytesHex(t.bytes).c_str());
      std::printf("    initial: %s\n", initialRegisters(t).c_str());
      for (const std::string& l : lines) std::printf("    %s\n", l.c_str());
    }
    reference_->wipeRam(ref_pages_);
  }

  bool check(const MooTest& t, RunEnd end, uint16_t loaded_flags, const Rules& rules, std::vector<std::string>* lines) {
    Diff d(lines);
    if (end == RunEnd::Shutdown) d.add("the CPU shut down (triple fault)");
    if (end == RunEnd::Runaway) d.add("no HLT within " + std::to_string(kMaxInstructions) + " instructions");
    if (d.done()) return false;
    Expected e = expectedRegisters(t, *header_, loaded_flags, rules.flags_mask, rules.ignored_regs);
    compareRegisters(d, bench_.cpu().state, e);
    if (d.done()) return false;
    memory_.build(t);
    compareListedBytes(d, t, memory_, bench_.ram(), kRamBytes, pushedFlagsAddress(t, e), rules.flags_mask);
    if (d.done()) return false;
    findStrayWrites(d, memory_, bench_.ram(), pages_);
    return !d.any();
  }

  void countExclusions(const ExclusionVerdict& v) {
    if (v.skip >= 0) ++totals_.per_exclusion[static_cast<size_t>(v.skip)];
    for (size_t i = 0; i < totals_.per_exclusion.size(); ++i)
      if (v.skip < 0 && ((v.relaxed >> i) & 1)) ++totals_.per_exclusion[i];
  }

  static constexpr unsigned kDisagreementsShown = 10;

  Bench& bench_;
  Bench* reference_;
  const Suite& suite_;
  const Options& options_;
  Totals& totals_;
  const CpuProfile& profile_;
  std::string stem_;
  const MooHeader* header_ = nullptr;
  uint16_t flags_mask_ = 0xFFFF;
  unsigned shown_ = 0;
  ExpectedMemory memory_;        // reused across tests to keep their buffers
  std::vector<uint32_t> pages_;  // pages the current test may have touched
  std::vector<uint32_t> ref_pages_, both_pages_;
  RunResult lastRun_{};
  unsigned disagreements_shown_ = 0;
};

// ---------------------------------------------------------------- the suite

std::optional<std::string> readTextFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wanted(const std::string& stem, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(),
                     [&](const std::string& f) { return stem.compare(0, f.size(), f) == 0; });
}

// nullopt after printing why the suite cannot be run.
std::optional<Suite> openSuite(const Options& o) {
  Suite s;
  s.dir = o.dir;
  std::error_code ec;
  if (!fs::is_directory(o.dir, ec)) {
    std::fprintf(stderr, "singlestep_runner: %s: not a directory\n", o.dir.c_str());
    return std::nullopt;
  }
  fs::path dir(o.dir);
  try {
    if (auto json = readTextFile(dir / "metadata.json"))
      s.metadata = SuiteMetadata::parse(*json);
    else
      std::fprintf(stderr, "singlestep_runner: warning: %s has no metadata.json; all flags compared\n", o.dir.c_str());
  } catch (const MooError& e) {
    std::fprintf(stderr, "singlestep_runner: %s/metadata.json: %s\n", o.dir.c_str(), e.what());
    return std::nullopt;
  }
  if (auto list = readTextFile(dir / "revocation_list.txt")) s.revoked = parseRevocationList(*list);

  std::optional<SuiteCpu> cpu = o.cpu ? o.cpu : cpuFromName(s.metadata.cpu());
  std::string dirname = fs::absolute(dir).lexically_normal().filename().string();
  if (dirname.empty()) dirname = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  if (!cpu) cpu = cpuFromName(dirname);
  if (!cpu) {
    std::fprintf(stderr, "singlestep_runner: cannot tell the suite's CPU; use --cpu 286|8086\n");
    return std::nullopt;
  }
  s.cpu = *cpu;

  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string stem = stemOf(entry.path());
    if (stem != entry.path().filename().string() && wanted(stem, o.filters)) s.files.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "singlestep_runner: %s: %s\n", o.dir.c_str(), ec.message().c_str());
    return std::nullopt;
  }
  std::sort(s.files.begin(), s.files.end());
  return s;
}

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

void printExclusionSummary(const Totals& t) {
  auto list = exclusionList();
  for (int pass = 0; pass < 2; ++pass) {
    bool skips = pass == 0;
    std::printf(skips ? "exclusions (tests skipped):\n" : "relaxed comparisons (tests run with a looser rule):\n");
    bool any = false;
    for (size_t i = 0; i < list.size(); ++i) {
      if ((list[i].effect == Exclusion::Effect::Skip) != skips || t.per_exclusion[i] == 0) continue;
      std::printf("  %-20s %6" PRIu64 "  %s\n", list[i].id, t.per_exclusion[i], list[i].reason);
      any = true;
    }
    if (!any) std::printf("  (none)\n");
  }
}

void printWorstFiles(const Totals& t) {
  std::vector<const FileResult*> failing;
  for (const FileResult& f : t.files)
    if (f.counts.failed) failing.push_back(&f);
  if (failing.empty()) return;
  std::stable_sort(failing.begin(), failing.end(),
                   [](const FileResult* a, const FileResult* b) { return a->counts.failed > b->counts.failed; });
  std::printf("most failures:");
  for (size_t i = 0; i < failing.size() && i < 15; ++i)
    std::printf(" %s(%" PRIu64 ")", failing[i]->stem.c_str(), failing[i]->counts.failed);
  std::printf("\n");
}

// Returns the exit status.
int report(const Suite& s, const Options& o, const Totals& t, double seconds) {
  const Counts& c = t.counts;
  uint64_t ran = c.passed + c.failed;
  double rate = percent(c.passed, ran);
  double excluded_pct = percent(c.excluded, c.total());
  std::printf("\n== %s suite%s: %zu files, %" PRIu64 " tests in %.1f s\n", profileFor(s.cpu).name,
              o.jit ? " under the JIT (one instruction per block)" : "", t.files.size(),
              c.total(), seconds);
  std::printf("excluded %" PRIu64 " (%.2f%% of all tests), revoked %" PRIu64 "\n", c.excluded, excluded_pct, c.revoked);
  printExclusionSummary(t);
  printWorstFiles(t);
  std::printf("pass rate %.3f%% (%" PRIu64 " of %" PRIu64 " non-excluded tests)\n", rate, c.passed, ran);

  int status = t.data_error ? 2 : 0;
  if (excluded_pct > o.max_excluded) {
    std::printf("FAIL: %.2f%% of tests excluded, more than the allowed %.2f%%\n", excluded_pct, o.max_excluded);
    status = status ? status : 1;
  }
  if (o.min_pass_rate && (ran == 0 || rate < *o.min_pass_rate)) {
    std::printf("FAIL: pass rate %.3f%% is below the required %.3f%%\n", rate, *o.min_pass_rate);
    status = status ? status : 1;
  }
  if (o.jit) {
    std::printf("interpreter and JIT disagree on %" PRIu64 " tests\n", c.disagreed);
    if (c.disagreed) {
      std::printf("FAIL: the JIT must end every test in the interpreter's state\n");
      status = status ? status : 1;
    }
  }
  std::printf("%" PRIu64 " passed, %" PRIu64 " failed", c.passed, c.failed);
  if (c.excluded + c.revoked) std::printf(", %" PRIu64 " skipped", c.excluded + c.revoked);
  std::printf("\n");
  return status;
}

int runSuite(const Options& o) {
  std::optional<Suite> suite = openSuite(o);
  if (!suite) return 2;
  if (suite->files.empty()) {
    std::fprintf(stderr, "singlestep_runner: no test files in %s%s\n", o.dir.c_str(),
                 o.filters.empty() ? "" : " match the filter");
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  // Comparing the engines reads every resident page of both: keep few.
  const size_t max_resident = o.jit ? kMaxResidentComparing : kMaxResident;
  auto bench = std::make_unique<Bench>(o.jit, max_resident);
  std::unique_ptr<Bench> reference = o.jit ? std::make_unique<Bench>(false, max_resident) : nullptr;
  Totals totals;
  totals.per_exclusion.assign(exclusionList().size(), 0);
  FileRunner runner(*bench, reference.get(), *suite, o, totals);
  for (const fs::path& file : suite->files) {
    FileResult r{stemOf(file), {}};
    try {
      r.counts = runner.run(file);
    } catch (const MooError& e) {
      std::printf("%s error: %s: %s\n", r.stem.c_str(), file.string().c_str(), e.what());
      totals.data_error = true;
    }
    std::printf("%s pass %" PRIu64 " fail %" PRIu64 " excluded %" PRIu64, r.stem.c_str(), r.counts.passed,
                r.counts.failed, r.counts.excluded);
    if (o.jit) std::printf(" engines-disagree %" PRIu64, r.counts.disagreed);
    std::printf("\n");
    std::fflush(stdout);
    totals.counts.add(r.counts);
    totals.files.push_back(std::move(r));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (const Jit* jit = bench->jit())
    std::printf("JIT: %" PRIu64 " blocks translated, %" PRIu64 " run, %" PRIu64 " instructions stepped by the interpreter\n",
                jit->stats().translations, jit->stats().blocks_run, jit->stats().steps);
  return report(*suite, o, totals, seconds);
}

}  // namespace
}  // namespace sv::conformance

int main(int argc, char** argv) {
  std::optional<sv::conformance::Options> options = sv::conformance::parseArgs(argc, argv);
  if (!options) return 2;
  if (options->help) {
    sv::conformance::printUsage(stdout);
    return 0;
  }
  return sv::conformance::runSuite(*options);
}
