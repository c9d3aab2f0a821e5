// io.h: the one home of the EINTR policy and of completing short writes.
//
// Every blocking syscall in netref that can fail with EINTR goes through RetryOnEintr; every
// write of a whole buffer goes through WriteAll. No caller writes its own retry loop.
#ifndef NETREF_REFERENCE_POSIX_IO_H_
#define NETREF_REFERENCE_POSIX_IO_H_

#include <cerrno>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace netref::posix {

// Calls `call` until it does not fail with EINTR. A signal that interrupts a syscall is never an
// error here: shutdown is seen through SignalEvents, not through EINTR.
template <typename Call>
auto RetryOnEintr(Call call) -> decltype(call()) {
  decltype(call()) result;
  do {
    result = call();
  } while (result == -1 && errno == EINTR);
  return result;
}

// "op: strerror(err)", as an absl::Status with the matching code; the errno rides along.
absl::Status ErrnoError(int err, std::string_view op);

// The status's message as a std::string (this abseil's string_view is not std::string_view).
std::string MessageOf(const absl::Status& status);

// The errno an ErrnoError carries, or 0 for any other status.
int ErrnoOf(const absl::Status& status);

// One read of at most `capacity` bytes; 0 means EOF.
absl::StatusOr<std::size_t> ReadSome(int fd, char* buffer, std::size_t capacity);

// Writes every byte of `bytes`, completing short writes. SIGPIPE is ignored process-wide
// (signal_events.h IgnoreSigpipe), so a vanished peer is an EPIPE error here, not a death.
// With a `cancel_fd` (>= 0), `fd` may be non-blocking: while it is full, WriteAll waits for it
// or for `cancel_fd` to become readable, and returns a Cancelled status in the second case
// (a server told to stop is not held up by a client that does not read).
absl::Status WriteAll(int fd, std::string_view bytes, int cancel_fd = -1);

// Waits until `fd` is readable (true) or `cancel_fd` is readable (false). cancel_fd may be -1.
absl::StatusOr<bool> WaitReadable(int fd, int cancel_fd);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_IO_H_
