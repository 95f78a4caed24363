// Everything that describes a VM before it starts; filled by the frontend's
// command-line parser (or a test), validated by Machine's constructor.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "vmm/direct_boot.h"
#include <vector>

namespace sv {

// Bad configuration or input files: the message names the file or option and
// the problem, and is shown to the user as is.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a character device's output goes (QEMU's -chardev backends).
struct CharSink {
  enum class Kind : uint8_t { Stdio, File, Null } kind = Kind::Stdio;
  std::string path;  // File
};

struct DebugConsoleConfig {
  uint16_t port = 0xE9;
  CharSink sink;
};

struct DebugExitConfig {
  uint16_t port = 0xF4;
  uint16_t size = 4;  // ports claimed (QEMU's iosize)
};

// How guest code runs (QEMU's -accel): the block translator (jit/, the
// default; it falls back to the interpreter's handlers), or the reference
// interpreter alone.
enum class Accel : uint8_t { Interp, Jit };

// The display adapter (QEMU's -vga std): a stdvga at 00:02.0. Its option
// ROM goes to the firmware as fw_cfg file "pci1234,1111.rom"; without a
// path, vgabios-stdvga.bin beside the -bios image is used when it exists.
struct VgaConfig {
  std::string rom_path;
};

// A drive on the PIIX IDE controller (QEMU's -drive if=ide, -hda..-hdd,
// -cdrom): a raw image file as an ATA disk or an ATAPI CD-ROM.
struct DriveConfig {
  enum class Media : uint8_t { Disk, Cdrom };
  std::string path;  // empty: a CD-ROM drive with no disc
  Media media = Media::Disk;
  bool read_only = false;
  unsigned index = 0;  // bus * 2 + unit: 0 primary master .. 3 secondary slave
};

// A floppy drive on the 82077AA (QEMU's -fda/-fdb, -drive if=floppy): a
// raw image of one of the PC formats, in drive A: (index 0) or B: (1).
struct FloppyConfig {
  std::string path;
  bool read_only = false;
  unsigned index = 0;
};

struct MachineConfig {
  uint64_t ram_bytes = 128ull << 20;
  std::string bios_path;             // may be empty with a direct boot
  std::optional<DirectBootConfig> direct_boot;  // -kernel/-initrd/-append
  std::vector<DebugConsoleConfig> debug_consoles;
  // COM1 (0x3F8, IRQ 4): present by default with its output discarded;
  // -serial stdio|file:PATH|null picks the output, -serial none removes it.
  std::optional<CharSink> com1 = CharSink{CharSink::Kind::Null, ""};
  // COM1 also reads the host's stdin (-serial stdio, -nographic), with
  // QEMU's Ctrl-A escapes.
  bool com1_stdin = false;
  // The RTC's time at start (UTC seconds since 1970); unset: host time,
  // or a fixed date under -icount so runs repeat exactly.
  std::optional<int64_t> rtc_start_epoch_s;
  std::optional<DebugExitConfig> debug_exit;
  bool no_reboot = false;           // triple fault stops the VM instead of resetting it
  std::optional<unsigned> icount_shift;  // deterministic clock: 1 insn = 2^shift ns
  uint64_t max_instructions = 0;    // 0 = no limit; otherwise stop with an error
  Accel accel = Accel::Jit;
  bool jit_dump = false;            // -d jit: print translated blocks to stderr
  bool jit_one_insn_per_block = false;  // -accel jit,one-insn-per-tb=on
  bool log_unimp = false;           // -d unimp: report guest use of unmodelled features to stderr
  int32_t boot_fail_wait_ms = -1;   // -boot reboot-timeout=MS (fw_cfg etc/boot-fail-wait; -1 = never)
  bool jit_dump_host = false;       // -d jit-host: with their host code
  std::optional<VgaConfig> vga = VgaConfig{};  // -vga std (default) | none
  std::vector<DriveConfig> drives;  // at most one per index
  std::vector<FloppyConfig> floppies;  // at most one per index
  // -boot order=: the firmware's boot devices, first to last, in QEMU's
  // letters (a floppy, c disk, d CD-ROM, n network).
  std::string boot_order = "cad";
};

}  // namespace sv
