// The display's command-line options: -display, -vga, -screenshot, -name.
#include <doctest/doctest.h>

#include "frontend/cli.h"

using namespace sv;

TEST_CASE("-display sdl with its options - -nographic and -display none mean no window") {
  CliOptions o = parseCommandLine({"-display", "sdl,scale=smooth,full-screen=on", "-name", "vm1"});
  CHECK(o.display.kind == DisplayOptions::Kind::Sdl);
  CHECK(o.display.smooth_scaling);
  CHECK(o.display.full_screen);
  CHECK(o.display.name == "vm1");
  CHECK(parseCommandLine({"-display", "sdl", "-nographic"}).display.kind == DisplayOptions::Kind::None);
  CHECK(parseCommandLine({"-display", "none"}).display.kind == DisplayOptions::Kind::None);
  CHECK(parseCommandLine({}).display.kind == DisplayOptions::Kind::None);
}

TEST_CASE("-vga std is the default - romfile= names its BIOS - none removes it") {
  CHECK(parseCommandLine({}).machine.vga.has_value());
  CHECK(parseCommandLine({"-vga", "std,romfile=/x/vga.bin"}).machine.vga->rom_path == "/x/vga.bin");
  CHECK_FALSE(parseCommandLine({"-vga", "none"}).machine.vga.has_value());
}

TEST_CASE("-screenshot: file, virtual time, text marker, exit, window - repeatable") {
  CliOptions o = parseCommandLine({"-screenshot", "a.png,at=2.5,exit", "-screenshot", "b.png,on-text=No bootable device,window"});
  REQUIRE(o.display.screenshots.size() == 2);
  CHECK(o.display.screenshots[0].path == "a.png");
  CHECK(*o.display.screenshots[0].at_seconds == 2.5);
  CHECK(o.display.screenshots[0].exit_after);
  CHECK(o.display.screenshots[1].on_text == "No bootable device");
  CHECK(o.display.screenshots[1].from_window);
  CHECK_FALSE(o.display.screenshots[1].at_seconds.has_value());
}

TEST_CASE("bad display options are refused with a message naming them") {
  auto message = [](std::vector<std::string> args) {
    try {
      parseCommandLine(args);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message({"-display", "gtk"}).find("-display") != std::string::npos);
  CHECK(message({"-display", "sdl,scale=huge"}).find("scale=huge") != std::string::npos);
  CHECK(message({"-vga", "cirrus"}).find("cirrus") != std::string::npos);
  CHECK(message({"-screenshot", "a.png,at=soon"}).find("soon") != std::string::npos);
  CHECK(message({"-screenshot", ",exit"}).find("missing file name") != std::string::npos);
  CHECK(message({"-screenshot", "a.png,colour=red"}).find("colour") != std::string::npos);
}
