// The 16550A as drivers see it: the Linux 8250 probe sequence, IIR
// priorities, FIFO trigger levels, overrun, the character timeout, DLAB and
// the PC's OUT2 interrupt gate.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "devices/uart16550.h"

using namespace sv;

namespace {

struct FakeClock : DeviceClock {
  uint64_t now = 1'000'000;
  uint64_t nowNs() override { return now; }
};

struct CapturingSink : ByteSink {
  std::vector<uint8_t> bytes;
  void putByte(uint8_t b) override { bytes.push_back(b); }
};

constexpr uint16_t kBase = Uart16550::kCom1Base;
enum : uint16_t {
  RBR = kBase, THR = kBase, DLL = kBase, IER = kBase + 1, DLM = kBase + 1, IIR = kBase + 2,
  FCR = kBase + 2, LCR = kBase + 3, MCR = kBase + 4, LSR = kBase + 5, MSR = kBase + 6,
  SCR = kBase + 7,
};

struct Rig {
  FakeClock clock;
  CapturingSink sink;
  std::vector<bool> edges;  // every level the IRQ callback saw
  Uart16550 uart{kBase, Uart16550::kCom1Irq, clock, [this](bool l) { edges.push_back(l); }, &sink};

  uint8_t in(uint16_t port) { return static_cast<uint8_t>(uart.ioRead(port, 1)); }
  void out(uint16_t port, uint8_t v) { uart.ioWrite(port, 1, v); }
  bool irq() const { return uart.irqLevel(); }
};

}  // namespace

TEST_CASE("uart: power-on register values") {
  Rig r;
  CHECK(r.in(IER) == 0x00);
  CHECK(r.in(IIR) == 0x01);  // no interrupt, FIFOs off
  CHECK(r.in(LCR) == 0x00);
  CHECK(r.in(MCR) == 0x00);
  CHECK(r.in(LSR) == 0x60);  // THRE | TEMT
  CHECK(r.in(MSR) == 0xB0);  // CTS, DSR, DCD: a ready terminal
  CHECK_FALSE(r.irq());
  CHECK(r.uart.basePort() == 0x3F8);
  CHECK(r.uart.irq() == 4);
}

TEST_CASE("uart: Linux autoconfig IER and scratch tests") {
  Rig r;
  // autoconfig(): IER must read back 0 and then 0x0F.
  uint8_t saved = r.in(IER);
  r.out(IER, 0);
  CHECK((r.in(IER) & 0x0F) == 0);
  r.out(IER, 0x0F);
  CHECK((r.in(IER) & 0x0F) == 0x0F);
  r.out(IER, saved);
  // The UUE (bit 6) probe of autoconfig_16550a: upper IER bits stay 0.
  r.out(IER, 0xF0);
  CHECK(r.in(IER) == 0x00);
  for (int v : {0x00, 0x55, 0xAA, 0xFF}) {
    r.out(SCR, static_cast<uint8_t>(v));
    CHECK(r.in(SCR) == v);
  }
}

TEST_CASE("uart: SeaBIOS detection (IER 0x02 reads back, IIR shows THRE)") {
  Rig r;
  r.out(IER, 0x02);
  CHECK(r.in(IER) == 0x02);
  uint8_t iir = r.in(IIR);
  CHECK(((iir & 0x3F) == 0x02 || (iir & 0x3F) == 0x01));
  r.out(IER, 0x00);
  CHECK(r.in(IIR) == 0x01);
}

TEST_CASE("uart: Linux loopback MSR test reads 0x90") {
  Rig r;
  r.out(MCR, 0x10 | 0x0A);  // LOOP | OUT2 | RTS
  CHECK((r.in(MSR) & 0xF0) == 0x90);  // CTS from RTS, DCD from OUT2
  r.out(MCR, 0x1F);  // every output on: CTS DSR RI DCD
  CHECK((r.in(MSR) & 0xF0) == 0xF0);
  r.out(MCR, 0x10);  // all off
  uint8_t msr = r.in(MSR);
  CHECK((msr & 0xF0) == 0x00);
  CHECK((msr & 0x0F) == (0x01 | 0x02 | 0x04 | 0x08));  // DCTS DDSR TERI DDCD
  CHECK((r.in(MSR) & 0x0F) == 0);  // deltas clear on read
  r.out(MCR, 0x00);  // back to the idle inputs
  CHECK((r.in(MSR) & 0xF0) == 0xB0);
}

TEST_CASE("uart: FIFO detection and the Linux 16550A variant probes") {
  Rig r;
  r.out(FCR, 0x01);
  CHECK((r.in(IIR) >> 6) == 3);  // 16550A
  // EFR probe: with LCR 0xBF, offset 2 reads IIR (non-zero), so no EFR.
  r.out(LCR, 0xBF);
  CHECK(r.in(IIR) != 0);
  // NS SuperIO probe: LCR 0xE0, offset 2 must not mirror MCR.LOOP.
  r.out(LCR, 0x00);
  r.out(MCR, 0x10);
  r.out(LCR, 0xE0);
  CHECK((r.in(IIR) & 0x10) == 0);
  r.out(LCR, 0x00);
  r.out(MCR, 0x00);
  // TI16750 probe: 64-byte mode (FCR bit 5) never shows in IIR bit 5.
  r.out(FCR, 0x21);
  CHECK((r.in(IIR) & 0xE0) == 0xC0);
  r.out(FCR, 0x00);
  r.out(LCR, 0x80);
  r.out(FCR, 0x21);  // FCR is written whatever DLAB says
  CHECK((r.in(IIR) & 0xE0) == 0xC0);
  r.out(FCR, 0x00);
  r.out(LCR, 0x00);
  CHECK((r.in(IIR) & 0xC0) == 0);  // FIFOs off again
}

TEST_CASE("uart: THRE is re-asserted when ETBEI is enabled (Linux THRE test)") {
  Rig r;
  r.out(MCR, 0x0B);  // DTR RTS OUT2
  r.out(FCR, 0x07);
  r.out(IER, 0x02);
  CHECK(r.irq());
  uint8_t iir1 = r.in(IIR);
  CHECK(iir1 == 0xC2);  // THRE pending, FIFOs on
  CHECK_FALSE(r.irq());   // reading IIR cleared it
  CHECK(r.in(IIR) == 0xC1);
  r.out(IER, 0x00);
  r.out(IER, 0x02);
  CHECK(r.irq());
  CHECK(r.in(IIR) == 0xC2);  // a real 16550 asserts again: no UART_BUG_THRE
  r.out(IER, 0x02);          // ETBEI already set: no new event
  CHECK(r.in(IIR) == 0xC1);
  CHECK((r.in(LSR) & 0x60) == 0x60);
}

TEST_CASE("uart: THR writes go to the sink and raise THRE again") {
  Rig r;
  r.out(MCR, 0x08);
  r.out(IER, 0x02);
  CHECK(r.in(IIR) == 0x02);
  CHECK(r.in(IIR) == 0x01);
  r.edges.clear();
  r.out(THR, 'h');
  r.out(THR, 'i');
  CHECK(r.sink.bytes == std::vector<uint8_t>{'h', 'i'});
  CHECK(r.irq());
  CHECK(r.edges == std::vector<bool>{true});  // one rising edge, not a storm
  CHECK((r.in(LSR) & 0x60) == 0x60);
  CHECK(r.in(IIR) == 0x02);
  CHECK_FALSE(r.irq());
}

TEST_CASE("uart: IIR reports line status > received data > THRE > modem status") {
  Rig r;
  r.out(MCR, 0x08);
  r.out(IER, 0x0F);  // everything enabled; THRE pending now
  r.out(MCR, 0x00);  // leave OUT2... and produce no MSR change (inputs idle)
  r.out(MCR, 0x18);  // loopback on: CTS/DSR/DCD drop -> modem deltas
  r.out(MCR, 0x08);  // loopback off: inputs back, deltas stay
  r.uart.receive('a');
  r.uart.receive('b');  // 16450 mode: overrun
  CHECK(r.irq());
  CHECK(r.in(IIR) == 0x06);  // line status (OE)
  CHECK((r.in(LSR) & 0x03) == 0x03);
  CHECK(r.in(IIR) == 0x04);  // received data
  CHECK(r.in(RBR) == 'b');
  CHECK(r.in(IIR) == 0x02);  // THRE (cleared by this read)
  CHECK(r.in(IIR) == 0x00);  // modem status
  CHECK((r.in(MSR) & 0x0F) != 0);
  CHECK(r.in(IIR) == 0x01);
  CHECK_FALSE(r.irq());
}

TEST_CASE("uart: FIFO receive trigger levels") {
  const struct { uint8_t fcr; unsigned level; } cases[] = {
      {0x01, 1}, {0x41, 4}, {0x81, 8}, {0xC1, 14}};
  for (auto c : cases) {
    CAPTURE(c.level);
    Rig r;
    r.out(MCR, 0x08);
    r.out(FCR, c.fcr);
    r.out(IER, 0x01);
    for (unsigned i = 1; i < c.level; ++i) r.uart.receive(static_cast<uint8_t>(i));
    CHECK(r.in(IIR) == 0xC1);
    CHECK((r.in(LSR) & 0x01) == (c.level > 1 ? 0x01 : 0x00));  // DR from the first byte
    r.uart.receive(0xEE);
    CHECK(r.in(IIR) == 0xC4);
    CHECK(r.irq());
    CHECK(r.in(RBR) == (c.level == 1 ? 0xEE : 1));
    CHECK(r.in(IIR) == 0xC1);  // one below the trigger again
    CHECK_FALSE(r.irq());
  }
}

TEST_CASE("uart: a full FIFO overruns, keeps its 16 bytes and loses the 17th") {
  Rig r;
  r.out(FCR, 0xC1);
  r.out(IER, 0x05);
  r.out(MCR, 0x08);
  CHECK(r.uart.rxFreeSpace() == 16);
  for (int i = 0; i < 17; ++i) r.uart.receive(static_cast<uint8_t>(0x40 + i));
  CHECK(r.uart.rxFreeSpace() == 0);
  CHECK(r.in(IIR) == 0xC6);
  uint8_t lsr = r.in(LSR);
  CHECK((lsr & 0x03) == 0x03);
  CHECK((r.in(LSR) & 0x02) == 0);  // OE clears on read
  for (int i = 0; i < 16; ++i) CHECK(r.in(RBR) == 0x40 + i);
  CHECK((r.in(LSR) & 0x01) == 0);
  CHECK(r.in(RBR) == 0x4F);  // an empty FIFO reads the last byte again
}

TEST_CASE("uart: 16450 mode overrun replaces the unread character") {
  Rig r;
  CHECK(r.uart.rxFreeSpace() == 1);
  r.uart.receive('x');
  CHECK(r.uart.rxFreeSpace() == 0);
  r.uart.receive('y');
  CHECK((r.in(LSR) & 0x03) == 0x03);
  CHECK(r.in(RBR) == 'y');
  CHECK((r.in(LSR) & 0x03) == 0x00);
}

TEST_CASE("uart: character timeout after four character times") {
  Rig r;
  r.out(LCR, 0x80);
  r.out(DLL, 1);  // 115200 baud
  r.out(DLM, 0);
  r.out(LCR, 0x03);  // 8N1: 10 bits per character
  r.out(FCR, 0x81);  // trigger 8
  r.out(IER, 0x01);
  r.out(MCR, 0x08);
  CHECK(r.uart.nextDeadlineNs() == TimerDevice::kNoDeadline);
  r.uart.receive('k');
  const uint64_t four_chars = 4 * (10 * 1'000'000'000ull / 115200);
  CHECK(r.uart.nextDeadlineNs() == r.clock.now + four_chars);
  r.clock.now += four_chars - 1;
  r.uart.advanceTo(r.clock.now);
  CHECK(r.in(IIR) == 0xC1);
  r.clock.now += 1;
  r.uart.advanceTo(r.clock.now);
  CHECK(r.irq());
  CHECK(r.in(IIR) == 0xCC);
  CHECK(r.uart.nextDeadlineNs() == TimerDevice::kNoDeadline);
  CHECK(r.in(RBR) == 'k');  // the read clears the timeout
  CHECK(r.in(IIR) == 0xC1);
  CHECK_FALSE(r.irq());
  // A new character restarts the timer; a slower rate stretches it.
  r.out(LCR, 0x83);
  r.out(DLL, 12);  // 9600 baud
  r.out(LCR, 0x03);
  r.uart.receive('l');
  CHECK(r.uart.nextDeadlineNs() == r.clock.now + 4 * (10 * 12 * 1'000'000'000ull / 115200));
}

TEST_CASE("uart: IIR evaluates the timeout without advanceTo") {
  Rig r;
  r.out(FCR, 0xC1);
  r.out(IER, 0x01);
  r.uart.receive('z');
  r.clock.now += 100'000'000;
  CHECK(r.in(IIR) == 0xCC);
}

TEST_CASE("uart: DLAB switches offsets 0 and 1 to the divisor latch") {
  Rig r;
  r.out(IER, 0x05);
  r.out(LCR, 0x83);
  r.out(DLL, 0x01);
  r.out(DLM, 0x02);
  CHECK(r.in(DLL) == 0x01);
  CHECK(r.in(DLM) == 0x02);
  CHECK(r.sink.bytes.empty());  // DLL write is not a THR write
  r.out(LCR, 0x03);
  CHECK(r.in(IER) == 0x05);
  r.out(THR, 'q');
  CHECK(r.sink.bytes == std::vector<uint8_t>{'q'});
  r.out(LCR, 0x80);
  CHECK(r.in(DLL) == 0x01);
  CHECK(r.in(DLM) == 0x02);
}

TEST_CASE("uart: OUT2 gates the interrupt line, loopback disconnects it") {
  Rig r;
  r.out(IER, 0x02);  // THRE pending
  CHECK_FALSE(r.irq());
  r.out(MCR, 0x08);
  CHECK(r.irq());
  r.out(MCR, 0x18);  // loopback: OUT2 forced inactive
  CHECK_FALSE(r.irq());
  CHECK((r.in(IIR) & 0x0F) == 0x02);  // but IIR still reports it
  r.out(MCR, 0x00);
  CHECK_FALSE(r.irq());
}

TEST_CASE("uart: loopback routes THR to RBR and ignores the serial input") {
  Rig r;
  r.out(FCR, 0x01);
  r.out(MCR, 0x10);
  r.out(THR, 0x5A);
  r.uart.receive(0x11);  // SIN is disconnected
  CHECK(r.sink.bytes.empty());
  CHECK((r.in(LSR) & 0x01) == 0x01);
  CHECK(r.in(RBR) == 0x5A);
  CHECK((r.in(LSR) & 0x01) == 0x00);
}

TEST_CASE("uart: FCR clears the receiver, toggling FCR0 clears it too") {
  Rig r;
  r.out(FCR, 0x01);
  r.uart.receive(1);
  r.uart.receive(2);
  r.out(FCR, 0x03);
  CHECK((r.in(LSR) & 0x01) == 0);
  r.uart.receive(3);
  r.out(FCR, 0x00);  // FIFOs off
  CHECK((r.in(LSR) & 0x01) == 0);
  r.uart.receive(4);
  r.out(FCR, 0x06);  // FCR0 = 0: other bits are not programmed, nothing cleared
  CHECK((r.in(IIR) & 0xC0) == 0);
  CHECK(r.in(RBR) == 4);
}

TEST_CASE("uart: modem status interrupt from loopback changes") {
  Rig r;
  r.out(IER, 0x08);
  r.out(MCR, 0x10);  // inputs drop: DCTS DDSR DDCD
  CHECK(r.in(IIR) == 0x00);
  r.in(MSR);
  CHECK(r.in(IIR) == 0x01);
  r.out(MCR, 0x14);  // OUT1 -> RI rises: no TERI yet
  CHECK(r.in(IIR) == 0x01);
  r.out(MCR, 0x10);  // RI falls: TERI
  CHECK(r.in(IIR) == 0x00);
  CHECK((r.in(MSR) & 0x0F) == 0x04);
}

TEST_CASE("uart: reset returns to power-on state") {
  Rig r;
  r.out(MCR, 0x08);
  r.out(IER, 0x0F);
  r.out(FCR, 0xC1);
  r.uart.receive(9);
  r.uart.reset();
  CHECK(r.in(IIR) == 0x01);
  CHECK(r.in(LSR) == 0x60);
  CHECK_FALSE(r.irq());
}

TEST_CASE("uart: random guest programming never breaks the device") {
  Rig r;
  std::mt19937 rng(1234);
  for (int i = 0; i < 200000; ++i) {
    uint16_t port = static_cast<uint16_t>(kBase + rng() % 8);
    unsigned size = 1u << (rng() % 3);
    switch (rng() % 4) {
      case 0: r.uart.ioWrite(port, size, rng()); break;
      case 1: r.uart.ioRead(port, size); break;
      case 2: r.uart.receive(static_cast<uint8_t>(rng())); break;
      default:
        r.clock.now += rng() % 1'000'000;
        r.uart.advanceTo(r.clock.now);
        break;
    }
    REQUIRE(r.uart.rxFreeSpace() <= Uart16550::kFifoSize);
  }
  // Whatever happened, IIR's "no interrupt" bit agrees with the line.
  r.out(MCR, 0x08);
  bool line = r.irq();
  bool pending = (r.uart.ioRead(IIR, 1) & 1) == 0;
  CHECK(line == pending);
}

TEST_CASE("uart: COM1 and COM2 side by side on the I/O bus") {
  FakeClock clock;
  CapturingSink out1, out2;
  bool irq3 = false, irq4 = false;
  Uart16550 com1(Uart16550::kCom1Base, Uart16550::kCom1Irq, clock, [&](bool l) { irq4 = l; }, &out1);
  Uart16550 com2(Uart16550::kCom2Base, Uart16550::kCom2Irq, clock, [&](bool l) { irq3 = l; }, &out2);
  IoBus bus;
  bus.registerPorts(com1.basePort(), Uart16550::kPortCount, com1, "serial0");
  bus.registerPorts(com2.basePort(), Uart16550::kPortCount, com2, "serial1");
  bus.write(0x2F8, 1, 'B');
  bus.write(0x3F8, 1, 'A');
  CHECK(out1.bytes == std::vector<uint8_t>{'A'});
  CHECK(out2.bytes == std::vector<uint8_t>{'B'});
  bus.write(0x2FC, 1, 0x08);  // COM2 OUT2
  bus.write(0x2F9, 1, 0x02);  // COM2 ETBEI
  CHECK(irq3);
  CHECK_FALSE(irq4);
  CHECK(com2.irq() == 3);
  CHECK(bus.read(0x2FF, 1) == 0);
  bus.write(0x3FF, 1, 0x77);
  CHECK(bus.read(0x3FF, 1) == 0x77);
  CHECK(bus.read(0x2FF, 1) == 0);
}
