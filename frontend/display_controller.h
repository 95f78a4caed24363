// The display side of one Machine: renders the VGA at the Machine's
// bounded refresh rate (Machine::setDisplayRefresh, on the vCPU's thread
// between slices), shows it in an SDL window (-display sdl), forwards input,
// and takes screenshots (-screenshot, the Ctrl+Alt+S hot key).
#pragma once
#include <memory>
#include <string>

#include "devices/input_sinks.h"
#include "devices/vga/vga_frame.h"
#include "frontend/display_options.h"
#include "frontend/sdl_window.h"
#include "vmm/machine.h"

namespace sv {

class DisplayController {
 public:
  // Opens the window; with no display available it says so on stderr and
  // the VM runs headless. Installs the refresh hook only when there is
  // something to do (a window or a pending screenshot).
  DisplayController(Machine& machine, DisplayOptions options);
  ~DisplayController();
  DisplayController(const DisplayController&) = delete;
  DisplayController& operator=(const DisplayController&) = delete;

  // Where keys and mouse motion go (the keyboard controller, once wired).
  void setInputSinks(KeyboardSink* keyboard, MouseSink* mouse) { keyboard_ = keyboard, mouse_ = mouse; }
  bool hasWindow() const { return window_ != nullptr; }
  // One refresh now, whatever the rate limit (tests, after run() returned).
  void refreshNow() { refresh(); }
  const VgaFrame& frame() const { return frame_; }
  SdlWindow* window() { return window_.get(); }

 private:
  void refresh();
  void checkScreenshots();
  void saveScreenshot(const ScreenshotRequest& request);
  void updateTitle();
  void pauseUntilResumed();

  Machine& machine_;
  DisplayOptions options_;
  std::unique_ptr<SdlWindow> window_;
  KeyboardSink* keyboard_ = nullptr;
  MouseSink* mouse_ = nullptr;
  VgaFrame frame_;
  std::string title_;
  unsigned hotkey_shots_ = 0;
};

}  // namespace sv
