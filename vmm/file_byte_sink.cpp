#include "vmm/file_byte_sink.h"

#include <cerrno>
#include <cstring>

namespace sv {

FileByteSink::FileByteSink(const CharSink& sink, const std::string& what) {
  switch (sink.kind) {
    case CharSink::Kind::Stdio: out_ = stdout, line_flush_ = true; break;
    case CharSink::Kind::Null: break;
    case CharSink::Kind::File:
      out_ = std::fopen(sink.path.c_str(), "wb");
      if (!out_) throw ConfigError("cannot open " + what + " output '" + sink.path + "': " + std::strerror(errno));
      // Each line reaches the file as it comes, as QEMU's file chardev
      // writes through: `tail -f` and tests that wait for a line see it.
      owned_ = true, line_flush_ = true;
      break;
  }
}

FileByteSink::~FileByteSink() {
  if (owned_) std::fclose(out_);
  else flush();
}

void FileByteSink::putByte(uint8_t byte) {
  if (!out_) return;
  std::fputc(byte, out_);
  if (line_flush_ && byte == '\n') std::fflush(out_);
}

void FileByteSink::flush() {
  if (out_) std::fflush(out_);
}

}  // namespace sv
