// The AML builder's encodings against ACPI 6.4 ch. 20 byte by byte.
#include <doctest/doctest.h>

#include "devices/acpi/aml.h"
#include "devices/acpi/resource_template.h"

using namespace sv;
using namespace sv::aml;
using B = std::vector<uint8_t>;

TEST_CASE("PkgLength counts its own bytes and switches to the multi-byte form at 63") {
  CHECK(pkgLength(0) == B{0x01});
  CHECK(pkgLength(62) == B{0x3F});
  // 63 + 2 = 65 = 0x41: lead byte 01xx 0001, then 0x41 >> 4 = 0x04.
  CHECK(pkgLength(63) == B{0x41, 0x04});
  CHECK(pkgLength(0x0FFD) == B{0x4F, 0xFF});          // 4095 in two bytes
  CHECK(pkgLength(0x0FFE) == B{0x81, 0x00, 0x01});    // 4097 needs three
  CHECK_THROWS(pkgLength(1u << 28));
}

TEST_CASE("name strings: single, dual, multi segments, root and parent prefixes, padding") {
  CHECK(nameString("_HID") == B{'_', 'H', 'I', 'D'});
  CHECK(nameString("KBD") == B{'K', 'B', 'D', '_'});
  CHECK(nameString("\\_SB") == B{0x5C, '_', 'S', 'B', '_'});
  CHECK(nameString("\\_SB.PCI0") == B{0x5C, 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'});
  CHECK(nameString("\\_SB.PCI0.ISA.PRQA") ==
        B{0x5C, 0x2F, 4, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S', 'A', '_', 'P', 'R', 'Q', 'A'});
  CHECK(nameString("^LNKA") == B{0x5E, 'L', 'N', 'K', 'A'});
  CHECK_THROWS(nameString("TOOLONG"));
  CHECK_THROWS(nameString("1ABC"));
  CHECK_THROWS(nameString("\\_SB."));
}

TEST_CASE("integers take the smallest encoding") {
  CHECK(integer(0) == B{0x00});
  CHECK(integer(1) == B{0x01});
  CHECK(integer(~0ull) == B{0xFF});
  CHECK(integer(0x0A) == B{0x0A, 0x0A});
  CHECK(integer(0x1234) == B{0x0B, 0x34, 0x12});
  CHECK(integer(0x00010000) == B{0x0C, 0x00, 0x00, 0x01, 0x00});
  CHECK(integer(0x100000000ull) == B{0x0E, 0, 0, 0, 0, 1, 0, 0, 0});
}

TEST_CASE("EISA IDs compress as ACPI 6.1.5 says") {
  CHECK(eisaId("PNP0A03") == B{0x0C, 0x41, 0xD0, 0x0A, 0x03});
  CHECK(eisaId("PNP0303") == B{0x0C, 0x41, 0xD0, 0x03, 0x03});
  CHECK_THROWS(eisaId("pnp0a03"));
  CHECK_THROWS(eisaId("PNP0A0"));
}

TEST_CASE("Name, Package, Method, Device and Scope encode with their opcodes and lengths") {
  // Name(_S5, Package(){0, 0, 0, 0})
  CHECK(name("_S5", package({integer(0), integer(0), integer(0), integer(0)})) ==
        B{0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00});
  // Method(_STA, 0, NotSerialized) { Return (0x0B) }
  CHECK(method("_STA", 0, false, {ret(integer(0x0B))}) == B{0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xA4, 0x0A, 0x0B});
  // Method(_SRS, 1, Serialized) {}
  CHECK(method("_SRS", 1, true, {}) == B{0x14, 0x06, '_', 'S', 'R', 'S', 0x09});
  CHECK(device("KBD", {}) == B{0x5B, 0x82, 0x05, 'K', 'B', 'D', '_'});
  CHECK(scope("\\_SB", {}) == B{0x10, 0x06, 0x5C, '_', 'S', 'B', '_'});
  CHECK(string("PNP") == B{0x0D, 'P', 'N', 'P', 0x00});
  CHECK(buffer({0x79, 0x00}) == B{0x11, 0x05, 0x0A, 0x02, 0x79, 0x00});
}

TEST_CASE("expressions, regions and fields") {
  CHECK(store(local(0), reference("PRQA")) == B{0x70, 0x60, 'P', 'R', 'Q', 'A'});
  CHECK(bitAnd(reference("PRQA"), integer(0x80)) == B{0x7B, 'P', 'R', 'Q', 'A', 0x0A, 0x80, 0x00});
  CHECK(bitOr(arg(0), integer(1), local(1)) == B{0x7D, 0x68, 0x01, 0x61});
  CHECK(ifThen(logicalNot(arg(0)), {ret(integer(1))}) == B{0xA0, 0x05, 0x92, 0x68, 0xA4, 0x01});
  CHECK(elseDo({}) == B{0xA1, 0x01});
  CHECK(findSetRightBit(reference("IRQW"), local(0)) == B{0x82, 'I', 'R', 'Q', 'W', 0x60});
  CHECK(decrement(local(0)) == B{0x76, 0x60});
  CHECK(shiftLeft(integer(1), local(0), reference("IRQW")) == B{0x79, 0x01, 0x60, 'I', 'R', 'Q', 'W'});
  CHECK(createWordField(arg(0), integer(1), "IRQW") == B{0x8B, 0x68, 0x01, 'I', 'R', 'Q', 'W'});
  CHECK(operationRegion("PIRQ", RegionSpace::PciConfig, 0x60, 4) ==
        B{0x5B, 0x80, 'P', 'I', 'R', 'Q', 0x02, 0x0A, 0x60, 0x0A, 0x04});
  CHECK(byteField("PIRQ", {{"PRQA", 8}, {"PRQB", 8}}) ==
        B{0x5B, 0x81, 0x10, 'P', 'I', 'R', 'Q', 0x01, 'P', 'R', 'Q', 'A', 0x08, 'P', 'R', 'Q', 'B', 0x08});
  // A 64-bit unit needs the two-byte length form: 0x40 -> 0x40 0x04.
  const B wide = byteField("R", {{"WIDE", 64}});
  CHECK(B(wide.end() - 2, wide.end()) == B{0x40, 0x04});
}

TEST_CASE("resource descriptors follow ACPI 6.4 6.4") {
  CHECK(ResourceTemplate().io(0x60, 0x60, 1, 1).bytes() == B{0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, 0x79, 0x00});
  CHECK(ResourceTemplate().irqNoFlags(1u << 12).bytes() == B{0x22, 0x00, 0x10, 0x79, 0x00});
  CHECK(ResourceTemplate().irq(0x0C20, true, false, true).bytes() == B{0x23, 0x20, 0x0C, 0x10, 0x79, 0x00});
  CHECK(ResourceTemplate().wordBusNumber(0, 0xFF).bytes() ==
        B{0x88, 0x0D, 0x00, 0x02, 0x0C, 0x00, 0, 0, 0x00, 0x00, 0xFF, 0x00, 0, 0, 0x00, 0x01, 0x79, 0x00});
  const B mem = ResourceTemplate().dwordMemory(0xC0000000, 0xFEBFFFFF).bytes();
  REQUIRE(mem.size() == 26 + 2);
  CHECK(B(mem.begin(), mem.begin() + 6) == B{0x87, 0x17, 0x00, 0x00, 0x0C, 0x03});
  CHECK(B(mem.begin() + 22, mem.begin() + 26) == B{0x00, 0x00, 0xC0, 0x3E});  // length 0x3EC00000
  CHECK(ResourceTemplate().memory32Fixed(0xFED00000, 0x400).bytes() ==
        B{0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xD0, 0xFE, 0x00, 0x04, 0x00, 0x00, 0x79, 0x00});
}
