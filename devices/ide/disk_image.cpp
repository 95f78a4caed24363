#include "devices/ide/disk_image.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <cerrno>
#include <cstring>

namespace sv {

DiskImage::DiskImage(const std::string& path, bool read_only, unsigned block_size)
    : path_(path), read_only_(read_only) {
  fd_ = ::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (fd_ < 0)
    throw DiskImageError("disk image '" + path + "': cannot open " + (read_only ? "for reading" : "for reading and writing") +
                         ": " + std::strerror(errno) + (!read_only && errno == EACCES ? " (use readonly=on)" : ""));
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int e = errno;
    ::close(fd_);
    throw DiskImageError("disk image '" + path + "': " + std::strerror(e));
  }
  if (S_ISREG(st.st_mode)) {
    size_ = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    uint64_t bytes = 0;
    if (::ioctl(fd_, BLKGETSIZE64, &bytes) != 0) bytes = 0;
    size_ = bytes;
  } else {
    ::close(fd_);
    throw DiskImageError("disk image '" + path + "': not a regular file or block device");
  }
  if (size_ == 0 || size_ % block_size != 0) {
    ::close(fd_);
    throw DiskImageError("disk image '" + path + "': size " + std::to_string(size_) + " bytes is not a whole, non-zero number of " +
                         std::to_string(block_size) + "-byte sectors");
  }
}

DiskImage::~DiskImage() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {
// Runs `io(offset, done_so_far, left)` (a pread/pwrite) until `len` bytes
// have moved; short transfers continue, EINTR retries, errors and the end
// of the file fail.
template <typename Io>
bool transferAll(uint64_t offset, size_t len, Io io) {
  size_t done = 0;
  while (done < len) {
    const ssize_t n = io(static_cast<off_t>(offset + done), done, len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

bool DiskImage::read(uint64_t offset, void* dst, size_t len) {
  if (offset > size_ || len > size_ - offset) return false;
  auto* p = static_cast<uint8_t*>(dst);
  return transferAll(offset, len, [&](off_t at, size_t done, size_t n) { return ::pread(fd_, p + done, n, at); });
}

bool DiskImage::write(uint64_t offset, const void* src, size_t len) {
  if (read_only_ || offset > size_ || len > size_ - offset) return false;
  auto* p = static_cast<const uint8_t*>(src);
  return transferAll(offset, len, [&](off_t at, size_t done, size_t n) { return ::pwrite(fd_, p + done, n, at); });
}

bool DiskImage::flush() { return read_only_ || ::fdatasync(fd_) == 0; }

}  // namespace sv
