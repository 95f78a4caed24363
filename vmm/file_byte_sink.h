// A ByteSink writing to a stdio stream: the back end of -serial stdio,
// file:PATH and null. Owns the stream when it opened it.
#pragma once

#include <cstdio>
#include <string>

#include "devices/byte_sink.h"
#include "vmm/machine_config.h"

namespace sv {

class FileByteSink final : public ByteSink {
 public:
  // Opens `sink` (throws ConfigError naming `what` and the file on failure).
  FileByteSink(const CharSink& sink, const std::string& what);
  ~FileByteSink() override;
  FileByteSink(const FileByteSink&) = delete;
  FileByteSink& operator=(const FileByteSink&) = delete;

  void putByte(uint8_t byte) override;
  void flush();

 private:
  std::FILE* out_ = nullptr;  // nullptr: discard
  bool owned_ = false;
  bool line_flush_ = false;  // a terminal or a log file shows each line at once
};

}  // namespace sv
