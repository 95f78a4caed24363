// Readers for the SingleStepTests CPU test suites: MOO test files (the chunked
// binary format of github.com/dbalsom/moo, version 1.x), the suite's
// metadata.json (per-opcode status and masks of defined flags) and its
// revocation list of bad tests.
//
// MOO in short: a file is a sequence of chunks [4-byte ASCII id][u32 length]
// [payload], all little-endian. "MOO " (version, test count, CPU id) comes
// first, then optional "META"/"RMSK", then one "TEST" chunk per test whose
// payload is a u32 index followed by subchunks (NAME, BYTS, INIT, FINA, CYCL,
// EXCP, HASH ...). Unknown chunks are skipped by their length, as the format
// asks of readers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sv::conformance {

// Register order of REGS and RMSK chunks: bit i of the mask is register i.
enum MooReg : uint8_t { kAX, kBX, kCX, kDX, kCS, kSS, kDS, kES, kSP, kBP, kSI, kDI, kIP, kFlags, kMooRegCount };

const char* mooRegName(unsigned reg);

// A malformed file or document. The message says what and where; callers add
// the file name.
class MooError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RamEntry {
  uint32_t addr;
  uint8_t value;
};

// A register set with a presence mask: REGS (values) or RMSK (masks of the
// defined bits of each register).
struct RegisterSet {
  uint16_t present = 0;
  std::array<uint16_t, kMooRegCount> value{};
  bool has(unsigned reg) const { return (present >> reg) & 1; }
};

// An INIT or FINA snapshot. The initial state holds every register; the final
// state only those the instruction changed, and only the changed RAM bytes
// (286 suite; the 8086 suite repeats all of them).
struct MooState {
  RegisterSet regs;
  RegisterSet undefined_masks;  // RMSK inside FINA: applies to this test only
  std::vector<RamEntry> ram;
  std::vector<uint8_t> queue;
  void clear();
};

struct MooTest {
  uint32_t index = 0;
  std::string name;            // disassembly, e.g. "add [bx+0Eh],bl"
  std::vector<uint8_t> bytes;  // instruction bytes (286: including the HLT that ends the test)
  MooState init;
  MooState fina;
  bool has_exception = false;  // EXCP: the instruction raised an exception or interrupt
  uint8_t exception = 0;
  uint32_t flag_address = 0;   // physical address of the FLAGS word it pushed
  bool has_hash = false;
  std::array<uint8_t, 20> hash{};  // SHA-1 that identifies the test across the suite
  std::string hashHex() const;
  void clear();
};

struct MooHeader {
  uint8_t major = 0;
  uint8_t minor = 0;
  uint32_t test_count = 0;
  std::string cpu_id;  // "8086", "C286" (Harris 80C286), "386E" ...
  // META chunk, when present.
  bool has_meta = false;
  std::string mnemonic;
  uint8_t cpu_mode = 0;  // 0 = real mode
  RegisterSet undefined_masks;  // top-level RMSK: applies to every test of the file
};

// Reads tests one at a time from a whole file held in memory (already
// decompressed). The header is parsed by the constructor.
class MooReader {
 public:
  explicit MooReader(std::vector<uint8_t> data);
  const MooHeader& header() const { return header_; }
  // Fills `out` with the next test, reusing its buffers. False at the end.
  bool next(MooTest& out);

 private:
  void readHeaderChunks();
  std::vector<uint8_t> data_;
  size_t pos_ = 0;
  MooHeader header_;
};

// The contents of a file, gunzipped if it is gzip-compressed (plain files are
// passed through). Throws MooError naming the file.
std::vector<uint8_t> readFileMaybeGzip(const std::string& path);

// One opcode form of metadata.json.
struct OpcodeInfo {
  std::string status;        // "normal", "alias", "undefined", "fpu", "prefix" ...
  uint16_t flags_mask = 0xFFFF;  // defined FLAGS bits; undefined ones are clear
};

// metadata.json: suite CPU and per-opcode entries. Opcodes with a ModRM
// extension have a "reg" object with one entry per reg field.
class SuiteMetadata {
 public:
  static SuiteMetadata parse(std::string_view json);
  const std::string& cpu() const { return cpu_; }
  // For a test file stem: "F6.6" -> opcodes["F6"]["reg"]["6"], "00" ->
  // opcodes["00"]. nullptr when the metadata has no entry.
  const OpcodeInfo* find(std::string_view stem) const;
  size_t size() const { return opcodes_.size(); }

 private:
  std::string cpu_;
  std::map<std::string, OpcodeInfo, std::less<>> opcodes_;  // "F6", "F6.6", "00"
};

// revocation_list.txt: one hex SHA-1 per line, '#' starts a comment line.
// Returned lower-case, to compare with MooTest::hashHex().
std::unordered_set<std::string> parseRevocationList(std::string_view text);

}  // namespace sv::conformance
