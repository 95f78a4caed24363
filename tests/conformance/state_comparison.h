// Comparing the CPU's final state with a SingleStepTests test's: the
// expected registers with their compared bits, the expected memory (the
// bytes the test lists, zero elsewhere), and the differences found.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/conformance/moo_reader.h"

namespace sv::conformance {

std::string hex(uint64_t v, int digits);

// Collects differences; with `lines` null only the verdict is wanted and the
// first difference ends the comparison.
class Diff {
 public:
  explicit Diff(std::vector<std::string>* lines) : lines_(lines) {}
  ~Diff() {
    if (suppressed_) lines_->push_back("... and " + std::to_string(suppressed_) + " more differences");
  }
  bool any() const { return any_; }
  void add(std::string line) {
    any_ = true;
    if (!lines_) return;
    if (lines_->size() < kMaxLines) lines_->push_back(std::move(line));
    else ++suppressed_;
  }
  bool done() const { return any_ && !lines_; }

 private:
  static constexpr size_t kMaxLines = 24;
  std::vector<std::string>* lines_;
  bool any_ = false;
  size_t suppressed_ = 0;
};

// The final-state rules of one test.
struct Expected {
  std::array<uint16_t, kMooRegCount> regs{};   // registers absent from FINA keep their initial value
  std::array<uint16_t, kMooRegCount> masks{};  // bits compared
};

Expected expectedRegisters(const MooTest& t, const MooHeader& h, uint16_t loaded_flags, uint16_t flags_mask,
                           uint16_t ignored_regs);

// The memory a test expects afterwards: zero everywhere except the initial
// RAM bytes, with the final RAM bytes (the ones the instruction changed) over
// them. Sorted by address, one entry per byte.
class ExpectedMemory {
 public:
  void build(const MooTest& t);
  const std::vector<RamEntry>& bytes() const { return bytes_; }
  bool listed(uint32_t addr) const;

 private:
  std::vector<RamEntry> bytes_;
};

constexpr uint32_t kNoAddress = ~0u;

// Where the exception frame's FLAGS word is (kNoAddress without exception).
uint32_t pushedFlagsAddress(const MooTest& t, const Expected& e);

// The listed bytes against `ram` (undefined flags masked in a pushed FLAGS
// word at `flags_at`).
void compareListedBytes(Diff& d, const MooTest& t, const ExpectedMemory& m, const uint8_t* ram, uint64_t ram_bytes,
                        uint32_t flags_at, uint16_t flags_mask);

// Nonzero bytes in `pages` of `ram` that the test does not list: writes to
// the wrong place or of the wrong width.
void findStrayWrites(Diff& d, const ExpectedMemory& m, const uint8_t* ram, const std::vector<uint32_t>& pages);

}  // namespace sv::conformance
