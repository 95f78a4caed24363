#include "frontend/cli.h"

#include <map>
#include <optional>

namespace sv {

namespace {

// "key=value,key=value" after an optional leading bare word.
struct OptionList {
  std::string head;
  std::map<std::string, std::string> kv;
};

OptionList splitOptionList(const std::string& s) {
  OptionList out;
  size_t pos = 0;
  bool first = true;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string part = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t eq = part.find('=');
    if (eq == std::string::npos && first) out.head = part;
    else if (eq == std::string::npos) out.kv[part] = "on";
    else out.kv[part.substr(0, eq)] = part.substr(eq + 1);
    first = false;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

uint64_t parseNumber(const std::string& s, const std::string& what) {
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(s, &used, 0);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw ConfigError(what + ": '" + s + "' is not a number");
  }
}

uint64_t parseMemorySize(const std::string& s) {
  if (s.empty()) throw ConfigError("-m: missing size");
  std::string num = s;
  uint64_t unit = 1ull << 20;  // plain numbers are MiB, as in QEMU
  char last = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
  if (last == 'K' || last == 'M' || last == 'G' || last == 'T') {
    num.pop_back();
    unit = last == 'K' ? 1ull << 10 : last == 'M' ? 1ull << 20 : last == 'G' ? 1ull << 30 : 1ull << 40;
  }
  if (s.rfind("size=", 0) == 0) return parseMemorySize(s.substr(5));
  return parseNumber(num, "-m") * unit;
}

CharSink parseCharSink(const std::string& spec, const std::map<std::string, CharSink>& chardevs, const std::string& opt) {
  if (spec == "stdio") return {CharSink::Kind::Stdio, ""};
  if (spec == "null" || spec == "none") return {CharSink::Kind::Null, ""};
  if (spec.rfind("file:", 0) == 0 && spec.size() > 5) return {CharSink::Kind::File, spec.substr(5)};
  if (spec.rfind("chardev:", 0) == 0) {
    auto it = chardevs.find(spec.substr(8));
    if (it == chardevs.end()) throw ConfigError(opt + ": no -chardev with id '" + spec.substr(8) + "'");
    return it->second;
  }
  throw ConfigError(opt + ": unsupported character device '" + spec + "' (use stdio, null, file:PATH or chardev:ID)");
}

void parseDisplay(const std::string& spec, DisplayOptions& d) {
  OptionList l = splitOptionList(spec);
  if (l.head == "none") d.kind = DisplayOptions::Kind::None;
  else if (l.head == "sdl") d.kind = DisplayOptions::Kind::Sdl;
  else throw ConfigError("-display: unsupported display '" + l.head + "' (sdl or none)");
  for (const auto& [key, v] : l.kv) {
    if (key == "scale" && (v == "smooth" || v == "integer")) d.smooth_scaling = v == "smooth";
    else if (key == "full-screen" && (v == "on" || v == "off")) d.full_screen = v == "on";
    else throw ConfigError("-display: unsupported option '" + key + "=" + v + "' (scale=integer|smooth, full-screen=on|off)");
  }
}

// FILE[,at=SECONDS][,on-text=TEXT][,exit][,window]; TEXT runs to the next comma.
ScreenshotRequest parseScreenshot(const std::string& spec) {
  OptionList l = splitOptionList(spec);
  ScreenshotRequest r;
  r.path = l.head;
  if (r.path.empty()) throw ConfigError("-screenshot: missing file name");
  for (const auto& [key, v] : l.kv) {
    if (key == "at") {
      try {
        size_t used = 0;
        r.at_seconds = std::stod(v, &used);
        if (used != v.size() || *r.at_seconds < 0) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        throw ConfigError("-screenshot at=: '" + v + "' is not a number of seconds");
      }
    } else if (key == "on-text" && !v.empty() && v != "on") r.on_text = v;
    else if (key == "exit") r.exit_after = true;
    else if (key == "window") r.from_window = true;
    else throw ConfigError("-screenshot: unsupported option '" + key + "' (at=SECONDS, on-text=TEXT, exit, window)");
  }
  return r;
}

// -drive if=floppy,file=FILE[,format=raw][,index=0|1][,readonly=on].
FloppyConfig parseFloppyDrive(const OptionList& l) {
  FloppyConfig f;
  for (const auto& [key, v] : l.kv) {
    if (key == "file") f.path = v;
    else if (key == "if") continue;
    else if (key == "format") {
      if (v != "raw") throw ConfigError("-drive: format '" + v + "' is not supported (only raw)");
    } else if (key == "index") {
      const uint64_t n = parseNumber(v, "-drive index");
      if (n > 1) throw ConfigError("-drive: index " + v + " is out of range (floppy drives are 0 and 1)");
      f.index = static_cast<unsigned>(n);
    } else if (key == "readonly") {
      if (v != "on" && v != "off") throw ConfigError("-drive: readonly must be on or off, not '" + v + "'");
      f.read_only = v == "on";
    } else {
      throw ConfigError("-drive: unsupported option '" + key + "' for a floppy (file, format, if, index, readonly)");
    }
  }
  if (f.path.empty()) throw ConfigError("-drive: a floppy needs file=PATH");
  return f;
}

bool isFloppyDrive(const std::string& spec) {
  OptionList l = splitOptionList(spec);
  return l.kv.count("if") && l.kv["if"] == "floppy";
}

DriveConfig parseDrive(const std::string& spec) {
  OptionList l = splitOptionList(spec);
  if (!l.head.empty()) throw ConfigError("-drive: expected key=value pairs, got '" + l.head + "'");
  DriveConfig d;
  for (const auto& [key, v] : l.kv) {
    if (key == "file") d.path = v;
    else if (key == "format") {
      if (v != "raw") throw ConfigError("-drive: format '" + v + "' is not supported (only raw)");
    } else if (key == "if") {
      if (v != "ide") throw ConfigError("-drive: interface '" + v + "' is not supported (ide or floppy)");
    } else if (key == "index") {
      const uint64_t n = parseNumber(v, "-drive index");
      if (n > 3) throw ConfigError("-drive: index " + v + " is out of range (IDE has 0-3)");
      d.index = static_cast<unsigned>(n);
    } else if (key == "media") {
      if (v == "disk") d.media = DriveConfig::Media::Disk;
      else if (v == "cdrom") d.media = DriveConfig::Media::Cdrom;
      else throw ConfigError("-drive: media '" + v + "' is not known (disk or cdrom)");
    } else if (key == "readonly") {
      if (v != "on" && v != "off") throw ConfigError("-drive: readonly must be on or off, not '" + v + "'");
      d.read_only = v == "on";
    } else {
      throw ConfigError("-drive: unsupported option '" + key + "' (file, format, if, index, media, readonly)");
    }
  }
  if (d.path.empty() && d.media == DriveConfig::Media::Disk) throw ConfigError("-drive: a disk needs file=PATH");
  if (d.media == DriveConfig::Media::Cdrom) d.read_only = true;
  return d;
}

// -boot order=: each letter once, a floppy, c disk, d CD-ROM, n network.
std::string parseBootOrder(const std::string& v) {
  if (v.empty() || v.size() > 4) throw ConfigError("-boot order: give 1 to 4 of the letters a, c, d, n");
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::string("acdn").find(v[i]) == std::string::npos)
      throw ConfigError(std::string("-boot order: unknown boot device '") + v[i] + "' (a floppy, c disk, d CD-ROM, n network)");
    if (v.find(v[i]) != i) throw ConfigError(std::string("-boot order: '") + v[i] + "' is given twice");
  }
  return v;
}

// Places a floppy drive (A: 0, B: 1); an index taken twice is refused.
void addFloppy(MachineConfig& m, FloppyConfig f, bool automatic_index) {
  auto taken = [&](unsigned i) {
    for (const FloppyConfig& x : m.floppies)
      if (x.index == i) return true;
    return false;
  };
  if (automatic_index) {
    f.index = 0;
    while (f.index < 2 && taken(f.index)) ++f.index;
    if (f.index == 2) throw ConfigError("-drive: both floppy drives are taken");
  } else if (taken(f.index)) {
    throw ConfigError("floppy drive " + std::string(1, static_cast<char>('A' + f.index)) + ": (index " +
                      std::to_string(f.index) + ") is given twice");
  }
  m.floppies.push_back(std::move(f));
}

// Places a drive; an index taken twice is refused, as QEMU does.
void addDrive(MachineConfig& m, DriveConfig d, bool automatic_index) {
  auto taken = [&](unsigned i) {
    for (const DriveConfig& x : m.drives)
      if (x.index == i) return true;
    return false;
  };
  if (automatic_index) {
    d.index = 0;
    while (d.index < 4 && taken(d.index)) ++d.index;
    if (d.index == 4) throw ConfigError("-drive: all four IDE places are taken");
  } else if (taken(d.index)) {
    throw ConfigError("-drive: IDE index " + std::to_string(d.index) + " is given twice");
  }
  m.drives.push_back(std::move(d));
}

}  // namespace

std::string usageText() {
  return "usage: softvisor [options]\n"
         "  -bios FILE             system firmware image (mapped below 4 GiB and 1 MiB)\n"
         "  -kernel FILE           boot a Linux bzImage or a multiboot kernel directly (no firmware needed)\n"
         "  -initrd FILE           Linux initrd; multiboot: modules \"file args,file args\"\n"
         "  -append CMDLINE        kernel command line\n"
         "  -m SIZE                guest RAM, e.g. 128, 512M, 2G (default 128M)\n"
         "  -serial DEV            COM1 (0x3F8, IRQ 4): stdio (output and keyboard input; C-a x quits, C-a h help)\n"
         "                         | null | file:PATH | chardev:ID (output only), or none (no COM1); default null\n"
         "  -debugcon DEV          isa-debugcon on port 0xE9; DEV = stdio | null | file:PATH | chardev:ID\n"
         "  -chardev stdio|null,id=ID   or   -chardev file,id=ID,path=PATH\n"
         "  -device isa-debugcon,iobase=PORT,chardev=ID   a debug console on any port (repeatable)\n"
         "  -device isa-debug-exit[,iobase=PORT][,iosize=N]  guest writes V -> exit status (V<<1)|1\n"
         "  -no-reboot             stop instead of resetting on a triple fault\n"
         "  -icount shift=N        deterministic clock: one instruction = 2^N ns\n"
         "  -max-insns N           stop with an error after N instructions\n"
         "  -accel jit|interp      run guest code in the block translator (default) or the reference interpreter\n"
         "  -accel jit,one-insn-per-tb=on   every instruction its own block (for bisecting a JIT bug)\n"
         "  -d jit                 print each translated block (guest code, host size) to stderr\n"
         "  -d unimp               report guest use of unmodelled features (e.g. unknown fw_cfg items)\n"
         "  -drive file=FILE[,format=raw][,if=ide][,index=0-3][,media=disk|cdrom][,readonly=on]\n"
         "                         an IDE disk (raw image) or CD-ROM (ISO); index = bus*2+unit\n"
         "  -hda/-hdb/-hdc/-hdd FILE  IDE disk at index 0/1/2/3\n"
         "  -cdrom FILE            ISO image in the CD-ROM drive at the secondary master (index 2)\n"
         "  -fda/-fdb FILE         floppy image (360K, 720K, 1.2M, 1.44M or 2.88M raw) in drive A:/B:\n"
         "  -drive if=floppy,file=FILE[,format=raw][,index=0|1][,readonly=on]   the same, -drive style\n"
         "  -boot order=DEVICES    firmware boot order: a floppy, c disk, d CD-ROM, n network (default cad)\n"
         "  -boot reboot-timeout=MS   firmware retries booting after MS ms (fw_cfg etc/boot-fail-wait)\n"
         "  -display sdl[,scale=integer|smooth][,full-screen=on]   show the screen in a window (hot keys\n"
         "                         Ctrl+Alt+ F full screen, G grab/release mouse, S screenshot, P pause)\n"
         "  -display none          no window (the default)\n"
         "  -vga std[,romfile=FILE] | none   the stdvga (PCI 1234:1111, Bochs VBE; default std, its\n"
         "                         BIOS: FILE or vgabios-stdvga.bin beside the -bios image)\n"
         "  -screenshot FILE[,at=SECONDS][,on-text=TEXT][,exit][,window]   PNG of the screen at a\n"
         "                         virtual time or when TEXT is on the text screen; exit: then stop the VM;\n"
         "                         window: what the SDL window shows (repeatable)\n"
         "  -name NAME             the VM's name (window title, hot-key screenshot files)\n"
         "  -nographic             no display; COM1 on stdio unless -serial is given\n"
         "  -h, -help, --help      this text;  -version, --version\n";
}

CliOptions parseCommandLine(const std::vector<std::string>& args) {
  CliOptions o;
  std::map<std::string, CharSink> chardevs;
  // -device isa-debugcon may name a chardev defined later: resolve at the end.
  std::vector<std::pair<uint16_t, std::string>> pending_debugcons;
  DirectBootConfig direct;
  bool serial_given = false, nographic = false;

  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') a = a.substr(1);  // --opt == -opt
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw ConfigError("option '" + args[i] + "' needs a value");
      return args[++i];
    };
    if (a == "-h" || a == "-help") o.show_help = true;
    else if (a == "-version") o.show_version = true;
    else if (a == "-bios") o.machine.bios_path = value();
    else if (a == "-kernel") direct.kernel_path = value();
    else if (a == "-initrd") direct.initrd_path = value();
    else if (a == "-append") direct.cmdline = value();
    else if (a == "-m") o.machine.ram_bytes = parseMemorySize(value());
    else if (a == "-no-reboot") o.machine.no_reboot = true;
    else if (a == "-nographic") {
      nographic = true;
      o.display.kind = DisplayOptions::Kind::None;
    }
    else if (a == "-display") parseDisplay(value(), o.display);
    else if (a == "-screenshot") o.display.screenshots.push_back(parseScreenshot(value()));
    else if (a == "-name") o.display.name = splitOptionList(value()).head;
    else if (a == "-vga") {
      OptionList l = splitOptionList(value());
      if (l.head == "none") o.machine.vga.reset();
      else if (l.head == "std") o.machine.vga = VgaConfig{l.kv.count("romfile") ? l.kv["romfile"] : ""};
      else throw ConfigError("-vga: unsupported adapter '" + l.head + "' (std or none)");
    } else if (a == "-accel") {
      OptionList l = splitOptionList(value());
      if (l.head == "interp") o.machine.accel = Accel::Interp;
      else if (l.head == "jit") o.machine.accel = Accel::Jit;
      else throw ConfigError("-accel: unknown accelerator '" + l.head + "' (interp or jit)");
      for (const auto& [key, v] : l.kv) {
        if (key != "one-insn-per-tb" || l.head != "jit")
          throw ConfigError("-accel " + l.head + ": unknown option '" + key + "'" +
                            (l.head == "jit" ? " (one-insn-per-tb=on|off)" : ""));
        if (v != "on" && v != "off") throw ConfigError("-accel jit: one-insn-per-tb wants on or off, got '" + v + "'");
        o.machine.jit_one_insn_per_block = v == "on";
      }
    } else if (a == "-d") {
      std::string v = value();
      for (const auto& [item, _] : splitOptionList("," + v).kv) {
        if (item == "jit") o.machine.jit_dump = true;
        else if (item == "unimp") o.machine.log_unimp = true;
        else if (item == "jit-host") o.machine.jit_dump = o.machine.jit_dump_host = true;
        else throw ConfigError("-d: unknown log item '" + item + "' (jit, jit-host, unimp)");
      }
    } else if (a == "-boot") {
      const std::string raw = value();
      // "-boot d": QEMU's old form of order=d.
      if (raw.find('=') == std::string::npos) {
        o.machine.boot_order = parseBootOrder(raw);
        continue;
      }
      OptionList l = splitOptionList("," + raw);
      for (const auto& [key, v] : l.kv) {
        if (key == "order") {
          o.machine.boot_order = parseBootOrder(v);
        } else if (key == "reboot-timeout") {
          uint64_t ms = parseNumber(v, "-boot reboot-timeout");
          if (ms > 0xFFFF) throw ConfigError("-boot reboot-timeout: " + v + " ms is too long (at most 65535)");
          o.machine.boot_fail_wait_ms = static_cast<int32_t>(ms);
        } else {
          throw ConfigError("-boot: unsupported option '" + key + "' (order=DEVICES, reboot-timeout=MS)");
        }
      }
    } else if (a == "-drive") {
      const std::string v = value();
      if (isFloppyDrive(v)) {
        OptionList l = splitOptionList(v);
        if (!l.head.empty()) throw ConfigError("-drive: expected key=value pairs, got '" + l.head + "'");
        addFloppy(o.machine, parseFloppyDrive(l), l.kv.count("index") == 0);
      } else {
        addDrive(o.machine, parseDrive(v), splitOptionList(v).kv.count("index") == 0);
      }
    } else if (a == "-hda" || a == "-hdb" || a == "-hdc" || a == "-hdd") {
      DriveConfig d;
      d.path = value();
      d.index = static_cast<unsigned>(a[3] - 'a');
      addDrive(o.machine, d, false);
    } else if (a == "-cdrom") {
      DriveConfig d;
      d.path = value();
      d.media = DriveConfig::Media::Cdrom;
      d.read_only = true;
      d.index = 2;  // secondary master, as QEMU places it
      addDrive(o.machine, d, false);
    } else if (a == "-fda" || a == "-fdb") {
      FloppyConfig f;
      f.path = value();
      f.index = a == "-fda" ? 0 : 1;
      addFloppy(o.machine, f, false);
    } else if (a == "-max-insns") o.machine.max_instructions = parseNumber(value(), "-max-insns");
    else if (a == "-icount") {
      OptionList l = splitOptionList(value());
      std::string shift = l.kv.count("shift") ? l.kv["shift"] : l.head;
      if (shift.empty() || shift == "auto") throw ConfigError("-icount: give shift=N (auto is not supported)");
      uint64_t n = parseNumber(shift, "-icount shift");
      if (n > 10) throw ConfigError("-icount: shift must be 0..10");
      o.machine.icount_shift = static_cast<unsigned>(n);
    } else if (a == "-serial") {
      std::string v = value();
      serial_given = true;
      o.machine.com1_stdin = v == "stdio";
      if (v == "none") o.machine.com1.reset();
      else o.machine.com1 = parseCharSink(v, chardevs, "-serial");
    } else if (a == "-debugcon") {
      o.machine.debug_consoles.push_back({0xE9, parseCharSink(value(), chardevs, "-debugcon")});
    } else if (a == "-chardev") {
      OptionList l = splitOptionList(value());
      if (!l.kv.count("id")) throw ConfigError("-chardev: missing id=");
      CharSink sink;
      if (l.head == "stdio") sink.kind = CharSink::Kind::Stdio;
      else if (l.head == "null") sink.kind = CharSink::Kind::Null;
      else if (l.head == "file") {
        if (!l.kv.count("path")) throw ConfigError("-chardev file: missing path=");
        sink = {CharSink::Kind::File, l.kv["path"]};
      } else throw ConfigError("-chardev: unsupported backend '" + l.head + "' (stdio, null, file)");
      chardevs[l.kv["id"]] = sink;
    } else if (a == "-device") {
      OptionList l = splitOptionList(value());
      if (l.head == "isa-debugcon") {
        uint64_t port = l.kv.count("iobase") ? parseNumber(l.kv["iobase"], "isa-debugcon iobase") : 0xE9;
        if (port > 0xFFFF) throw ConfigError("isa-debugcon: iobase out of range");
        if (!l.kv.count("chardev")) throw ConfigError("isa-debugcon: missing chardev=ID");
        pending_debugcons.emplace_back(static_cast<uint16_t>(port), l.kv["chardev"]);
      } else if (l.head == "isa-debug-exit") {
        DebugExitConfig de;
        if (l.kv.count("iobase")) de.port = static_cast<uint16_t>(parseNumber(l.kv["iobase"], "isa-debug-exit iobase"));
        if (l.kv.count("iosize")) de.size = static_cast<uint16_t>(parseNumber(l.kv["iosize"], "isa-debug-exit iosize"));
        if (de.size == 0 || de.port + de.size > 0x10000) throw ConfigError("isa-debug-exit: bad iobase/iosize");
        o.machine.debug_exit = de;
      } else {
        throw ConfigError("-device: unknown or unsupported device '" + l.head + "'");
      }
    } else {
      throw ConfigError("unknown or unsupported option '" + args[i] + "' (see -help)");
    }
  }
  for (auto& [port, id] : pending_debugcons) {
    auto it = chardevs.find(id);
    if (it == chardevs.end()) throw ConfigError("isa-debugcon: no -chardev with id '" + id + "'");
    o.machine.debug_consoles.push_back({port, it->second});
  }
  if (nographic && !serial_given) {
    o.machine.com1 = CharSink{CharSink::Kind::Stdio, ""};
    o.machine.com1_stdin = true;
  }
  if (!direct.kernel_path.empty()) o.machine.direct_boot = direct;
  else if (!direct.initrd_path.empty() || !direct.cmdline.empty())
    throw ConfigError("-initrd and -append need -kernel FILE");
  return o;
}

}  // namespace sv
