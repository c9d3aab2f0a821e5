// proc_inspect.h: what /proc says about a process: its children, its zombies, its open fds, its
// memory, and the system call it waits in.
//
// This kernel has no /proc/PID/task/TID/children, so children are found by scanning
// /proc/*/stat for the parent pid. Used to prove "no zombie, no leaked child, no leaked fd".
#ifndef NETREF_HARNESS_SUPPORT_PROC_INSPECT_H_
#define NETREF_HARNESS_SUPPORT_PROC_INSPECT_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace netref::testing {

struct ProcInfo {
  pid_t pid;
  pid_t ppid;
  char state;  // 'R', 'S', 'Z' (zombie), …
};

// /proc/PID/stat, or nullopt if the process is gone.
std::optional<ProcInfo> ReadProc(pid_t pid);

// Every process whose parent is `pid` (zombies included).
std::vector<ProcInfo> ChildrenOf(pid_t pid);
// The children of `pid` that are zombies.
std::vector<pid_t> ZombieChildrenOf(pid_t pid);
// Every process below `pid`, at any depth.
std::vector<pid_t> DescendantsOf(pid_t pid);

// The number of entries in /proc/PID/fd, or -1 if the process is gone.
int OpenFdCount(pid_t pid);

// True while /proc/PID exists and is not a zombie.
bool IsAlive(pid_t pid);

// /proc/PID/status: `signal` is pending for the process (ShdPnd, sent with kill) or for its
// main thread (SigPnd): sent, not yet delivered, because it is blocked or the process is stopped.
bool SignalPending(pid_t pid, int signal);
// /proc/PID/status SigCgt: the process has a handler installed for `signal`.
bool SignalCaught(pid_t pid, int signal);

// /proc/net/tcp: some socket in this network namespace listens on `port`.
bool SomeoneListensOn(std::uint16_t port);

// /proc/net/udp: the bytes waiting in the receive queue of the UDP socket bound to `port`
// (nullopt if there is none): a server has taken every datagram sent to it once this is 0.
std::optional<std::size_t> UdpReceiveQueueBytes(std::uint16_t port);

// VmRSS from /proc/PID/status, in KiB; nullopt if the process is gone.
std::optional<long> ResidentKiB(pid_t pid);

// The system call `pid` is blocked in now (the first field of /proc/PID/syscall: its number),
// -1 if it is blocked outside one, nullopt if it is running (or gone, or the file unreadable).
std::optional<long> BlockedSyscall(pid_t pid);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_PROC_INSPECT_H_
