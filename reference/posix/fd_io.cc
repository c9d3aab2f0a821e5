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

// Waits for `events` on `fd` or for `cancel_fd` to become readable; true when `fd` is ready.
absl::StatusOr<bool> WaitFor(int fd, short events, int cancel_fd) {
  pollfd fds[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
  const int n = RetryOnEintr([&] { return ::poll(fds, cancel_fd >= 0 ? 2 : 1, -1); });
  if (n < 0) return ErrnoError(errno, "poll");
  if (cancel_fd >= 0 && (fds[1].revents & POLLIN) != 0) return false;
  return true;  // Ready, or an error/hang-up that the next read or write will report.
}

}  // namespace

absl::StatusOr<std::size_t> ReadSome(int fd, char* buffer, std::size_t capacity) {
  const ssize_t n = RetryOnEintr([&] { return ::read(fd, buffer, capacity); });
  if (n < 0) return ErrnoError(errno, "read");
  return static_cast<std::size_t>(n);
}

absl::Status WriteAll(int fd, std::string_view bytes, int cancel_fd) {
  while (!bytes.empty()) {
    const ssize_t n = RetryOnEintr([&] { return ::write(fd, bytes.data(), bytes.size()); });
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      absl::StatusOr<bool> ready = WaitFor(fd, POLLOUT, cancel_fd);
      if (!ready.ok()) return ready.status();
      if (!*ready) return absl::CancelledError("write cancelled by a signal");
      continue;
    }
    if (n < 0) return ErrnoError(errno, "write");
    bytes.remove_prefix(static_cast<std::size_t>(n));  // A short write: go on with the rest.
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> WaitReadable(int fd, int cancel_fd) { return WaitFor(fd, POLLIN, cancel_fd); }

absl::Status SetNonBlocking(int fd, bool non_blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl F_GETFL");
  const int wanted = non_blocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) != 0)
    return ErrnoError(errno, "fcntl F_SETFL");
  return absl::OkStatus();
}

}  // namespace netref::posix
