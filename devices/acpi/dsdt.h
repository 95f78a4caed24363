// The body of our DSDT (the AML after the table header), built from the
// board description: \_SB.PCI0 (PNP0A03) with its windows and _PRT, the
// PIIX3's PCI interrupt links LNKA-LNKD (PNP0C0F) over the PIRQRC
// registers, the ISA devices below the PIIX3 (PS/2 keyboard and mouse,
// COM1, RTC, PIT, PIC, the HPET when present) and \_S5.
#pragma once

#include "devices/acpi/acpi_board.h"
#include "devices/acpi/aml.h"

namespace sv {

aml::Bytes buildDsdtBody(const AcpiBoardDescription& board);

}  // namespace sv
