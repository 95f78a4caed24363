#include "devices/acpi/aml.h"

#include <stdexcept>
#include <string>

namespace sv::aml {

namespace {
// Opcodes, ACPI 6.4 20.3 (AML byte stream byte values).
constexpr uint8_t kZeroOp = 0x00, kOneOp = 0x01, kNameOp = 0x08, kBytePrefix = 0x0A, kWordPrefix = 0x0B,
                  kDWordPrefix = 0x0C, kStringPrefix = 0x0D, kQWordPrefix = 0x0E, kScopeOp = 0x10, kBufferOp = 0x11,
                  kPackageOp = 0x12, kMethodOp = 0x14, kDualNamePrefix = 0x2E, kMultiNamePrefix = 0x2F,
                  kExtOpPrefix = 0x5B, kRootChar = 0x5C, kParentPrefix = 0x5E, kLocal0Op = 0x60, kArg0Op = 0x68,
                  kStoreOp = 0x70, kDecrementOp = 0x76, kShiftLeftOp = 0x79, kAndOp = 0x7B, kOrOp = 0x7D,
                  kFindSetRightBitOp = 0x82, kCreateWordFieldOp = 0x8B, kLNotOp = 0x92, kIfOp = 0xA0, kElseOp = 0xA1,
                  kReturnOp = 0xA4, kOnesOp = 0xFF;
constexpr uint8_t kOpRegionOp = 0x80, kFieldOp = 0x81, kDeviceOp = 0x82;  // after kExtOpPrefix
constexpr uint8_t kNullName = 0x00;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

Bytes join(const TermList& terms) {
  Bytes out;
  for (const Bytes& t : terms) append(out, t);
  return out;
}

// opcode(s) PkgLength body
Bytes withLength(Bytes head, const Bytes& body) {
  append(head, pkgLength(body.size()));
  append(head, body);
  return head;
}

bool leadChar(char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }
bool nameChar(char c) { return leadChar(c) || (c >= '0' && c <= '9'); }

Bytes target(const Bytes& t) { return t.empty() ? Bytes{kNullName} : t; }
}  // namespace

Bytes pkgLength(size_t body_len) {
  if (body_len + 1 <= 0x3F) return {static_cast<uint8_t>(body_len + 1)};
  for (size_t n = 2; n <= 4; ++n) {
    const size_t total = body_len + n;
    if (total >= (1ull << (4 + 8 * (n - 1)))) continue;
    Bytes out{static_cast<uint8_t>(((n - 1) << 6) | (total & 0x0F))};
    for (size_t i = 1; i < n; ++i) out.push_back(static_cast<uint8_t>(total >> (4 + 8 * (i - 1))));
    return out;
  }
  throw std::invalid_argument("AML package of " + std::to_string(body_len) + " bytes is too long (PkgLength holds 28 bits)");
}

Bytes nameString(std::string_view path) {
  Bytes out;
  size_t i = 0;
  if (i < path.size() && path[i] == '\\') out.push_back(kRootChar), ++i;
  else
    while (i < path.size() && path[i] == '^') out.push_back(kParentPrefix), ++i;
  std::vector<std::string_view> segs;
  while (i < path.size()) {
    size_t dot = path.find('.', i);
    std::string_view seg = path.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (seg.empty() || seg.size() > 4 || !leadChar(seg[0]))
      throw std::invalid_argument("AML name '" + std::string(path) + "' has a bad segment");
    for (char c : seg)
      if (!nameChar(c)) throw std::invalid_argument("AML name '" + std::string(path) + "' has a bad character");
    segs.push_back(seg);
    if (dot == std::string_view::npos) break;
    i = dot + 1;
    if (i == path.size()) throw std::invalid_argument("AML name '" + std::string(path) + "' ends with '.'");
  }
  if (segs.size() == 2) out.push_back(kDualNamePrefix);
  if (segs.size() > 2) {
    if (segs.size() > 255) throw std::invalid_argument("AML name '" + std::string(path) + "' is too deep");
    out.push_back(kMultiNamePrefix);
    out.push_back(static_cast<uint8_t>(segs.size()));
  }
  if (segs.empty()) out.push_back(kNullName);
  for (std::string_view seg : segs)
    for (size_t k = 0; k < 4; ++k) out.push_back(static_cast<uint8_t>(k < seg.size() ? seg[k] : '_'));
  return out;
}

Bytes integer(uint64_t value) {
  if (value == 0) return {kZeroOp};
  if (value == 1) return {kOneOp};
  if (value == ~0ull) return {kOnesOp};
  auto le = [&](uint8_t prefix, unsigned n) {
    Bytes out{prefix};
    for (unsigned i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
    return out;
  };
  if (value <= 0xFF) return le(kBytePrefix, 1);
  if (value <= 0xFFFF) return le(kWordPrefix, 2);
  if (value <= 0xFFFFFFFF) return le(kDWordPrefix, 4);
  return le(kQWordPrefix, 8);
}

Bytes string(std::string_view text) {
  Bytes out{kStringPrefix};
  for (char c : text) {
    if (c == 0 || static_cast<unsigned char>(c) > 0x7F) throw std::invalid_argument("AML strings are ASCII without NUL");
    out.push_back(static_cast<uint8_t>(c));
  }
  out.push_back(0);
  return out;
}

// ACPI 6.4 6.1.5: three letters in 5 bits each (A = 1), then four hex
// digits, stored as a big-endian byte sequence in a DWord.
Bytes eisaId(std::string_view id) {
  auto hex = [&](char c) -> unsigned {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("EISA ID '" + std::string(id) + "' has a bad hex digit");
  };
  if (id.size() != 7) throw std::invalid_argument("EISA ID '" + std::string(id) + "' is not 7 characters");
  unsigned letters = 0;
  for (int k = 0; k < 3; ++k) {
    if (id[k] < 'A' || id[k] > 'Z') throw std::invalid_argument("EISA ID '" + std::string(id) + "' needs three capitals");
    letters = (letters << 5) | static_cast<unsigned>(id[k] - 'A' + 1);
  }
  const uint32_t v = (letters >> 8) | ((letters & 0xFF) << 8) | ((hex(id[3]) << 4 | hex(id[4])) << 16) |
                     ((hex(id[5]) << 4 | hex(id[6])) << 24);
  return Bytes{kDWordPrefix, static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
               static_cast<uint8_t>(v >> 24)};
}

Bytes buffer(const Bytes& data) {
  Bytes body = integer(data.size());
  append(body, data);
  return withLength({kBufferOp}, body);
}

Bytes package(const TermList& elements) {
  if (elements.size() > 255) throw std::invalid_argument("AML Package has more than 255 elements (use VarPackage)");
  Bytes body{static_cast<uint8_t>(elements.size())};
  append(body, join(elements));
  return withLength({kPackageOp}, body);
}

Bytes reference(std::string_view path) { return nameString(path); }

Bytes name(std::string_view path, const Bytes& value) {
  Bytes out{kNameOp};
  append(out, nameString(path));
  append(out, value);
  return out;
}

Bytes scope(std::string_view path, const TermList& terms) {
  Bytes body = nameString(path);
  append(body, join(terms));
  return withLength({kScopeOp}, body);
}

Bytes device(std::string_view path, const TermList& terms) {
  Bytes body = nameString(path);
  append(body, join(terms));
  return withLength({kExtOpPrefix, kDeviceOp}, body);
}

Bytes method(std::string_view path, unsigned arg_count, bool serialized, const TermList& terms) {
  if (arg_count > 7) throw std::invalid_argument("AML methods take at most 7 arguments");
  Bytes body = nameString(path);
  body.push_back(static_cast<uint8_t>(arg_count | (serialized ? 0x08 : 0)));  // MethodFlags
  append(body, join(terms));
  return withLength({kMethodOp}, body);
}

Bytes operationRegion(std::string_view path, RegionSpace space, uint64_t offset, uint64_t length) {
  Bytes out{kExtOpPrefix, kOpRegionOp};
  append(out, nameString(path));
  out.push_back(static_cast<uint8_t>(space));
  append(out, integer(offset));
  append(out, integer(length));
  return out;
}

Bytes byteField(std::string_view region, const std::vector<FieldUnit>& units) {
  Bytes body = nameString(region);
  body.push_back(0x01);  // FieldFlags: ByteAcc, NoLock, Preserve
  for (const FieldUnit& u : units) {
    Bytes seg = nameString(u.name);
    if (seg.size() != 4) throw std::invalid_argument("AML field unit names are single segments");
    append(body, seg);
    // A NamedField's PkgLength is the bit count itself (20.2.5.2).
    if (u.bits == 0 || u.bits >= (1u << 28)) throw std::invalid_argument("AML field unit width out of range");
    Bytes len;
    const unsigned n = u.bits <= 0x3F ? 1 : u.bits < (1u << 12) ? 2 : u.bits < (1u << 20) ? 3 : 4;
    len.push_back(static_cast<uint8_t>(n == 1 ? u.bits : ((n - 1) << 6) | (u.bits & 0x0F)));
    for (unsigned k = 1; k < n; ++k) len.push_back(static_cast<uint8_t>(u.bits >> (4 + 8 * (k - 1))));
    append(body, len);
  }
  return withLength({kExtOpPrefix, kFieldOp}, body);
}

Bytes local(unsigned n) {
  if (n > 7) throw std::invalid_argument("AML has Local0-Local7");
  return {static_cast<uint8_t>(kLocal0Op + n)};
}

Bytes arg(unsigned n) {
  if (n > 6) throw std::invalid_argument("AML has Arg0-Arg6");
  return {static_cast<uint8_t>(kArg0Op + n)};
}

Bytes ret(const Bytes& value) {
  Bytes out{kReturnOp};
  append(out, value);
  return out;
}

Bytes ifThen(const Bytes& predicate, const TermList& terms) {
  Bytes body = predicate;
  append(body, join(terms));
  return withLength({kIfOp}, body);
}

Bytes elseDo(const TermList& terms) { return withLength({kElseOp}, join(terms)); }

Bytes store(const Bytes& source, const Bytes& dest) {
  Bytes out{kStoreOp};
  append(out, source);
  append(out, dest);
  return out;
}

namespace {
Bytes binary(uint8_t op, const Bytes& a, const Bytes& b, const Bytes& t) {
  Bytes out{op};
  append(out, a);
  append(out, b);
  append(out, target(t));
  return out;
}
}  // namespace

Bytes bitAnd(const Bytes& a, const Bytes& b, const Bytes& t) { return binary(kAndOp, a, b, t); }
Bytes bitOr(const Bytes& a, const Bytes& b, const Bytes& t) { return binary(kOrOp, a, b, t); }
Bytes shiftLeft(const Bytes& v, const Bytes& count, const Bytes& t) { return binary(kShiftLeftOp, v, count, t); }

Bytes logicalNot(const Bytes& value) {
  Bytes out{kLNotOp};
  append(out, value);
  return out;
}

Bytes findSetRightBit(const Bytes& value, const Bytes& t) {
  Bytes out{kFindSetRightBitOp};
  append(out, value);
  append(out, target(t));
  return out;
}

Bytes decrement(const Bytes& t) {
  Bytes out{kDecrementOp};
  append(out, t);
  return out;
}

Bytes createWordField(const Bytes& source, const Bytes& byte_index, std::string_view field_name) {
  Bytes out{kCreateWordFieldOp};
  append(out, source);
  append(out, byte_index);
  append(out, nameString(field_name));
  return out;
}

}  // namespace sv::aml
