// unique_fd.h: a move-only owner of a file descriptor; closes it in its destructor.
//
// Every fd netref opens lives in one of these, so each failing path closes what it opened.
#ifndef NETREF_REFERENCE_POSIX_UNIQUE_FD_H_
#define NETREF_REFERENCE_POSIX_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace netref::posix {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  // close(2) is not retried on EINTR: on Linux the fd is gone either way.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_UNIQUE_FD_H_
