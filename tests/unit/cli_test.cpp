#include <doctest/doctest.h>

#include "frontend/cli.h"

using namespace sv;

TEST_CASE("QEMU-style options fill the machine configuration") {
  CliOptions o = parseCommandLine({"-bios", "x.rom", "-m", "64", "-debugcon", "file:out.txt", "-chardev",
                                   "file,id=post,path=post.bin", "-device", "isa-debugcon,iobase=0x80,chardev=post",
                                   "-device", "isa-debug-exit,iobase=0x501,iosize=2", "-no-reboot"});
  CHECK(o.machine.bios_path == "x.rom");
  CHECK(o.machine.ram_bytes == 64ull << 20);
  REQUIRE(o.machine.debug_consoles.size() == 2);
  CHECK(o.machine.debug_consoles[0].port == 0xE9);
  CHECK(o.machine.debug_consoles[0].sink.kind == CharSink::Kind::File);
  CHECK(o.machine.debug_consoles[0].sink.path == "out.txt");
  CHECK(o.machine.debug_consoles[1].port == 0x80);
  CHECK(o.machine.debug_consoles[1].sink.path == "post.bin");
  REQUIRE(o.machine.debug_exit.has_value());
  CHECK(o.machine.debug_exit->port == 0x501);
  CHECK(o.machine.debug_exit->size == 2);
  CHECK(o.machine.no_reboot);
}

TEST_CASE("memory sizes take QEMU's suffixes") {
  CHECK(parseCommandLine({"-m", "2G"}).machine.ram_bytes == 2ull << 30);
  CHECK(parseCommandLine({"-m", "512M"}).machine.ram_bytes == 512ull << 20);
  CHECK(parseCommandLine({"-m", "size=256"}).machine.ram_bytes == 256ull << 20);
}

TEST_CASE("bad options are refused with a message naming them") {
  auto message = [](std::vector<std::string> args) {
    try {
      parseCommandLine(args);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message({"-frobnicate"}).find("-frobnicate") != std::string::npos);
  CHECK(message({"-bios"}).find("-bios") != std::string::npos);
  CHECK(message({"-m", "lots"}).find("lots") != std::string::npos);
  CHECK(message({"-device", "e1000"}).find("e1000") != std::string::npos);
  CHECK(message({"-device", "isa-debugcon,chardev=nope"}).find("nope") != std::string::npos);
  CHECK(message({"-debugcon", "tcp:1234"}).find("tcp:1234") != std::string::npos);
}

TEST_CASE("-accel picks the interpreter or the JIT, -d jit dumps blocks") {
  CHECK(parseCommandLine({}).machine.accel == Accel::Jit);
  CHECK(parseCommandLine({"-accel", "jit"}).machine.accel == Accel::Jit);
  CHECK(parseCommandLine({"-accel", "interp"}).machine.accel == Accel::Interp);
  CHECK_THROWS_AS(parseCommandLine({"-accel", "kvm"}), ConfigError);
  CHECK_FALSE(parseCommandLine({"-accel", "jit"}).machine.jit_one_insn_per_block);
  CHECK(parseCommandLine({"-accel", "jit,one-insn-per-tb=on"}).machine.jit_one_insn_per_block);
  CHECK_THROWS_AS(parseCommandLine({"-accel", "jit,one-insn-per-tb=yes"}), ConfigError);
  CHECK_THROWS_AS(parseCommandLine({"-accel", "interp,one-insn-per-tb=on"}), ConfigError);
  CHECK_THROWS_AS(parseCommandLine({"-accel", "jit,thread=multi"}), ConfigError);
  CHECK(parseCommandLine({"-d", "jit"}).machine.jit_dump);
  CHECK(!parseCommandLine({}).machine.jit_dump);
  CHECK(parseCommandLine({"-d", "jit-host"}).machine.jit_dump_host);
  CHECK_THROWS_AS(parseCommandLine({"-d", "in_asm"}), ConfigError);
}

TEST_CASE("-serial picks COM1's output or removes it, -boot reboot-timeout, -d unimp") {
  CHECK(parseCommandLine({}).machine.com1->kind == CharSink::Kind::Null);
  CHECK(parseCommandLine({"-serial", "stdio"}).machine.com1->kind == CharSink::Kind::Stdio);
  MachineConfig m = parseCommandLine({"-serial", "file:com1.txt", "-boot", "reboot-timeout=0", "-d", "unimp"}).machine;
  CHECK(m.com1->kind == CharSink::Kind::File);
  CHECK(m.com1->path == "com1.txt");
  CHECK(m.boot_fail_wait_ms == 0);
  CHECK(m.log_unimp);
  CHECK_FALSE(parseCommandLine({"-serial", "none"}).machine.com1.has_value());
  CHECK(parseCommandLine({}).machine.boot_fail_wait_ms == -1);
  CHECK_THROWS_AS(parseCommandLine({"-serial", "tcp:1"}), ConfigError);
  CHECK_THROWS_AS(parseCommandLine({"-boot", "order=x"}), ConfigError);
  CHECK_THROWS_AS(parseCommandLine({"-boot", "reboot-timeout=99999"}), ConfigError);
}

TEST_CASE("-kernel/-initrd/-append make a direct boot, -append alone is refused") {
  CliOptions o = parseCommandLine({"-kernel", "bzImage", "-initrd", "root.cpio.gz", "-append", "console=ttyS0 quiet"});
  REQUIRE(o.machine.direct_boot.has_value());
  CHECK(o.machine.direct_boot->kernel_path == "bzImage");
  CHECK(o.machine.direct_boot->initrd_path == "root.cpio.gz");
  CHECK(o.machine.direct_boot->cmdline == "console=ttyS0 quiet");
  CHECK(o.machine.bios_path.empty());
  CHECK_THROWS_AS(parseCommandLine({"-append", "x"}), ConfigError);
  CHECK_FALSE(parseCommandLine({"-bios", "x.rom"}).machine.direct_boot.has_value());
}

TEST_CASE("-serial stdio also reads stdin, -nographic puts COM1 on stdio unless -serial says otherwise") {
  CHECK(parseCommandLine({"-serial", "stdio"}).machine.com1_stdin);
  CHECK_FALSE(parseCommandLine({"-serial", "file:x"}).machine.com1_stdin);
  CHECK_FALSE(parseCommandLine({}).machine.com1_stdin);
  MachineConfig m = parseCommandLine({"-nographic"}).machine;
  CHECK(m.com1->kind == CharSink::Kind::Stdio);
  CHECK(m.com1_stdin);
  m = parseCommandLine({"-nographic", "-serial", "null"}).machine;
  CHECK(m.com1->kind == CharSink::Kind::Null);
  CHECK_FALSE(m.com1_stdin);
  CHECK(parseCommandLine({"-no-reboot"}).machine.no_reboot);
  CHECK_THROWS_AS(parseCommandLine({"-nographics"}), ConfigError);
}

TEST_CASE("-drive, -hda..-hdd and -cdrom place IDE drives, -boot order") {
  CliOptions o = parseCommandLine({"-drive", "file=a.img,format=raw,if=ide", "-hdb", "b.img", "-cdrom", "c.iso",
                                   "-drive", "file=d.img,index=3,readonly=on", "-boot", "order=dc"});
  REQUIRE(o.machine.drives.size() == 4);
  CHECK(o.machine.drives[0].path == "a.img");
  CHECK(o.machine.drives[0].index == 0);
  CHECK(o.machine.drives[0].media == DriveConfig::Media::Disk);
  CHECK_FALSE(o.machine.drives[0].read_only);
  CHECK(o.machine.drives[1].index == 1);
  CHECK(o.machine.drives[2].index == 2);  // secondary master, as on QEMU
  CHECK(o.machine.drives[2].media == DriveConfig::Media::Cdrom);
  CHECK(o.machine.drives[2].read_only);
  CHECK(o.machine.drives[3].index == 3);
  CHECK(o.machine.drives[3].read_only);
  CHECK(o.machine.boot_order == "dc");
  CHECK(parseCommandLine({}).machine.boot_order == "cad");
  CHECK(parseCommandLine({"-boot", "d"}).machine.boot_order == "d");
  // An automatic index takes the first free place; an empty CD-ROM drive needs no file.
  o = parseCommandLine({"-hda", "x.img", "-drive", "file=y.img", "-drive", "if=ide,media=cdrom"});
  CHECK(o.machine.drives[1].index == 1);
  CHECK(o.machine.drives[2].index == 2);
  CHECK(o.machine.drives[2].path.empty());
}

TEST_CASE("bad drive and boot options are refused with a message") {
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "file=a.img,format=qcow2"}), doctest::Contains("only raw"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "file=a.img,if=virtio"}), doctest::Contains("interface 'virtio' is not supported (ide or floppy)"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "file=a.img,index=4"}), doctest::Contains("out of range"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "format=raw"}), doctest::Contains("needs file="), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-hda", "a.img", "-drive", "file=b.img,index=0"}), doctest::Contains("given twice"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "file=a.img,cache=none"}), doctest::Contains("unsupported option 'cache'"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-boot", "order=x"}), doctest::Contains("unknown boot device 'x'"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-boot", "order=cc"}), doctest::Contains("given twice"), ConfigError);
}

TEST_CASE("-fda, -fdb and -drive if=floppy place floppy drives A: and B:, -boot order=a") {
  CliOptions o = parseCommandLine({"-fda", "a.img", "-fdb", "b.img", "-boot", "order=a"});
  REQUIRE(o.machine.floppies.size() == 2);
  CHECK(o.machine.floppies[0].path == "a.img");
  CHECK(o.machine.floppies[0].index == 0);
  CHECK_FALSE(o.machine.floppies[0].read_only);
  CHECK(o.machine.floppies[1].path == "b.img");
  CHECK(o.machine.floppies[1].index == 1);
  CHECK(o.machine.boot_order == "a");
  CHECK(o.machine.drives.empty());  // no IDE drive from a floppy option
  o = parseCommandLine({"-drive", "if=floppy,file=x.img,format=raw,index=1,readonly=on", "-drive", "file=y.img,if=floppy"});
  REQUIRE(o.machine.floppies.size() == 2);
  CHECK(o.machine.floppies[0].path == "x.img");
  CHECK(o.machine.floppies[0].index == 1);
  CHECK(o.machine.floppies[0].read_only);
  CHECK(o.machine.floppies[1].index == 0);  // the first free drive
  CHECK_FALSE(o.machine.floppies[1].read_only);
  // The old form "-boot a".
  CHECK(parseCommandLine({"-fda", "a.img", "-boot", "a"}).machine.boot_order == "a");
}

TEST_CASE("bad floppy options are refused with a message naming the problem") {
  CHECK_THROWS_WITH_AS(parseCommandLine({"-fda", "a.img", "-drive", "if=floppy,file=b.img,index=0"}),
                       doctest::Contains("floppy drive A: (index 0) is given twice"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "if=floppy,file=a.img,index=2"}),
                       doctest::Contains("floppy drives are 0 and 1"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "if=floppy,format=raw"}), doctest::Contains("a floppy needs file="),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "if=floppy,file=a.img,media=cdrom"}),
                       doctest::Contains("unsupported option 'media' for a floppy"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-drive", "if=floppy,file=a.img,format=qcow2"}), doctest::Contains("only raw"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-fda", "a.img", "-fdb", "b.img", "-drive", "if=floppy,file=c.img"}),
                       doctest::Contains("both floppy drives are taken"), ConfigError);
  CHECK_THROWS_WITH_AS(parseCommandLine({"-fda"}), doctest::Contains("needs a value"), ConfigError);
}
