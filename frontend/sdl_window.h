// One SDL2 window showing one guest screen. Several may exist at once
// (one per Machine): each holds a reference on SDL's video subsystem
// (SDL_InitSubSystem / SDL_QuitSubSystem count). Hot keys, with Ctrl+Alt
// held: F full screen, G grab/release the mouse, S screenshot, P pause.
#pragma once
#include <SDL.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/input_sinks.h"
#include "devices/vga/vga_frame.h"

namespace sv {

class SdlWindow {
 public:
  // nullptr and `error` set when SDL has no display to open a window on.
  static std::unique_ptr<SdlWindow> open(const std::string& title, bool smooth, bool full_screen, std::string& error);
  ~SdlWindow();
  SdlWindow(const SdlWindow&) = delete;
  SdlWindow& operator=(const SdlWindow&) = delete;

  void setTitle(const std::string& title);
  // Uploads the changed rows and redraws. `square_pixels`: VBE modes;
  // VGA modes are shown at 4:3 as on a CRT.
  void present(const VgaFrame& frame, VgaDirtyRows rows, bool square_pixels);

  struct Actions {
    bool quit = false;
    bool screenshot = false;
    bool toggle_pause = false;
  };
  // Drains the event queue: keys to `keyboard`, motion to `mouse` (either
  // may be nullptr: the board has no such device yet).
  Actions pollEvents(KeyboardSink* keyboard, MouseSink* mouse);
  // Blocks up to `ms` for the next event (pause).
  void waitForEvent(int ms) { SDL_WaitEventTimeout(nullptr, ms); }
  bool mouseGrabbed() const { return grabbed_; }
  uint32_t id() const { return SDL_GetWindowID(window_); }
  // What the window shows now (0x00RRGGBB), for tests.
  bool readPixels(std::vector<uint32_t>& pixels, int& width, int& height);

 private:
  SdlWindow() = default;
  SDL_Rect destination(int out_w, int out_h) const;
  void draw();  // clear and copy the frame to the back buffer
  void naturalSize(int& w, int& h) const;
  void setGrab(bool on);
  bool hotKey(const SDL_KeyboardEvent& key, Actions& actions);

  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  SDL_Texture* texture_ = nullptr;
  unsigned tex_w_ = 0, tex_h_ = 0;
  bool square_pixels_ = false;
  bool smooth_ = false;
  bool full_screen_ = false;
  bool grabbed_ = false;
  bool needs_redraw_ = true;
};

}  // namespace sv
