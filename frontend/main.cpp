// softvisor: run one x86 virtual machine.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "frontend/cli.h"
#include "frontend/display_controller.h"
#include "frontend/ps2_input_bridge.h"
#include "frontend/terminal_raw_mode.h"
#include "vmm/machine.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    sv::CliOptions opts = sv::parseCommandLine(args);
    if (opts.show_help) {
      std::fputs(sv::usageText().c_str(), stdout);
      return 0;
    }
    if (opts.show_version) {
      std::puts("softvisor 0.1.0");
      return 0;
    }
    const bool stdin_console = opts.machine.com1_stdin;
    sv::Machine machine(std::move(opts.machine));
    sv::DisplayController display(machine, std::move(opts.display));
    sv::Ps2InputBridge input(machine.keyboardController());
    display.setInputSinks(&input, &input);
    sv::TerminalRawMode raw(stdin_console ? 0 : -1);
    int status = machine.run();
    std::fflush(stdout);
    if (!machine.stopMessage().empty()) std::fprintf(stderr, "softvisor: %s\n", machine.stopMessage().c_str());
    return status;
  } catch (const sv::ConfigError& e) {
    std::fprintf(stderr, "softvisor: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "softvisor: internal error: %s\n", e.what());
    return 2;
  }
}
