// child_wait.h: waiting for a child a test forked itself, always with a deadline.
//
// A test that forks (the wait-status tests) or inherits an orphan (a subreaper) must not block
// in waitpid: a child that never ends would hold the test until ctest's timeout, and a failing
// check would fail slowly. These wait for a state change until a deadline and say when it did
// not come, leaving the child to the caller (KillAndReap). Must not: wait for any process that
// is not a child of the test.
#ifndef NETREF_HARNESS_SUPPORT_CHILD_WAIT_H_
#define NETREF_HARNESS_SUPPORT_CHILD_WAIT_H_

#include <signal.h>
#include <sys/types.h>

#include <optional>

#include "harness/support/deadline.h"

namespace netref::testing {

// waitpid(pid, flags) until `deadline`: the raw status of the change `flags` select (0: the
// child's end, which also reaps it; WUNTRACED: a stop; WCONTINUED: a continue). nullopt if the
// deadline passes first or `pid` is not a child of this process.
std::optional<int> WaitChild(pid_t pid, int flags, const Deadline& deadline);

// waitid(P_PID, pid, flags | WNOWAIT) until `deadline`: what the kernel reports about the
// change, without consuming it (a WaitChild afterwards still sees it). nullopt as WaitChild.
std::optional<siginfo_t> PeekChild(pid_t pid, int flags, const Deadline& deadline);

// SIGKILL to the child `pid`, then reaps it (bounded: SIGKILL cannot be caught or ignored).
void KillAndReap(pid_t pid);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_CHILD_WAIT_H_
