// fd_io.cc
#include "reference/posix/fd_io.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"

namespace netref::posix {
namespace {

// Waits until `fd` takes a write (or has an error or hang-up that the next write will report).
absl::Status WaitWritable(int fd) {
  pollfd entry{fd, POLLOUT, 0};
  if (RetryOnEintr([&] { return ::poll(&entry, 1, -1); }) < 0) return ErrnoError(errno, "poll");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::size_t> ReadSome(int fd, char* buffer, std::size_t capacity) {
  const ssize_t n = RetryOnEintr([&] { return ::read(fd, buffer, capacity); });
  if (n < 0) return ErrnoError(errno, "read");
  return static_cast<std::size_t>(n);
}

absl::Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = RetryOnEintr([&] { return ::write(fd, bytes.data(), bytes.size()); });
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (absl::Status ready = WaitWritable(fd); !ready.ok()) return ready;
      continue;
    }
    if (n < 0) return ErrnoError(errno, "write");
    bytes.remove_prefix(static_cast<std::size_t>(n));  // A short write: go on with the rest.
  }
  return absl::OkStatus();
}

absl::Status SetNonBlocking(int fd, bool non_blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl F_GETFL");
  const int wanted = non_blocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) != 0)
    return ErrnoError(errno, "fcntl F_SETFL");
  return absl::OkStatus();
}

}  // namespace netref::posix
