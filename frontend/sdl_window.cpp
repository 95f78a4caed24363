#include "frontend/sdl_window.h"

#include <algorithm>

#include "frontend/sdl_scancodes.h"

namespace sv {

std::unique_ptr<SdlWindow> SdlWindow::open(const std::string& title, bool smooth, bool full_screen, std::string& error) {
  // Ctrl-C keeps ending the process as without a window.
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    error = SDL_GetError();
    return nullptr;
  }
  // With no X11/Wayland display SDL falls back to its offscreen driver:
  // that is "no display" unless the user asked for it (SDL_VIDEODRIVER).
  const char* driver = SDL_GetCurrentVideoDriver();
  const char* wanted = SDL_getenv("SDL_VIDEODRIVER");
  if (driver && (!SDL_strcmp(driver, "offscreen") || !SDL_strcmp(driver, "dummy")) && !(wanted && !SDL_strcasecmp(wanted, driver))) {
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    error = "SDL found no X11 or Wayland display";
    return nullptr;
  }
  std::unique_ptr<SdlWindow> w(new SdlWindow());
  w->smooth_ = smooth;
  w->full_screen_ = full_screen;
  w->window_ = SDL_CreateWindow(title.c_str(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 640, 480,
                                SDL_WINDOW_RESIZABLE | (full_screen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
  if (w->window_) w->renderer_ = SDL_CreateRenderer(w->window_, -1, 0);
  if (!w->renderer_) {
    error = SDL_GetError();
    return nullptr;  // the destructor gives the subsystem back
  }
  return w;
}

SdlWindow::~SdlWindow() {
  if (texture_) SDL_DestroyTexture(texture_);
  if (renderer_) SDL_DestroyRenderer(renderer_);
  if (window_) SDL_DestroyWindow(window_);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

void SdlWindow::setTitle(const std::string& title) { SDL_SetWindowTitle(window_, title.c_str()); }

// The size a frame has on a 4:3 monitor: text and VGA graphics modes are
// stretched to 4:3 (line-doubled below 400 lines); VBE modes have square pixels.
void SdlWindow::naturalSize(int& w, int& h) const {
  w = static_cast<int>(tex_w_), h = static_cast<int>(tex_h_);
  if (square_pixels_ || !h) return;
  while (h < 400) h *= 2;
  w = h * 4 / 3;
}

SDL_Rect SdlWindow::destination(int out_w, int out_h) const {
  int nw = 0, nh = 0;
  naturalSize(nw, nh);
  if (!nw || !nh) return {0, 0, out_w, out_h};
  int w = 0, h = 0;
  const int k = std::min(out_w / nw, out_h / nh);
  if (!smooth_ && k >= 1) {
    w = nw * k, h = nh * k;  // integer steps keep pixels sharp and equal
  } else if (int64_t{out_w} * nh <= int64_t{out_h} * nw) {
    w = out_w, h = static_cast<int>(int64_t{out_w} * nh / nw);
  } else {
    h = out_h, w = static_cast<int>(int64_t{out_h} * nw / nh);
  }
  return {(out_w - w) / 2, (out_h - h) / 2, w, h};
}

void SdlWindow::present(const VgaFrame& frame, VgaDirtyRows rows, bool square_pixels) {
  if (!frame.width || !frame.height) return;
  const bool resized = frame.width != tex_w_ || frame.height != tex_h_ || square_pixels != square_pixels_;
  if (resized) {
    if (texture_) SDL_DestroyTexture(texture_);
    texture_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, static_cast<int>(frame.width),
                                 static_cast<int>(frame.height));
    if (!texture_) return;
    SDL_SetTextureScaleMode(texture_, smooth_ ? SDL_ScaleModeLinear : SDL_ScaleModeNearest);
    tex_w_ = frame.width, tex_h_ = frame.height, square_pixels_ = square_pixels;
    rows = {0, frame.height};
    if (!full_screen_) {
      int w = 0, h = 0;
      naturalSize(w, h);
      SDL_SetWindowSize(window_, w, h);
    }
  }
  if (!rows.empty()) {
    const SDL_Rect r{0, static_cast<int>(rows.first), static_cast<int>(frame.width), static_cast<int>(rows.end - rows.first)};
    SDL_UpdateTexture(texture_, &r, &frame.pixels[size_t{rows.first} * frame.width], static_cast<int>(frame.width * 4));
  } else if (!needs_redraw_) {
    return;  // nothing changed: an idle screen costs no drawing
  }
  draw();
  SDL_RenderPresent(renderer_);
  needs_redraw_ = false;
}

void SdlWindow::draw() {
  int out_w = 0, out_h = 0;
  SDL_GetRendererOutputSize(renderer_, &out_w, &out_h);
  const SDL_Rect dst = destination(out_w, out_h);
  SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
  SDL_RenderClear(renderer_);
  if (texture_) SDL_RenderCopy(renderer_, texture_, nullptr, &dst);
}

void SdlWindow::setGrab(bool on) {
  grabbed_ = on;
  SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
  SDL_SetWindowGrab(window_, on ? SDL_TRUE : SDL_FALSE);
}

// Ctrl+Alt+key hot keys (QEMU's modifier); they do not reach the guest.
bool SdlWindow::hotKey(const SDL_KeyboardEvent& key, Actions& actions) {
  const Uint16 mods = key.keysym.mod;
  if (!(mods & KMOD_CTRL) || !(mods & KMOD_ALT)) return false;
  switch (key.keysym.scancode) {
    case SDL_SCANCODE_F:
      if (key.type == SDL_KEYDOWN) {
        full_screen_ = !full_screen_;
        SDL_SetWindowFullscreen(window_, full_screen_ ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        needs_redraw_ = true;
      }
      return true;
    case SDL_SCANCODE_G:
      if (key.type == SDL_KEYDOWN) setGrab(!grabbed_);
      return true;
    case SDL_SCANCODE_S:
      if (key.type == SDL_KEYDOWN) actions.screenshot = true;
      return true;
    case SDL_SCANCODE_P:
      if (key.type == SDL_KEYDOWN) actions.toggle_pause = true;
      return true;
    default: return false;
  }
}

SdlWindow::Actions SdlWindow::pollEvents(KeyboardSink* keyboard, MouseSink* mouse) {
  Actions actions;
  SDL_Event e;
  const Uint32 my_id = SDL_GetWindowID(window_);
  while (SDL_PollEvent(&e)) {
    switch (e.type) {
      case SDL_QUIT: actions.quit = true; break;
      case SDL_WINDOWEVENT:
        if (e.window.windowID != my_id) break;
        if (e.window.event == SDL_WINDOWEVENT_CLOSE) actions.quit = true;
        if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST && grabbed_) setGrab(false);
        needs_redraw_ = true;  // exposed, resized, moved: draw again
        break;
      case SDL_KEYDOWN:
      case SDL_KEYUP: {
        if (e.key.windowID != my_id || hotKey(e.key, actions) || !keyboard) break;
        if (e.key.repeat && e.type == SDL_KEYDOWN && e.key.keysym.scancode == SDL_SCANCODE_PAUSE) break;
        const Ps2Sequence seq = ps2Set2Sequence(e.key.keysym.scancode, e.type == SDL_KEYDOWN);
        if (seq.length) keyboard->scancodes(seq.view());
        break;
      }
      case SDL_MOUSEBUTTONDOWN:
        // A click in the window takes the mouse, as QEMU does.
        if (mouse && !grabbed_ && e.button.windowID == my_id) {
          setGrab(true);
          break;
        }
        [[fallthrough]];
      case SDL_MOUSEBUTTONUP:
      case SDL_MOUSEMOTION:
      case SDL_MOUSEWHEEL: {
        if (!mouse || !grabbed_) break;
        const Uint32 b = SDL_GetMouseState(nullptr, nullptr);
        const uint8_t buttons = ((b & SDL_BUTTON_LMASK) ? 1 : 0) | ((b & SDL_BUTTON_RMASK) ? 2 : 0) | ((b & SDL_BUTTON_MMASK) ? 4 : 0);
        if (e.type == SDL_MOUSEMOTION) mouse->mouseMotion(e.motion.xrel, e.motion.yrel, 0, buttons);
        else if (e.type == SDL_MOUSEWHEEL) mouse->mouseMotion(0, 0, -e.wheel.y, buttons);
        else mouse->mouseMotion(0, 0, 0, buttons);
        break;
      }
      default: break;
    }
  }
  return actions;
}

bool SdlWindow::readPixels(std::vector<uint32_t>& pixels, int& width, int& height) {
  if (SDL_GetRendererOutputSize(renderer_, &width, &height) != 0 || width <= 0 || height <= 0) return false;
  pixels.assign(size_t(width) * height, 0);
  // The back buffer is undefined after a present: draw, read, then present.
  draw();
  const bool ok = SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_RGB888, pixels.data(), width * 4) == 0;
  SDL_RenderPresent(renderer_);
  if (!ok) return false;
  for (uint32_t& p : pixels) p &= 0xFFFFFF;
  return true;
}

}  // namespace sv
