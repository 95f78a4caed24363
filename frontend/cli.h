// The command line, in QEMU's conventions for the options that exist.
#pragma once

#include <string>
#include <vector>

#include "frontend/display_options.h"
#include "vmm/machine_config.h"

namespace sv {

struct CliOptions {
  MachineConfig machine;
  DisplayOptions display;
  bool show_help = false;
  bool show_version = false;
};

// Parses argv[1..]; throws ConfigError with a message naming the option.
CliOptions parseCommandLine(const std::vector<std::string>& args);
std::string usageText();

}  // namespace sv
