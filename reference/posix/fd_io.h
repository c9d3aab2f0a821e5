// fd_io.h: the one home of completing short writes, and the reads and waits on one fd that
// every program shares.
//
// Every write of a whole buffer goes through WriteAll; no caller writes its own loop. EINTR is
// retried (eintr.h). SIGPIPE is ignored process-wide (sigpipe_policy.h), so a vanished peer is
// an EPIPE error here, not a death.
#ifndef NETREF_REFERENCE_POSIX_FD_IO_H_
#define NETREF_REFERENCE_POSIX_FD_IO_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace netref::posix {

// One read of at most `capacity` bytes; 0 means EOF.
absl::StatusOr<std::size_t> ReadSome(int fd, char* buffer, std::size_t capacity);

// Writes every byte of `bytes`, completing short writes. `fd` may be non-blocking: while it is
// full, WriteAll waits for room.
absl::Status WriteAll(int fd, std::string_view bytes);

absl::Status SetNonBlocking(int fd, bool non_blocking);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_FD_IO_H_
