#include "frontend/terminal_raw_mode.h"

#include <csignal>
#include <cstdlib>
#include <termios.h>
#include <unistd.h>

namespace sv {

namespace {
// A signal handler can reach no object, so the one terminal a process has
// keeps its saved state here (process-wide by nature, like the terminal).
struct SavedTerminal {
  int fd = -1;
  termios settings{};
};
SavedTerminal saved_terminal;

constexpr int kRestoreSignals[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void restoreTerminal() {
  if (saved_terminal.fd >= 0) tcsetattr(saved_terminal.fd, TCSANOW, &saved_terminal.settings);
}

void restoreAndReraise(int sig) {
  restoreTerminal();  // tcsetattr is async-signal-safe
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}
}  // namespace

TerminalRawMode::TerminalRawMode(int fd) {
  termios t{};
  if (!isatty(fd) || tcgetattr(fd, &t) != 0 || saved_terminal.fd >= 0) return;
  saved_terminal = {fd, t};
  for (int sig : kRestoreSignals) std::signal(sig, restoreAndReraise);
  std::atexit(restoreTerminal);  // exit() from anywhere
  t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_oflag |= OPOST;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  active_ = tcsetattr(fd, TCSANOW, &t) == 0;
}

TerminalRawMode::~TerminalRawMode() {
  if (!active_) return;
  restoreTerminal();
  for (int sig : kRestoreSignals) std::signal(sig, SIG_DFL);
  saved_terminal.fd = -1;
}

}  // namespace sv
