// errno_status.h: system errors as absl::Status values that name the operation and operand
// ("bind 0.0.0.0:9877: Address already in use"), with the errno kept for callers that decide
// by it (EAGAIN, EPIPE, ...).
#ifndef NETREF_REFERENCE_POSIX_ERRNO_STATUS_H_
#define NETREF_REFERENCE_POSIX_ERRNO_STATUS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace netref::posix {

// "op: strerror(err)", as an absl::Status with the matching code; the errno rides along.
absl::Status ErrnoError(int err, std::string_view op);

// The status's message as a std::string (this abseil's string_view is not std::string_view).
std::string MessageOf(const absl::Status& status);

// The errno an ErrnoError carries, or 0 for any other status.
int ErrnoOf(const absl::Status& status);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_ERRNO_STATUS_H_
