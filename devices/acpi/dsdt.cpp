#include "devices/acpi/dsdt.h"

#include <string>

#include "devices/acpi/resource_template.h"
#include "devices/pci/piix3_isa.h"

namespace sv {

using namespace aml;

namespace {

constexpr uint16_t irqMask(unsigned irq) { return static_cast<uint16_t>(1u << irq); }
// ISA IRQs the links may be routed to (QEMU's choice: 5, 10, 11).
constexpr uint16_t kLinkIrqChoices = irqMask(5) | irqMask(10) | irqMask(11);
constexpr char kPirqField[4][5] = {"PRQA", "PRQB", "PRQC", "PRQD"};
constexpr char kLinkName[4][5] = {"LNKA", "LNKB", "LNKC", "LNKD"};

Bytes isaDevice(std::string_view name, std::string_view hid, const ResourceTemplate& crs) {
  return device(name, {aml::name("_HID", eisaId(hid)), aml::name("_CRS", crs.toBuffer())});
}

// One PCI interrupt link over its PIRQRC register (PIIX3 datasheet 2.2.8:
// bit 7 disables the route, bits 3:0 name the IRQ). ACPI 6.4 6.2.13 (_PRS,
// _CRS, _SRS, _DIS); _STA 0x0B = present, enabled, functioning, 0x09 = not
// enabled.
Bytes linkDevice(unsigned index) {
  const std::string reg = std::string("\\_SB.PCI0.ISA.") + kPirqField[index];
  const Bytes prq = reference(reg);
  const ResourceTemplate choices = ResourceTemplate().irq(kLinkIrqChoices, true, false, true);
  const ResourceTemplate none = ResourceTemplate().irq(0, true, false, true);
  const Bytes disabled = bitAnd(prq, integer(0x80));
  return device(kLinkName[index],
                {name("_HID", eisaId("PNP0C0F")), name("_UID", integer(index + 1)), name("_PRS", choices.toBuffer()),
                 method("_STA", 0, false, {ifThen(disabled, {ret(integer(0x09))}), ret(integer(0x0B))}),
                 method("_DIS", 0, false, {bitOr(prq, integer(0x80), prq)}),
                 // The IRQ descriptor's mask word is at byte 1.
                 method("_CRS", 0, true,
                        {name("BUF0", none.toBuffer()), createWordField(reference("BUF0"), integer(1), "IRQW"),
                         ifThen(logicalNot(disabled), {shiftLeft(integer(1), bitAnd(prq, integer(0x0F)), reference("IRQW"))}),
                         ret(reference("BUF0"))}),
                 method("_SRS", 1, true,
                        {createWordField(arg(0), integer(1), "IRQW"), findSetRightBit(reference("IRQW"), local(0)),
                         decrement(local(0)), store(local(0), prq)})});
}

// _PRT (ACPI 6.4 6.2.13): every slot's INTA-D to the link the PIIX3
// wiring connects it to.
Bytes pciRoutingTable() {
  TermList entries;
  for (unsigned slot = 0; slot < 32; ++slot)
    for (unsigned pin = 0; pin < 4; ++pin)
      entries.push_back(package({integer((slot << 16) | 0xFFFF), integer(pin),
                                 reference(std::string("\\_SB.") + kLinkName[Piix3Isa::pirqOfSlotPin(slot, pin)]),
                                 integer(0)}));
  return name("_PRT", package(entries));
}

Bytes isaBridge(const AcpiBoardDescription& board) {
  TermList terms{
      name("_ADR", integer(0x00010000)),
      operationRegion("PIRQ", RegionSpace::PciConfig, Piix3Isa::kPirqRc, 4),
      byteField("PIRQ", {{kPirqField[0], 8}, {kPirqField[1], 8}, {kPirqField[2], 8}, {kPirqField[3], 8}}),
      isaDevice("KBD", "PNP0303", ResourceTemplate().io(0x60, 0x60, 1, 1).io(0x64, 0x64, 1, 1).irqNoFlags(irqMask(1))),
      isaDevice("MOU", "PNP0F13", ResourceTemplate().irqNoFlags(irqMask(12))),
      device("COM1", {name("_HID", eisaId("PNP0501")), name("_UID", integer(1)),
                      name("_CRS", ResourceTemplate()
                                       .io(board.com1_base, board.com1_base, 1, 8)
                                       .irqNoFlags(irqMask(board.com1_irq))
                                       .toBuffer())}),
      isaDevice("RTC", "PNP0B00", ResourceTemplate().io(0x70, 0x70, 1, 2).irqNoFlags(irqMask(8))),
      isaDevice("TMR", "PNP0100", ResourceTemplate().io(0x40, 0x40, 1, 4).irqNoFlags(irqMask(0))),
      isaDevice("PIC", "PNP0000",
                ResourceTemplate().io(0x20, 0x20, 1, 2).io(0xA0, 0xA0, 1, 2).io(0x4D0, 0x4D0, 1, 2).irqNoFlags(irqMask(2))),
      // The 82077AA (0x3F6 is the IDE control port) on IRQ 6 and DMA 2,
      // and the 8237 pair with its page registers (0x80 left out: POST).
      isaDevice("FDC0", "PNP0700",
                ResourceTemplate().io(0x3F0, 0x3F0, 1, 6).io(0x3F7, 0x3F7, 1, 1).irqNoFlags(irqMask(6)).dma8(1u << 2)),
      isaDevice("DMAC", "PNP0200",
                ResourceTemplate().io(0x00, 0x00, 1, 16).io(0x81, 0x81, 1, 15).io(0xC0, 0xC0, 1, 32).dma8(1u << 4)),
  };
  if (board.has_hpet)
    terms.push_back(device("HPET", {name("_HID", eisaId("PNP0103")), name("_UID", integer(0)),
                                    name("_CRS", ResourceTemplate().memory32Fixed(board.hpet_base, 0x400).toBuffer())}));
  return device("ISA", terms);
}

Bytes pciRoot(const AcpiBoardDescription& board) {
  const ResourceTemplate crs = ResourceTemplate()
                                   .wordBusNumber(0x00, 0xFF)
                                   .io(0x0CF8, 0x0CF8, 1, 8)
                                   .wordIo(0x0000, 0x0CF7)
                                   .wordIo(0x0D00, 0xFFFF)
                                   .dwordMemory(0x000A0000, 0x000BFFFF)  // legacy VGA window
                                   .dwordMemory(board.pci_hole_start, board.pci_hole_end);
  return device("PCI0", {name("_HID", eisaId("PNP0A03")), name("_ADR", integer(0)), name("_UID", integer(0)),
                         name("_CRS", crs.toBuffer()), pciRoutingTable(), isaBridge(board)});
}

}  // namespace

Bytes buildDsdtBody(const AcpiBoardDescription& board) {
  TermList sb{pciRoot(board)};
  for (unsigned i = 0; i < 4; ++i) sb.push_back(linkDevice(i));
  if (board.has_apic) sb.push_back(device("CPU0", {name("_HID", string("ACPI0007")), name("_UID", integer(0))}));
  Bytes body = scope("\\_SB", sb);
  // \_S5: SLP_TYPa, SLP_TYPb, reserved (ACPI 6.4 7.4.2).
  const Bytes s5 = name("\\_S5", package({integer(board.s5_sleep_type), integer(board.s5_sleep_type), integer(0),
                                          integer(0)}));
  body.insert(body.end(), s5.begin(), s5.end());
  return body;
}

}  // namespace sv
