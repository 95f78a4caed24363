// The host terminal in raw mode while a serial console reads it (as QEMU's
// stdio chardev): no line editing, no echo, no signals from Ctrl-C/Ctrl-Z
// (they go to the guest; C-a x quits), output post-processing kept.
// The saved settings are restored when the object goes away and on every
// way the process can end abnormally: a fatal or terminating signal
// restores them in its handler and then re-raises the signal.
#pragma once

namespace sv {

class TerminalRawMode {
 public:
  // Does nothing unless `fd` is a terminal.
  explicit TerminalRawMode(int fd);
  ~TerminalRawMode();
  TerminalRawMode(const TerminalRawMode&) = delete;
  TerminalRawMode& operator=(const TerminalRawMode&) = delete;

  bool active() const { return active_; }

 private:
  bool active_ = false;
};

}  // namespace sv
