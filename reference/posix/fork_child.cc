// fork_child.cc
#include "reference/posix/fork_child.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "reference/posix/console.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/errno_status.h"

namespace netref::posix {
namespace {

// This process's pid, asked once per process (glibc no longer caches getpid, and a fork server
// would pay a syscall per client for it); a child learns its own right after fork.
pid_t g_self = 0;

}  // namespace

pid_t ForkChild(SignalBridge* bridge, int death_signal) {
  Console::Flush();  // Held lines are the parent's: a child must not print them again.
  if (g_self == 0) g_self = ::getpid();
  const pid_t parent = g_self;
  sigset_t all, previous;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  const int fork_errno = errno;
  if (pid == 0) {
    g_self = 0;  // Asked again if this child forks in turn.
    if (bridge != nullptr) {
      bridge->ResetInChild();
      // The stop fd is closed now (its number may be reused): a child's console waits only for
      // room. A child needs no stop fd: a stop kills it (SIGTERM keeps its default action).
      Console::GiveUpOn(-1);
    }
    if (death_signal != 0) {
      if (::prctl(PR_SET_PDEATHSIG, death_signal) != 0) {
        // Without it a SIGKILLed parent would leave this child running forever.
        Console::Error(MessageOf(ErrnoError(errno, "prctl PR_SET_PDEATHSIG")));
        FlushCoverage();
        ::_exit(1);  // GCOVR_EXCL_LINE: after the counters are written, never counted.
      }
      // The parent may have died between fork and prctl: then no signal will ever come.
      if (::getppid() != parent) {
        FlushCoverage();
        ::_exit(0);  // GCOVR_EXCL_LINE: after the counters are written, never counted.
      }
    }
  }
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  errno = fork_errno;
  return pid;
}

}  // namespace netref::posix
