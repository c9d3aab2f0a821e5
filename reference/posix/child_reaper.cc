// child_reaper.cc
#include "reference/posix/child_reaper.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <utility>

#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"

namespace netref::posix {

namespace {

// SIGKILL and a blocking reap: the end of a child that its owner gives up on.
void KillAndWait(pid_t pid) {
  ::kill(pid, SIGKILL);  // Must reap: an unreaped child is a zombie until we exit.
  int raw = 0;
  RetryOnEintr([&] { return ::waitpid(pid, &raw, 0); });
}

}  // namespace

ChildReaper::~ChildReaper() {
  for (pid_t pid : live_) KillAndWait(pid);
}

std::vector<ReapedChild> ChildReaper::ReapExited() {
  std::vector<ReapedChild> reaped;
  while (true) {
    int raw = 0;
    const pid_t pid = RetryOnEintr([&] { return ::waitpid(-1, &raw, WNOHANG); });
    if (pid <= 0) break;  // 0: children left but none exited; -1/ECHILD: no children at all.
    live_.erase(pid);
    reaped.push_back({pid, core::DecodeWaitStatus(raw)});
  }
  return reaped;
}

std::vector<ReapedChild> ChildReaper::TerminateAll(int signal, std::chrono::milliseconds grace) {
  for (pid_t pid : live_) ::kill(pid, signal);
  std::vector<ReapedChild> reaped = ReapExited();
  // Poll in 1 ms steps rather than sleep on SIGCHLD: the caller's loop is over, and this keeps
  // shutdown independent of which handlers are installed.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!live_.empty() && std::chrono::steady_clock::now() < deadline) {
    const timespec step{0, 1000000};
    ::nanosleep(&step, nullptr);
    for (ReapedChild& child : ReapExited()) reaped.push_back(child);
  }
  for (pid_t pid : live_) {
    ::kill(pid, SIGKILL);
    int raw = 0;
    if (RetryOnEintr([&] { return ::waitpid(pid, &raw, 0); }) == pid) {
      reaped.push_back({pid, core::DecodeWaitStatus(raw)});
    }
  }
  live_.clear();
  return reaped;
}

ChildHandle& ChildHandle::operator=(ChildHandle&& other) noexcept {
  if (this != &other) {
    KillAndReap();
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

void ChildHandle::KillAndReap() {
  if (pid_ > 0) KillAndWait(pid_);
  pid_ = -1;
}

absl::Status ChildHandle::Signal(int signal) const {
  if (pid_ <= 0) return absl::FailedPreconditionError("no child to signal");
  if (::kill(pid_, signal) != 0) return ErrnoError(errno, "kill");
  return absl::OkStatus();
}

absl::StatusOr<core::WaitStatus> ChildHandle::Wait() {
  if (pid_ <= 0) return absl::FailedPreconditionError("no child to wait for");
  int raw = 0;
  const pid_t waited = RetryOnEintr([&] { return ::waitpid(pid_, &raw, 0); });
  const int wait_errno = errno;
  pid_ = -1;  // Reaped, or not ours to wait for (ECHILD): either way no longer ours to signal.
  if (waited < 0) return ErrnoError(wait_errno, "waitpid");
  return core::DecodeWaitStatus(raw);
}

}  // namespace netref::posix
