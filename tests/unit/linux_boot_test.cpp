#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fake_bzimage.h"
#include "vmm/linux_boot.h"
#include "vmm/little_endian.h"
#include "vmm/machine_config.h"
#include "vmm/pc_memory_map.h"

using namespace sv;

namespace {

using test::FakeBzImage;
constexpr uint64_t MiB = 1ull << 20;

std::string refusal(std::span<const uint8_t> kernel, std::span<const uint8_t> initrd = {}, std::string_view cmdline = "",
                    uint64_t ram = 128 * MiB) {
  try {
    planLinuxBoot(kernel, initrd, cmdline, ram, "test/vmlinuz");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const MemoryWrite& writeNamed(const BootPlan& plan, const std::string& what) {
  for (const MemoryWrite& w : plan.writes)
    if (w.what == what) return w;
  FAIL("no write named " << what);
  throw 0;
}

}  // namespace

TEST_CASE("the setup header of a bzImage is read") {
  const auto img = FakeBzImage{}.build();
  CHECK(looksLikeLinuxKernel(img));
  const LinuxSetupHeader h = parseLinuxSetupHeader(img, "k");
  CHECK(h.protocol == 0x020F);
  CHECK(h.setup_bytes == 5 * 512);
  CHECK(h.header_end == 0x268);
  CHECK(h.syssize_bytes == 0x3000);
  CHECK(h.code32_start == 0x100000);
  CHECK(h.initrd_addr_max == 0x7FFFFFFF);
  CHECK(h.kernel_alignment == 0x200000);
  CHECK(h.relocatable);
  CHECK(h.hasEntry64());
  CHECK(h.cmdline_size == 2047);
  CHECK(h.pref_address == 0x1000000);
  CHECK(h.init_size == 0x800000);
  CHECK(h.kernel_version == "6.1.0-test (synthetic)");
}

TEST_CASE("setup_sects 0 means 4") {
  FakeBzImage k;
  k.setup_sects = 0;
  CHECK(parseLinuxSetupHeader(k.build(), "k").setup_bytes == 5 * 512);
}

TEST_CASE("protocol 2.06 headers have no pref_address, init_size or xloadflags") {
  FakeBzImage k;
  k.protocol = 0x0206;
  const LinuxSetupHeader h = parseLinuxSetupHeader(k.build(), "k");
  CHECK(h.pref_address == 0);
  CHECK(h.init_size == 0);
  CHECK_FALSE(h.hasEntry64());
}

TEST_CASE("malformed kernels are refused with the file name and the problem") {
  const auto good = FakeBzImage{}.build();

  std::vector<uint8_t> short_file(good.begin(), good.begin() + 600);
  CHECK(contains(refusal(short_file), "kernel 'test/vmlinuz': file too short"));

  auto bad_magic = good;
  bad_magic[0x202] = 'X';
  CHECK(contains(refusal(bad_magic), "no \"HdrS\""));
  CHECK_FALSE(looksLikeLinuxKernel(bad_magic));

  auto bad_flag = good;
  bad_flag[0x1FE] = 0;
  CHECK(contains(refusal(bad_flag), "0xAA55"));

  FakeBzImage old;
  old.protocol = 0x0205;
  CHECK(contains(refusal(old.build()), "boot protocol 2.5 is too old"));

  FakeBzImage zimage;
  zimage.loadflags = 0;
  CHECK(contains(refusal(zimage.build()), "LOADED_HIGH"));

  std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  CHECK(contains(refusal(truncated), "truncated"));

  auto no_payload = good;
  std::fill_n(no_payload.begin() + 0x1F4, 4, 0);  // syssize
  CHECK(contains(refusal(no_payload), "syssize is 0"));

  auto silly_header = good;
  silly_header[0x201] = 0xF0;  // would end past the zero page's header area
  CHECK(contains(refusal(silly_header), "implausible"));
}

TEST_CASE("the kernel goes to 1 MiB and boot_params carries the loader's fields") {
  const auto img = FakeBzImage{}.build();
  const std::vector<uint8_t> initrd(10000, 0x5A);
  const BootPlan plan = planLinuxBoot(img, initrd, "console=ttyS0", 128 * MiB, "k");

  const MemoryWrite& kernel = writeNamed(plan, "kernel");
  CHECK(kernel.addr == 0x100000);
  CHECK(kernel.bytes == std::vector<uint8_t>(img.begin() + 5 * 512, img.end()));

  const MemoryWrite& cmd = writeNamed(plan, "command line");
  CHECK(cmd.addr == boot_layout::kCmdline);
  CHECK(std::string(cmd.bytes.begin(), cmd.bytes.end()) == std::string("console=ttyS0\0", 14));

  const MemoryWrite& zp = writeNamed(plan, "boot_params");
  CHECK(zp.addr == boot_layout::kBootParams);
  REQUIRE(zp.bytes.size() == 4096);
  const std::span<const uint8_t> z = zp.bytes;
  CHECK(le::read32(z, 0x202) == 0x53726448);  // header copied
  CHECK(le::read16(z, 0x206) == 0x020F);
  CHECK(z[0x210] == 0xFF);                    // type_of_loader
  CHECK(le::read32(z, 0x214) == 0x100000);    // code32_start
  CHECK(le::read32(z, 0x228) == boot_layout::kCmdline);
  CHECK(le::read32(z, 0x21C) == 10000);       // ramdisk_size
  CHECK(le::read32(z, 0x218) == writeNamed(plan, "initrd").addr);
  CHECK(le::read32(z, 0x268) == 0);           // past the header: zero
  CHECK(z[0x1EF] == 0);                       // sentinel
  CHECK(le::read32(z, 0x000) == 0);           // screen_info left zero

  // e820 table (zero-page.rst: count at 0x1E8, 20-byte entries at 0x2D0).
  REQUIRE(z[0x1E8] == 4);
  auto entry = [&](int i) {
    const size_t o = 0x2D0 + 20 * i;
    return E820Entry{le::read64(z, o), le::read64(z, o + 8), E820Type(le::read32(z, o + 16))};
  };
  CHECK(entry(0) == E820Entry{0, 0x9FC00, E820Type::Ram});
  CHECK(entry(1) == E820Entry{0x9FC00, 0x400, E820Type::Reserved});
  CHECK(entry(2) == E820Entry{0xE0000, 0x20000, E820Type::Reserved});
  CHECK(entry(3) == E820Entry{0x100000, 127 * MiB, E820Type::Ram});
}

TEST_CASE("the 32-bit entry state follows boot.rst") {
  const BootPlan plan = planLinuxBoot(FakeBzImage{}.build(), {}, "", 64 * MiB, "k");
  CHECK(plan.entry.eip == 0x100000);
  CHECK(plan.entry.esi == boot_layout::kBootParams);
  CHECK(plan.entry.ebx == 0);
  CHECK(plan.entry.edi == 0);
  CHECK(plan.entry.ebp == 0);
  CHECK(plan.entry.code_selector == 0x10);
  CHECK(plan.entry.data_selector == 0x18);
  CHECK(plan.entry.gdt_base == writeNamed(plan, "boot GDT").addr);
  CHECK(plan.ram_bytes == 64 * MiB);
  const std::span<const uint8_t> zp = writeNamed(plan, "boot_params").bytes;
  CHECK(le::read32(zp, 0x218) == 0);  // no initrd
  CHECK(le::read32(zp, 0x21C) == 0);
  CHECK(contains(plan.summary, "6.1.0-test"));
}

TEST_CASE("the initrd goes to the highest page-aligned address below RAM end and initrd_addr_max") {
  const auto img = FakeBzImage{}.build();
  SUBCASE("limited by RAM") {
    const std::vector<uint8_t> initrd(MiB + 1, 1);
    const BootPlan plan = planLinuxBoot(img, initrd, "", 128 * MiB, "k");
    CHECK(writeNamed(plan, "initrd").addr == ((128 * MiB - (MiB + 1)) & ~0xFFFull));
  }
  SUBCASE("exactly one page at the top") {
    const std::vector<uint8_t> initrd(4096, 1);
    CHECK(writeNamed(planLinuxBoot(img, initrd, "", 128 * MiB, "k"), "initrd").addr == 128 * MiB - 4096);
  }
  SUBCASE("limited by initrd_addr_max (inclusive)") {
    FakeBzImage k;
    k.initrd_addr_max = 0x37FFFFFF;
    const std::vector<uint8_t> initrd(8192, 1);
    CHECK(writeNamed(planLinuxBoot(k.build(), initrd, "", 2048 * MiB, "k"), "initrd").addr == 0x38000000 - 8192);
  }
  SUBCASE("RAM above 3 GiB is behind the PCI hole: the initrd stays below it") {
    FakeBzImage k;
    k.initrd_addr_max = 0xFFFFFFFF;
    const std::vector<uint8_t> initrd(4096, 1);
    const BootPlan plan = planLinuxBoot(k.build(), initrd, "", 6ull << 30, "k");
    CHECK(writeNamed(plan, "initrd").addr == 0xC0000000 - 4096);
    CHECK(writeNamed(plan, "boot_params").bytes[0x1E8] == 5);
  }
  SUBCASE("it must stay above the kernel's decompression footprint") {
    // footprint: pref_address 16 MiB + init_size 8 MiB = 24 MiB; RAM 32 MiB.
    const std::vector<uint8_t> fits(8 * MiB, 1);
    CHECK(writeNamed(planLinuxBoot(img, fits, "", 32 * MiB, "k"), "initrd").addr == 24 * MiB);
    const std::vector<uint8_t> too_big(8 * MiB + 1, 1);
    CHECK(contains(refusal(img, too_big, "", 32 * MiB), "initrd of 8388609 bytes does not fit"));
    const std::vector<uint8_t> huge(40 * MiB, 1);
    CHECK(contains(refusal(img, huge, "", 32 * MiB), "does not fit"));
  }
}

TEST_CASE("a kernel that does not fit in RAM is refused") {
  // Needs up to 24 MiB (pref_address + init_size).
  CHECK(contains(refusal(FakeBzImage{}.build(), {}, "", 20 * MiB), "needs RAM up to 0x1800000 (24 MiB)"));
  CHECK(refusal(FakeBzImage{}.build(), {}, "", 24 * MiB).empty());
  FakeBzImage big;
  big.pref_address = 0;
  big.init_size = 0;
  big.payload = 0x200000;
  CHECK(contains(refusal(big.build(), {}, "", 2 * MiB), "needs RAM up to 0x300000"));
}

TEST_CASE("the command line is limited by cmdline_size") {
  const auto img = FakeBzImage{}.build();
  CHECK(refusal(img, {}, std::string(2047, 'a')).empty());
  CHECK(contains(refusal(img, {}, std::string(2048, 'a')), "command line of 2048 bytes exceeds the kernel's limit of 2047"));
}

namespace {

// A kernel fetched by scripts/fetch-guests.sh (vmlinuz-*-<flavour>), or an
// empty path.
std::filesystem::path fetchedKernel(const std::string& flavour) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(SV_GUESTS_DIR, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("vmlinuz-") && name.ends_with("-" + flavour)) return e.path();
  }
  return {};
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("the real Debian 686 kernel's header is understood") {
  const std::filesystem::path kernel_path = fetchedKernel("686");
  if (kernel_path.empty()) {
    MESSAGE("skipped: no vmlinuz-*-686 in " SV_GUESTS_DIR " (run `ninja -C build guests`)");
    return;
  }
  const std::vector<uint8_t> image = readFile(kernel_path);
  const LinuxSetupHeader h = parseLinuxSetupHeader(image, kernel_path.string());
  MESSAGE("real kernel " << kernel_path.filename().string() << ": protocol " << (h.protocol >> 8) << "."
                         << (h.protocol & 0xFF) << ", " << h.kernel_version);
  CHECK(h.protocol >= 0x020F);
  CHECK(h.relocatable);
  CHECK_FALSE(h.hasEntry64());  // a 32-bit kernel
  CHECK(h.kernel_version.starts_with(kernel_path.filename().string().substr(8)));
  CHECK(h.initrd_addr_max >= 0x37FFFFFF);
  CHECK(h.cmdline_size >= 255);
  CHECK(uint64_t(h.setup_bytes) + h.syssize_bytes <= image.size());

  const std::vector<uint8_t> initrd(1 * MiB, 0);
  const BootPlan plan = planLinuxBoot(image, initrd, "console=ttyS0", 128 * MiB, kernel_path.string());
  CHECK(writeNamed(plan, "kernel").addr == 0x100000);
  CHECK(writeNamed(plan, "initrd").addr == 127 * MiB);
  CHECK_THROWS_AS(planLinuxBoot(image, initrd, "", 16 * MiB, kernel_path.string()), ConfigError);
}

TEST_CASE("the real Debian amd64 kernel's header is understood") {
  const std::filesystem::path kernel_path = fetchedKernel("amd64");
  if (kernel_path.empty()) {
    MESSAGE("skipped: no vmlinuz-*-amd64 in " SV_GUESTS_DIR " (run `ninja -C build guests`)");
    return;
  }
  const std::vector<uint8_t> image = readFile(kernel_path);
  const LinuxSetupHeader h = parseLinuxSetupHeader(image, kernel_path.string());
  CHECK(h.protocol >= 0x020F);
  CHECK(h.hasEntry64());
  CHECK(h.kernel_version.starts_with(kernel_path.filename().string().substr(8)));
  // A signed kernel: the signature after syssize is not part of the image.
  const BootPlan plan = planLinuxBoot(image, {}, "console=ttyS0", 128 * MiB, kernel_path.string());
  CHECK(writeNamed(plan, "kernel").bytes.size() == h.syssize_bytes);
}
