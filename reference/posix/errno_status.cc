// errno_status.cc
#include "reference/posix/errno_status.h"

#include <string>

#include "absl/strings/cord.h"

namespace netref::posix {
namespace {

constexpr char kErrnoPayload[] = "netref/errno";

}  // namespace

absl::Status ErrnoError(int err, std::string_view op) {
  absl::Status status = absl::ErrnoToStatus(err, absl::string_view(op.data(), op.size()));
  status.SetPayload(kErrnoPayload, absl::Cord(std::to_string(err)));
  return status;
}

std::string MessageOf(const absl::Status& status) { return std::string(status.message()); }

int ErrnoOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrnoPayload);
  return payload ? std::stoi(std::string(*payload)) : 0;
}

}  // namespace netref::posix
