// fork_child.h: the one fork(2) of every netref program that has handlers installed.
//
// Signals stay blocked across the fork until the child has put back the default actions and
// closed the bridge's fds (SignalBridge::ResetInChild): a SIGTERM sent to a brand-new child is
// then delivered with its default action, never swallowed by a copy of the parent's handler,
// and the child never pokes its parent's wake fd. A child that must not outlive its parent asks
// the kernel for a death signal, then checks that the parent did not die before it asked.
#ifndef NETREF_REFERENCE_POSIX_FORK_CHILD_H_
#define NETREF_REFERENCE_POSIX_FORK_CHILD_H_

#include <sys/types.h>

#include "reference/posix/signal_bridge.h"

namespace netref::posix {

// fork(2); returns its result (-1 with errno set on failure). In the child: the bridge (if any)
// is reset, and with a `death_signal` (PR_SET_PDEATHSIG: SIGTERM for a server's child, SIGKILL
// for the chat client's receiver) the child dies when its parent does. If that cannot be
// promised (prctl fails) the child says so and exits 1; if the parent is gone already, it
// exits 0 without a word (nobody is left to serve).
pid_t ForkChild(SignalBridge* bridge, int death_signal);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_FORK_CHILD_H_
