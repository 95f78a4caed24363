// What the user asked of the display: -display sdl|none, -screenshot.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sv {

// -screenshot FILE[,at=SECONDS][,on-text=TEXT][,exit]: a PNG of the guest
// screen when virtual time reaches SECONDS, or when TEXT appears on a text
// screen (whichever is given; neither: at the first refresh), then
// optionally end the VM (exit status 0). `window`: what the SDL window
// shows (scaled) rather than the guest frame.
struct ScreenshotRequest {
  std::string path;
  std::optional<double> at_seconds;
  std::string on_text;
  bool exit_after = false;
  bool from_window = false;
};

struct DisplayOptions {
  enum class Kind : uint8_t { None, Sdl } kind = Kind::None;
  bool smooth_scaling = false;  // sdl,scale=smooth (default: integer steps when they fit)
  bool full_screen = false;     // sdl,full-screen=on
  std::string name = "softvisor";  // -name: the window title
  std::vector<ScreenshotRequest> screenshots;
};

}  // namespace sv
