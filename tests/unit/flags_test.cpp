#include <doctest/doctest.h>

#include "cpu/flags.h"

using namespace sv;
using namespace sv::flags;

TEST_CASE("parity looks at the low byte only") {
  CHECK(parity(0) == flag::PF);
  CHECK(parity(1) == 0);
  CHECK(parity(3) == flag::PF);
  CHECK(parity(0x100) == flag::PF);
  CHECK(parity(0x1FF) == flag::PF);  // 0xFF has 8 bits set
}

TEST_CASE("add: carry, overflow, adjust, zero at every width") {
  CHECK(add(0xFF, 1, 0, 1) == (flag::CF | flag::ZF | flag::PF | flag::AF));
  CHECK(add(0x7F, 1, 0, 1) == (flag::OF | flag::SF | flag::AF));
  CHECK(add(0x7FFF, 0, 1, 2) == (flag::OF | flag::SF | flag::AF | flag::PF));
  CHECK(add(0xFFFFFFFF, 0, 1, 4) == (flag::CF | flag::ZF | flag::PF | flag::AF));
  CHECK(add(~0ull, 1, 0, 8) == (flag::CF | flag::ZF | flag::PF | flag::AF));
  CHECK(add(~0ull, 0, 1, 8) == (flag::CF | flag::ZF | flag::PF | flag::AF));
  CHECK(add(~0ull, ~0ull, 1, 8) == (flag::CF | flag::SF | flag::AF | flag::PF));  // ...FF: 8 bits set, even
  CHECK((add(1, 2, 0, 2) & flag::CF) == 0);
}

TEST_CASE("sub: borrow and signed overflow") {
  CHECK(sub(0, 1, 0, 1) == (flag::CF | flag::SF | flag::AF | flag::PF));
  CHECK(sub(0x80, 1, 0, 1) == (flag::OF | flag::AF));  // 0x7F: 7 bits set -> odd parity
  CHECK(sub(5, 5, 0, 2) == (flag::ZF | flag::PF));
  CHECK(sub(5, 4, 1, 2) == (flag::ZF | flag::PF));
  CHECK(sub(0, 0, 1, 8) == (flag::CF | flag::SF | flag::PF | flag::AF));
  CHECK(sub(0, ~0ull, 1, 8) == (flag::CF | flag::ZF | flag::PF | flag::AF));
}

TEST_CASE("logic results clear CF and OF") {
  CHECK(logic(0, 4) == (flag::ZF | flag::PF));
  CHECK(logic(0x80000000u, 4) == (flag::SF | flag::PF));
}

TEST_CASE("condition codes follow the Jcc encoding") {
  uint64_t f = flag::ZF;
  CHECK(condition(0x4, f));   // E
  CHECK(!condition(0x5, f));  // NE
  CHECK(condition(0x6, f));   // BE
  CHECK(!condition(0x7, f));  // A
  CHECK(condition(0xE, f));   // LE
  f = flag::SF;
  CHECK(condition(0xC, f));   // L: SF != OF
  f = flag::SF | flag::OF;
  CHECK(condition(0xD, f));   // GE
  CHECK(condition(0xF, f));   // G
  CHECK(condition(0x0, flag::OF));
  CHECK(condition(0xB, 0));   // NP
  CHECK(condition(0x2, flag::CF));
}

TEST_CASE("sign extension and masks") {
  CHECK(signExtend(0x80, 1) == -128);
  CHECK(signExtend(0x7FFF, 2) == 0x7FFF);
  CHECK(signExtend(0xFFFFFFFF, 4) == -1);
  CHECK(mask(8) == ~0ull);
  CHECK(signBit(2) == 0x8000);
}
