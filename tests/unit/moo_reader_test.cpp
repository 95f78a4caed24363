// MOO reader, metadata.json and revocation list parsing, on small documents
// built here.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/conformance/moo_reader.h"

using namespace sv::conformance;

namespace {

// Builds MOO chunks: [4-byte id][u32 length][payload].
class Blob {
 public:
  Blob& u8(uint8_t v) {
    bytes.push_back(v);
    return *this;
  }
  Blob& u16(uint16_t v) { return u8(v & 0xFF).u8(v >> 8); }
  Blob& u32(uint32_t v) { return u16(v & 0xFFFF).u16(v >> 16); }
  Blob& raw(std::initializer_list<uint8_t> v) {
    bytes.insert(bytes.end(), v);
    return *this;
  }
  Blob& str(const std::string& s) {
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
  Blob& chunk(const char (&id)[5], const Blob& payload) {
    bytes.insert(bytes.end(), id, id + 4);
    u32(static_cast<uint32_t>(payload.bytes.size()));
    bytes.insert(bytes.end(), payload.bytes.begin(), payload.bytes.end());
    return *this;
  }
  std::vector<uint8_t> bytes;
};

Blob mooHeader(uint32_t tests) {
  Blob h;
  h.u8(1).u8(1).u16(0).u32(tests).str("C286");
  return Blob().chunk("MOO ", h);
}

Blob sampleTest(uint32_t index) {
  Blob init_regs;
  init_regs.u16(0x3FFF);
  for (uint16_t r = 0; r < 14; ++r) init_regs.u16(static_cast<uint16_t>(0x1000 + r));
  Blob init_ram;
  init_ram.u32(2).u32(0x10000).u8(0x00).u32(0x10001).u8(0xF4);
  Blob init = Blob().chunk("REGS", init_regs).chunk("RAM ", init_ram);

  Blob fina_regs;
  fina_regs.u16(0x3001).u16(0xBEEF).u16(0x0102).u16(0x0046);  // ax, ip, flags
  Blob fina_ram;
  fina_ram.u32(1).u32(0x2345).u8(0x7F);
  Blob rmsk;
  rmsk.u16(0x2000).u16(0xF7FF);  // flags: OF undefined
  Blob fina = Blob().chunk("REGS", fina_regs).chunk("RMSK", rmsk).chunk("RAM ", fina_ram);

  Blob test;
  test.u32(index);
  test.chunk("NAME", Blob().u32(3).str("add"));
  test.chunk("BYTS", Blob().u32(2).raw({0x00, 0xF4}));
  test.chunk("GMET", Blob().raw({1, 2, 3}));  // unknown here: skipped by length
  test.chunk("INIT", init).chunk("FINA", fina);
  test.chunk("CYCL", Blob().u32(0));
  test.chunk("EXCP", Blob().u8(13).u32(0x1234));
  Blob hash;
  for (uint8_t i = 0; i < 20; ++i) hash.u8(i);
  test.chunk("HASH", hash);
  return Blob().chunk("TEST", test);
}

std::vector<uint8_t> sampleFile(unsigned tests) {
  Blob f = mooHeader(tests);
  Blob meta;
  meta.u8(1).u8(0).u8(6).u32(0).str("add     ").u32(tests).u32(0).u32(0).u8(0).raw({0, 0, 0});
  f.chunk("META", meta);
  for (unsigned i = 0; i < tests; ++i) {
    Blob t = sampleTest(i);
    f.bytes.insert(f.bytes.end(), t.bytes.begin(), t.bytes.end());
  }
  return f.bytes;
}

}  // namespace

TEST_CASE("MooReader parses the header, META and every TEST chunk") {
  MooReader reader(sampleFile(2));
  CHECK(reader.header().major == 1);
  CHECK(reader.header().test_count == 2);
  CHECK(reader.header().cpu_id == "C286");
  CHECK(reader.header().has_meta);
  CHECK(reader.header().mnemonic == "add");

  MooTest t;
  REQUIRE(reader.next(t));
  CHECK(t.index == 0);
  CHECK(t.name == "add");
  CHECK(t.bytes == std::vector<uint8_t>{0x00, 0xF4});
  CHECK(t.init.regs.present == 0x3FFF);
  CHECK(t.init.regs.value[kAX] == 0x1000);
  CHECK(t.init.regs.value[kFlags] == 0x100D);
  REQUIRE(t.init.ram.size() == 2);
  CHECK(t.init.ram[1].addr == 0x10001);
  CHECK(t.init.ram[1].value == 0xF4);

  CHECK(t.fina.regs.has(kAX));
  CHECK_FALSE(t.fina.regs.has(kBX));
  CHECK(t.fina.regs.value[kAX] == 0xBEEF);
  CHECK(t.fina.regs.value[kIP] == 0x0102);
  CHECK(t.fina.regs.value[kFlags] == 0x0046);
  CHECK(t.fina.undefined_masks.has(kFlags));
  CHECK(t.fina.undefined_masks.value[kFlags] == 0xF7FF);
  REQUIRE(t.fina.ram.size() == 1);
  CHECK(t.fina.ram[0].value == 0x7F);

  CHECK(t.has_exception);
  CHECK(t.exception == 13);
  CHECK(t.flag_address == 0x1234);
  CHECK(t.hashHex() == "000102030405060708090a0b0c0d0e0f10111213");

  REQUIRE(reader.next(t));
  CHECK(t.index == 1);
  CHECK_FALSE(reader.next(t));
}

TEST_CASE("MooReader reuses a test without leaking fields from the previous one") {
  Blob f = mooHeader(2);
  Blob a = sampleTest(0);
  f.bytes.insert(f.bytes.end(), a.bytes.begin(), a.bytes.end());
  Blob bare;
  bare.u32(1).chunk("BYTS", Blob().u32(1).raw({0xF4}));
  f.chunk("TEST", bare);
  MooReader reader(f.bytes);
  MooTest t;
  REQUIRE(reader.next(t));
  REQUIRE(reader.next(t));
  CHECK(t.index == 1);
  CHECK(t.name.empty());
  CHECK_FALSE(t.has_exception);
  CHECK_FALSE(t.has_hash);
  CHECK(t.init.ram.empty());
  CHECK(t.fina.regs.present == 0);
}

TEST_CASE("MooReader rejects malformed files with MooError") {
  CHECK_THROWS_AS(MooReader(std::vector<uint8_t>{}), MooError);
  CHECK_THROWS_AS(MooReader(Blob().chunk("TEST", Blob().u32(0)).bytes), MooError);

  std::vector<uint8_t> truncated = sampleFile(2);
  truncated.erase(truncated.end() - 5, truncated.end());  // cut into the last TEST chunk
  MooReader reader(truncated);
  MooTest t;
  CHECK(reader.next(t));
  CHECK_THROWS_AS(reader.next(t), MooError);

  Blob bad_ram = mooHeader(1);
  Blob test;
  test.u32(0).chunk("INIT", Blob().chunk("RAM ", Blob().u32(1000).u32(0).u8(0)));
  bad_ram.chunk("TEST", test);
  MooReader reader2(bad_ram.bytes);
  CHECK_THROWS_AS(reader2.next(t), MooError);
}

TEST_CASE("readFileMaybeGzip reads gzip-compressed and plain files") {
  std::vector<uint8_t> data = sampleFile(3);
  auto dir = std::filesystem::temp_directory_path();
  std::string gz = (dir / "moo_reader_test.MOO.gz").string();
  std::string plain = (dir / "moo_reader_test.MOO").string();

  gzFile f = gzopen(gz.c_str(), "wb");
  REQUIRE(f);
  REQUIRE(gzwrite(f, data.data(), static_cast<unsigned>(data.size())) == static_cast<int>(data.size()));
  gzclose(f);
  FILE* p = std::fopen(plain.c_str(), "wb");
  REQUIRE(p);
  REQUIRE(std::fwrite(data.data(), 1, data.size(), p) == data.size());
  std::fclose(p);

  CHECK(readFileMaybeGzip(gz) == data);
  CHECK(readFileMaybeGzip(plain) == data);
  std::filesystem::remove(gz);
  std::filesystem::remove(plain);
  CHECK_THROWS_AS(readFileMaybeGzip((dir / "no_such_file.MOO.gz").string()), MooError);
}

TEST_CASE("SuiteMetadata finds plain opcodes and reg-field forms") {
  const char* json = R"({
    "cpu": "286", "version": "1.0.0", "list": [1, 2.5, true, false, null, "a\"b\u00e9"],
    "opcodes": {
      "00": {"status": "normal", "arch": "86"},
      "08": {"status": "normal", "flags": ".....a..", "flags-mask": 65519},
      "F6": {"reg": {"1": {"status": "alias"}, "6": {"status": "normal", "flags-mask": 63274}}}
    }
  })";
  SuiteMetadata md = SuiteMetadata::parse(json);
  CHECK(md.cpu() == "286");
  REQUIRE(md.find("00"));
  CHECK(md.find("00")->status == "normal");
  CHECK(md.find("00")->flags_mask == 0xFFFF);
  CHECK(md.find("08")->flags_mask == 0xFFEF);
  REQUIRE(md.find("F6.6"));
  CHECK(md.find("F6.6")->flags_mask == 63274);
  CHECK(md.find("F6.1")->status == "alias");
  CHECK(md.find("F6.2") == nullptr);
  CHECK(md.find("0F") == nullptr);

  CHECK_THROWS_AS(SuiteMetadata::parse("{\"opcodes\": {\"00\": }"), MooError);
  CHECK_THROWS_AS(SuiteMetadata::parse("[1, 2]"), MooError);
  CHECK_THROWS_AS(SuiteMetadata::parse("{\"cpu\": \"286\"}"), MooError);
}

TEST_CASE("parseRevocationList skips comments and blank lines") {
  auto set = parseRevocationList("# header\n\n  626BE5084B331080EB08256C12A62D24AFDF2A03  \r\n#x\nabc\n");
  CHECK(set.size() == 2);
  CHECK(set.count("626be5084b331080eb08256c12a62d24afdf2a03"));
  CHECK(set.count("abc"));
  CHECK(parseRevocationList("").empty());
}
