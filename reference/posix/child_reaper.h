// child_reaper.h: the one home of child reaping (T4, G5): the owner of a server's children,
// and an owning handle for one child.
//
// A server's SIGCHLD comes to its main loop through the signal bridge; the loop then calls
// ReapExited, which calls waitpid(-1, WNOHANG) until nothing is left: the kernel merges a
// SIGCHLD sent while another is pending, so one delivery may stand for many exits, and reaping
// only one per signal leaves zombies.
//
// One contract for both owners: destroyed while they still own a live child, they kill it
// (SIGKILL) and reap it, so no path out of a server (a fatal error, an early return) leaves a
// child running or a zombie behind.
#ifndef NETREF_REFERENCE_POSIX_CHILD_REAPER_H_
#define NETREF_REFERENCE_POSIX_CHILD_REAPER_H_

#include <sys/types.h>

#include <chrono>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "reference/core/wait_status.h"

namespace netref::posix {

struct ReapedChild {
  pid_t pid;
  core::WaitStatus status;
};

class ChildReaper {
 public:
  ChildReaper() = default;
  ChildReaper(const ChildReaper&) = delete;
  ChildReaper& operator=(const ChildReaper&) = delete;
  ~ChildReaper();

  void Add(pid_t pid) { live_.insert(pid); }
  std::size_t live() const { return live_.size(); }

  // Reaps every child that has exited, without blocking.
  std::vector<ReapedChild> ReapExited();

  // G5: sends `signal` to every live child, waits up to `grace` for them all, then SIGKILLs
  // whoever is left and waits for those too. Returns every child reaped.
  std::vector<ReapedChild> TerminateAll(int signal, std::chrono::milliseconds grace);

 private:
  std::set<pid_t> live_;
};

// One child process, owned: destroyed while still unreaped, it kills the child (SIGKILL) and
// reaps it, so no path leaves a zombie or an orphan behind.
class ChildHandle {
 public:
  ChildHandle() = default;
  explicit ChildHandle(pid_t pid) : pid_(pid) {}
  ChildHandle(ChildHandle&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  // Ends and reaps the child this handle owned (if any), then takes `other`'s.
  ChildHandle& operator=(ChildHandle&& other) noexcept;
  ChildHandle(const ChildHandle&) = delete;
  ChildHandle& operator=(const ChildHandle&) = delete;
  ~ChildHandle() { KillAndReap(); }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // kill(pid, signal) while the child is unreaped.
  absl::Status Signal(int signal) const;

  // Blocks until the child ends. Afterwards the handle is empty, also when waiting failed (the
  // pid is no child of ours): a handle must never signal a pid that another process may reuse.
  absl::StatusOr<core::WaitStatus> Wait();

 private:
  void KillAndReap();

  pid_t pid_ = -1;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_CHILD_REAPER_H_
