// A raw disk or CD image file, read and written in place with pread/pwrite
// (write-through: a write reaches the file before the command completes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sv {

// The image cannot be used; the message names the file and the problem.
class DiskImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DiskImage {
 public:
  // Opens `path` read-write, or read-only when `read_only` is set; throws
  // DiskImageError when it is missing, unreadable, not a regular file or
  // block device, or not a whole number of `block_size` bytes.
  DiskImage(const std::string& path, bool read_only, unsigned block_size);
  ~DiskImage();
  DiskImage(const DiskImage&) = delete;
  DiskImage& operator=(const DiskImage&) = delete;

  uint64_t sizeBytes() const { return size_; }
  bool readOnly() const { return read_only_; }
  const std::string& path() const { return path_; }

  // False on an I/O error, a short transfer or a range beyond the end.
  bool read(uint64_t offset, void* dst, size_t len);
  bool write(uint64_t offset, const void* src, size_t len);
  bool flush();

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool read_only_;
};

}  // namespace sv
