// fd_faults.h: running a live server out of file descriptors, as `prlimit --pid PID --nofile=N`
// does, and finding the fds it holds (its reserve fd among them).
//
// Only the soft limit moves: raising it back needs no privilege, while raising a lowered hard
// limit needs CAP_SYS_RESOURCE. Must not: re-limit any process but one the test started.
#ifndef NETREF_HARNESS_SUPPORT_FD_FAULTS_H_
#define NETREF_HARNESS_SUPPORT_FD_FAULTS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <set>

namespace netref::testing {

// The fd numbers `pid` holds, from /proc/PID/fd.
std::set<int> OpenFds(pid_t pid);

// The fd an open or accept in `pid` would get now: the lowest number not open.
int LowestFreeFd(pid_t pid);

// The acceptor's reserve: the server's fd on /dev/null that it opened itself (its stdin may be
// /dev/null too, and it may inherit stray fds from whatever started the test; those are open in
// this process under the same number and target, the reserve is not). -1 if none.
int ReserveFd(pid_t pid);

// Lowers `pid`'s soft fd limit to `limit` (fds numbered `limit` and up cannot be opened: EMFILE)
// and returns the old limits (prlimit failures are printed; the test then sees no fault).
rlimit LimitFds(pid_t pid, int limit);
void RestoreFds(pid_t pid, const rlimit& old);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_FD_FAULTS_H_
