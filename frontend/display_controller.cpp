#include "frontend/display_controller.h"

#include <chrono>
#include <cstdio>

#include "frontend/png_writer.h"

namespace sv {

namespace {
uint64_t hostMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

DisplayController::DisplayController(Machine& machine, DisplayOptions options) : machine_(machine), options_(std::move(options)) {
  if (options_.kind == DisplayOptions::Kind::Sdl) {
    std::string error;
    if (!machine_.vga()) std::fprintf(stderr, "softvisor: -display sdl: the VM has no VGA (-vga none); running without a window\n");
    else window_ = SdlWindow::open(options_.name, options_.smooth_scaling, options_.full_screen, error);
    if (machine_.vga() && !window_)
      std::fprintf(stderr, "softvisor: -display sdl: no display available (%s); running without a window\n", error.c_str());
  }
  if (!options_.screenshots.empty() && !machine_.vga())
    std::fprintf(stderr, "softvisor: -screenshot: the VM has no VGA (-vga none); no screenshot will be taken\n");
  if (machine_.vga() && (window_ || !options_.screenshots.empty())) machine_.setDisplayRefresh([this] { refresh(); });
  if (window_) updateTitle();
}

DisplayController::~DisplayController() { machine_.setDisplayRefresh(nullptr); }

void DisplayController::updateTitle() {
  std::string t = options_.name + " - " + (machine_.guestHalted() ? "halted" : "running");
  if (window_->mouseGrabbed()) t += " (Ctrl+Alt+G releases the mouse)";
  if (t != title_) window_->setTitle(title_ = t);
}

void DisplayController::refresh() {
  const VgaDirtyRows rows = machine_.vga()->render(frame_, hostMs());
  if (window_) window_->present(frame_, rows, machine_.vga()->dispi().enabled());
  checkScreenshots();  // after present: a window screenshot shows this frame
  if (!window_) return;
  const SdlWindow::Actions a = window_->pollEvents(keyboard_, mouse_);
  if (a.screenshot) {
    ScreenshotRequest r;
    r.path = options_.name + "-screenshot-" + std::to_string(++hotkey_shots_) + ".png";
    saveScreenshot(r);
  }
  if (a.quit) machine_.requestExit(0);
  else if (a.toggle_pause) pauseUntilResumed();
  updateTitle();
}

// Paused: the vCPU waits here (its thread is this one) while the window
// keeps answering; Ctrl+Alt+P again resumes. Virtual time in host mode
// follows the host clock, so guest timers see the pause as elapsed time.
void DisplayController::pauseUntilResumed() {
  window_->setTitle(title_ = options_.name + " - paused");
  for (;;) {
    window_->waitForEvent(100);
    const SdlWindow::Actions a = window_->pollEvents(nullptr, nullptr);
    window_->present(frame_, {}, machine_.vga()->dispi().enabled());
    if (a.quit) return machine_.requestExit(0);
    if (a.toggle_pause) return;
  }
}

void DisplayController::checkScreenshots() {
  auto& pending = options_.screenshots;
  if (pending.empty()) return;
  const double now_s = static_cast<double>(machine_.clock().nowNs()) / 1e9;
  VgaTextScreen text;
  bool have_text = false;
  for (size_t i = 0; i < pending.size();) {
    const ScreenshotRequest& r = pending[i];
    bool due = true;
    if (r.at_seconds) due = now_s >= *r.at_seconds;
    if (due && !r.on_text.empty()) {
      if (!have_text) text = machine_.vga()->textScreen(), have_text = true;
      due = text.contains(r.on_text);
    }
    if (!due) {
      ++i;
      continue;
    }
    const ScreenshotRequest taken = r;
    pending.erase(pending.begin() + static_cast<ptrdiff_t>(i));
    saveScreenshot(taken);
  }
}

void DisplayController::saveScreenshot(const ScreenshotRequest& r) {
  std::string error;
  if (r.from_window) {
    std::vector<uint32_t> pixels;
    int w = 0, h = 0;
    if (!window_) error = "screenshot '" + r.path + "': there is no window (-display sdl) to read";
    else if (!window_->readPixels(pixels, w, h)) error = "screenshot '" + r.path + "': cannot read the window: " + SDL_GetError();
    else error = writePng(r.path, static_cast<unsigned>(w), static_cast<unsigned>(h), pixels.data());
  } else {
    error = writePng(r.path, frame_.width, frame_.height, frame_.pixels.data());
  }
  if (!error.empty()) {
    std::fprintf(stderr, "softvisor: %s\n", error.c_str());
    machine_.requestExit(1);
    return;
  }
  std::fprintf(stderr, "softvisor: screenshot %s (%ux%u)\n", r.path.c_str(), frame_.width, frame_.height);
  if (r.exit_after) machine_.requestExit(0);
}

}  // namespace sv
