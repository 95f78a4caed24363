#include "tests/conformance/moo_reader.h"

#include <zlib.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

namespace sv::conformance {

namespace {

constexpr uint32_t fourcc(const char (&id)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(id[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(id[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(id[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(id[3])) << 24;
}

std::string fourccName(uint32_t id) {
  std::string s(4, ' ');
  for (int i = 0; i < 4; ++i) {
    char c = static_cast<char>(id >> (8 * i));
    s[i] = std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  return s;
}

// Bounds-checked little-endian reads over a byte range; every overrun is a
// MooError that names the offset in the file.
class Cursor {
 public:
  Cursor(const uint8_t* base, size_t begin, size_t end) : base_(base), pos_(begin), end_(end) {}

  bool atEnd() const { return pos_ >= end_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }

  uint8_t u8() {
    need(1);
    return base_[pos_++];
  }
  uint16_t u16() {
    need(2);
    uint16_t v = static_cast<uint16_t>(base_[pos_] | base_[pos_ + 1] << 8);
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    need(4);
    uint32_t v = static_cast<uint32_t>(base_[pos_]) | static_cast<uint32_t>(base_[pos_ + 1]) << 8 |
                 static_cast<uint32_t>(base_[pos_ + 2]) << 16 | static_cast<uint32_t>(base_[pos_ + 3]) << 24;
    pos_ += 4;
    return v;
  }
  const uint8_t* take(size_t n) {
    need(n);
    const uint8_t* p = base_ + pos_;
    pos_ += n;
    return p;
  }

  // The next chunk header; the returned cursor spans its payload and this one
  // moves past it.
  Cursor chunk(uint32_t& id) {
    id = u32();
    uint32_t len = u32();
    if (len > remaining())
      throw MooError("chunk '" + fourccName(id) + "' at offset " + std::to_string(pos_ - 8) + " claims " +
                     std::to_string(len) + " bytes, only " + std::to_string(remaining()) + " left");
    Cursor payload(base_, pos_, pos_ + len);
    pos_ += len;
    return payload;
  }

 private:
  void need(size_t n) const {
    if (n > end_ - pos_)
      throw MooError("truncated data at offset " + std::to_string(pos_) + ": need " + std::to_string(n) +
                     " bytes, have " + std::to_string(end_ - pos_));
  }
  const uint8_t* base_;
  size_t pos_;
  size_t end_;
};

void readRegisterSet(Cursor c, RegisterSet& out) {
  out.present = c.u16();
  for (unsigned r = 0; r < kMooRegCount; ++r)
    if (out.has(r)) out.value[r] = c.u16();
  // Bits 14 and 15 name no register in format 1.x; refuse rather than guess.
  if (out.present >> kMooRegCount) throw MooError("register mask names unknown registers");
}

void readRam(Cursor c, std::vector<RamEntry>& out) {
  uint32_t count = c.u32();
  if (static_cast<uint64_t>(count) * 5 > c.remaining()) throw MooError("RAM chunk shorter than its entry count");
  out.resize(count);
  for (auto& e : out) {
    e.addr = c.u32();
    e.value = c.u8();
  }
}

// A u32 length, then that many bytes (NAME, BYTS and QUEU share this shape).
template <typename Container>
void readCounted(Cursor c, Container& out) {
  uint32_t n = c.u32();
  const uint8_t* p = c.take(n);
  out.assign(p, p + n);
}

void readState(Cursor c, MooState& out) {
  while (!c.atEnd()) {
    uint32_t id;
    Cursor payload = c.chunk(id);
    if (id == fourcc("REGS")) readRegisterSet(payload, out.regs);
    else if (id == fourcc("RMSK")) readRegisterSet(payload, out.undefined_masks);
    else if (id == fourcc("RAM ")) readRam(payload, out.ram);
    else if (id == fourcc("QUEU")) readCounted(payload, out.queue);
    // RG32, RM32, EA32 (386 suites) and anything newer: not ours to use.
  }
}

void readTest(Cursor c, MooTest& out) {
  out.clear();
  out.index = c.u32();
  while (!c.atEnd()) {
    uint32_t id;
    Cursor payload = c.chunk(id);
    if (id == fourcc("NAME")) readCounted(payload, out.name);
    else if (id == fourcc("BYTS")) readCounted(payload, out.bytes);
    else if (id == fourcc("INIT")) readState(payload, out.init);
    else if (id == fourcc("FINA")) readState(payload, out.fina);
    else if (id == fourcc("EXCP")) {
      out.has_exception = true;
      out.exception = payload.u8();
      out.flag_address = payload.u32();
    } else if (id == fourcc("HASH")) {
      std::memcpy(out.hash.data(), payload.take(out.hash.size()), out.hash.size());
      out.has_hash = true;
    }
    // GMET (generator metadata), CYCL (bus cycles), IDX: not needed to run a test.
  }
}

}  // namespace

const char* mooRegName(unsigned reg) {
  static constexpr const char* kNames[kMooRegCount] = {"ax", "bx", "cx", "dx", "cs", "ss", "ds",
                                                       "es", "sp", "bp", "si", "di", "ip", "flags"};
  return reg < kMooRegCount ? kNames[reg] : "?";
}

void MooState::clear() {
  regs = RegisterSet{};
  undefined_masks = RegisterSet{};
  ram.clear();
  queue.clear();
}

void MooTest::clear() {
  index = 0;
  name.clear();
  bytes.clear();
  init.clear();
  fina.clear();
  has_exception = false;
  exception = 0;
  flag_address = 0;
  has_hash = false;
  hash.fill(0);
}

std::string MooTest::hashHex() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  if (!has_hash) return s;
  s.reserve(hash.size() * 2);
  for (uint8_t b : hash) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

// ---------------------------------------------------------------- MooReader

MooReader::MooReader(std::vector<uint8_t> data) : data_(std::move(data)) { readHeaderChunks(); }

void MooReader::readHeaderChunks() {
  Cursor c(data_.data(), 0, data_.size());
  uint32_t id;
  Cursor moo = c.chunk(id);
  if (id != fourcc("MOO ")) throw MooError("not a MOO file: starts with '" + fourccName(id) + "'");
  header_.major = moo.u8();
  header_.minor = moo.u8();
  moo.take(2);  // reserved
  header_.test_count = moo.u32();
  const uint8_t* cpu = moo.take(4);
  header_.cpu_id.assign(reinterpret_cast<const char*>(cpu), 4);
  if (header_.major != 1) throw MooError("MOO format version " + std::to_string(header_.major) + " is not supported");

  // File-level chunks before the first TEST.
  while (!c.atEnd()) {
    size_t start = c.pos();
    Cursor payload = c.chunk(id);
    if (id == fourcc("TEST")) {
      pos_ = start;
      return;
    }
    if (id == fourcc("META")) {
      header_.has_meta = true;
      payload.take(3);   // collection version, cpu type
      payload.u32();     // opcode
      const uint8_t* m = payload.take(8);
      header_.mnemonic.assign(reinterpret_cast<const char*>(m), 8);
      while (!header_.mnemonic.empty() && header_.mnemonic.back() == ' ') header_.mnemonic.pop_back();
      payload.u32();     // test count
      payload.take(8);   // seed
      header_.cpu_mode = payload.u8();
    } else if (id == fourcc("RMSK")) {
      readRegisterSet(payload, header_.undefined_masks);
    }
  }
  pos_ = data_.size();
}

bool MooReader::next(MooTest& out) {
  Cursor c(data_.data(), pos_, data_.size());
  while (!c.atEnd()) {
    uint32_t id;
    Cursor payload = c.chunk(id);
    pos_ = c.pos();
    if (id != fourcc("TEST")) continue;  // a chunk type added after 1.1
    readTest(payload, out);
    return true;
  }
  return false;
}

std::vector<uint8_t> readFileMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw MooError(path + ": cannot open: " + std::strerror(errno));
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(f, gzclose);
  gzbuffer(f, 1 << 17);
  std::vector<uint8_t> out;
  constexpr size_t kChunk = 1 << 20;
  for (;;) {
    size_t old = out.size();
    out.resize(old + kChunk);
    int n = gzread(f, out.data() + old, static_cast<unsigned>(kChunk));
    if (n < 0) {
      int err;
      const char* msg = gzerror(f, &err);
      throw MooError(path + ": read error: " + (msg ? msg : "unknown"));
    }
    out.resize(old + static_cast<size_t>(n));
    if (static_cast<size_t>(n) < kChunk) break;
  }
  return out;
}

// ---------------------------------------------------------------- metadata.json

namespace {

// Just enough JSON for metadata.json: a recursive-descent parser into a small
// tree. Numbers are kept as doubles; \u escapes are decoded to UTF-8 (BMP).
struct Json {
  enum class Type : uint8_t { Null, Bool, Number, String, Array, Object } type = Type::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json* get(std::string_view key) const {
    if (type != Type::Object) return nullptr;
    for (const auto& [k, v] : object)
      if (k == key) return &v;
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  Json document() {
    Json v = value(0);
    skipSpace();
    if (i_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 64;

  [[noreturn]] void fail(const std::string& what) const {
    throw MooError("JSON: " + what + " at offset " + std::to_string(i_));
  }
  void skipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  char peek() {
    skipSpace();
    if (i_ >= s_.size()) fail("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Json value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    Json v;
    char c = peek();
    if (c == '{') {
      v.type = Json::Type::Object;
      parseObject(v, depth);
    } else if (c == '[') {
      v.type = Json::Type::Array;
      parseArray(v, depth);
    } else if (c == '"') {
      v.type = Json::Type::String;
      v.string = parseString();
    } else if (literal("true")) {
      v.type = Json::Type::Bool;
      v.boolean = true;
    } else if (literal("false")) {
      v.type = Json::Type::Bool;
    } else if (literal("null")) {
      v.type = Json::Type::Null;
    } else {
      v.type = Json::Type::Number;
      v.number = parseNumber();
    }
    return v;
  }

  void parseObject(Json& v, int depth) {
    expect('{');
    if (peek() == '}') return void(++i_);
    for (;;) {
      if (peek() != '"') fail("expected a key");
      std::string key = parseString();
      expect(':');
      v.object.emplace_back(std::move(key), value(depth + 1));
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect('}');
      return;
    }
  }

  void parseArray(Json& v, int depth) {
    expect('[');
    if (peek() == ']') return void(++i_);
    for (;;) {
      v.array.push_back(value(depth + 1));
      if (peek() == ',') {
        ++i_;
        continue;
      }
      expect(']');
      return;
    }
  }

  std::string parseString() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': appendUtf8(out, parseHex4()); break;
        default: fail("bad escape");
      }
    }
  }

  unsigned parseHex4() {
    if (s_.size() - i_ < 4) fail("short \\u escape");
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
    if (ec != std::errc() || p != s_.data() + i_ + 4) fail("bad \\u escape");
    i_ += 4;
    return v;
  }

  static void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  double parseNumber() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == '+' || s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E'))
      ++i_;
    if (start == i_) fail("unexpected character");
    double v = 0;
    auto [p, ec] = std::from_chars(s_.data() + start, s_.data() + i_, v);
    if (ec != std::errc() || p != s_.data() + i_) fail("bad number");
    return v;
  }

  std::string_view s_;
  size_t i_ = 0;
};

OpcodeInfo opcodeInfo(const Json& entry) {
  OpcodeInfo info;
  if (const Json* s = entry.get("status"); s && s->type == Json::Type::String) info.status = s->string;
  if (const Json* m = entry.get("flags-mask"); m && m->type == Json::Type::Number) {
    if (m->number < 0 || m->number > 0xFFFF) throw MooError("metadata: flags-mask out of range");
    info.flags_mask = static_cast<uint16_t>(m->number);
  }
  return info;
}

}  // namespace

SuiteMetadata SuiteMetadata::parse(std::string_view json) {
  Json doc = JsonParser(json).document();
  if (doc.type != Json::Type::Object) throw MooError("metadata: top level is not an object");
  SuiteMetadata md;
  if (const Json* cpu = doc.get("cpu"); cpu && cpu->type == Json::Type::String) md.cpu_ = cpu->string;
  const Json* opcodes = doc.get("opcodes");
  if (!opcodes || opcodes->type != Json::Type::Object) throw MooError("metadata: no \"opcodes\" object");
  for (const auto& [op, entry] : opcodes->object) {
    md.opcodes_[op] = opcodeInfo(entry);
    const Json* regs = entry.get("reg");
    if (!regs || regs->type != Json::Type::Object) continue;
    for (const auto& [reg, sub] : regs->object) md.opcodes_[op + "." + reg] = opcodeInfo(sub);
  }
  return md;
}

const OpcodeInfo* SuiteMetadata::find(std::string_view stem) const {
  auto it = opcodes_.find(stem);
  return it == opcodes_.end() ? nullptr : &it->second;
}

std::unordered_set<std::string> parseRevocationList(std::string_view text) {
  std::unordered_set<std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::string hash(line);
    for (char& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.insert(std::move(hash));
  }
  return out;
}

}  // namespace sv::conformance
