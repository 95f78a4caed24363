// A small ACPI Machine Language (AML) byte-code builder (ACPI 6.4, ch. 20
// "ACPI Machine Language Specification"): each function returns the
// encoding of one term, and terms nest by value, so a DSDT is written as
// nested calls that read like the ASL it stands for. Only the terms our
// DSDT uses exist; each one encodes exactly as 20.2 specifies.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sv::aml {

using Bytes = std::vector<uint8_t>;
using TermList = std::vector<Bytes>;

// PkgLength (20.2.4) for a body of `body_len` bytes: the encoded length
// counts its own bytes too; 1 byte up to 63, else 2-4 bytes.
Bytes pkgLength(size_t body_len);
// NameString (20.2.2): "\\_SB.PCI0", "^LNKA", "_HID"; segments shorter
// than four characters are padded with '_'. Throws std::invalid_argument
// on a malformed path.
Bytes nameString(std::string_view path);

// Data objects (20.2.3): the smallest encoding of the integer (Zero, One,
// Ones, BytePrefix ... QWordPrefix), a NUL-terminated string, an EISA ID
// ("PNP0A03" -> its compressed 32-bit form, 6.1.5), a buffer.
Bytes integer(uint64_t value);
Bytes string(std::string_view text);
Bytes eisaId(std::string_view id);
Bytes buffer(const Bytes& data);
Bytes package(const TermList& elements);
// A name reference as a term or package element.
Bytes reference(std::string_view path);

// Named objects and scopes.
Bytes name(std::string_view path, const Bytes& value);
Bytes scope(std::string_view path, const TermList& terms);
Bytes device(std::string_view path, const TermList& terms);
Bytes method(std::string_view path, unsigned arg_count, bool serialized, const TermList& terms);

enum class RegionSpace : uint8_t { SystemMemory = 0, SystemIo = 1, PciConfig = 2 };
Bytes operationRegion(std::string_view path, RegionSpace space, uint64_t offset, uint64_t length);
struct FieldUnit {
  std::string_view name;
  unsigned bits;
};
// Field(region, ByteAcc, NoLock, Preserve) { units... }
Bytes byteField(std::string_view region, const std::vector<FieldUnit>& units);

// Statements and expressions (20.2.5). A null target is encoded as the
// NullName (0x00).
Bytes local(unsigned n);  // Local0-7
Bytes arg(unsigned n);    // Arg0-6
Bytes ret(const Bytes& value);
Bytes ifThen(const Bytes& predicate, const TermList& terms);
Bytes elseDo(const TermList& terms);
Bytes store(const Bytes& source, const Bytes& target);
Bytes bitAnd(const Bytes& a, const Bytes& b, const Bytes& target = {});
Bytes bitOr(const Bytes& a, const Bytes& b, const Bytes& target = {});
Bytes shiftLeft(const Bytes& value, const Bytes& count, const Bytes& target = {});
Bytes logicalNot(const Bytes& value);
Bytes findSetRightBit(const Bytes& value, const Bytes& target);
Bytes decrement(const Bytes& target);
Bytes createWordField(const Bytes& source, const Bytes& byte_index, std::string_view name);

}  // namespace sv::aml
