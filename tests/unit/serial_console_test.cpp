// Serial console input: QEMU's Ctrl-A escapes and the reader thread's ring
// fed from a pipe.
#include <doctest/doctest.h>

#include <unistd.h>

#include <string>

#include "vmm/console_escape.h"
#include "vmm/serial_input.h"

using namespace sv;
using Action = ConsoleEscape::Action;

TEST_CASE("Ctrl-A escapes: x quits, h helps, Ctrl-A Ctrl-A sends one Ctrl-A, others vanish") {
  ConsoleEscape e;
  CHECK(e.feed('a') == Action::Forward);
  CHECK(e.feed(0x01) == Action::None);
  CHECK(e.feed(0x01) == Action::Forward);
  CHECK(e.feed('x') == Action::Forward);  // escape consumed above
  CHECK(e.feed(0x01) == Action::None);
  CHECK(e.feed('h') == Action::Help);
  CHECK(e.feed(0x01) == Action::None);
  CHECK(e.feed('q') == Action::None);
  CHECK(e.feed(0x01) == Action::None);
  CHECK(e.feed('x') == Action::Quit);
  CHECK(std::string(ConsoleEscape::helpText()).find("C-a x") != std::string::npos);
}

TEST_CASE("the reader thread delivers a pipe's bytes in order, wakes a waiter and reports the end") {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  SerialInput in(fds[0]);
  uint8_t b;
  CHECK_FALSE(in.pop(b));
  const std::string text(10000, 'x');  // more than the ring holds
  std::string got;
  REQUIRE(write(fds[1], "ab", 2) == 2);
  in.waitForInput(5'000'000'000ull);
  REQUIRE(in.pop(b));
  got += static_cast<char>(b);
  std::thread writer([&] {
    REQUIRE(write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fds[1]);
  });
  while (!in.finished()) {
    if (in.pop(b)) got += static_cast<char>(b);
    else in.waitForInput(100'000'000);
  }
  writer.join();
  CHECK(got == "ab" + text);
  close(fds[0]);
}
