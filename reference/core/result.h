// result.h: the core's error-as-value type.
//
// The pure core links into fuzz targets that OSS-Fuzz-style images build with libc++, so it
// depends on the C++ standard library alone: no abseil here. Result<T> has the shape of
// absl::StatusOr<T> (ok(), value(), error()); the POSIX layer and the programs turn an error
// into an absl::Status at the boundary. Must not: include any POSIX or abseil header.
#ifndef NETREF_REFERENCE_CORE_RESULT_H_
#define NETREF_REFERENCE_CORE_RESULT_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace netref::core {

// An error from the core: a one-line, human-readable reason ("bad port 'abc': not a number").
struct Error {
  std::string message;
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit, like StatusOr.
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(state_).message;
  }

 private:
  std::variant<T, Error> state_;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_RESULT_H_
