// proc_net.h: what /proc/net/{tcp,udp}{,6} say about the sockets of the programs under test:
// which port a process tree has bound, whether it went on to use the network, and which ports
// sit in TIME_WAIT. The kit judges on this state
// rather than on time. Must not: open a socket of its own (it only reads /proc).
#ifndef NETREF_HARNESS_CONFORMANCE_PROC_NET_H_
#define NETREF_HARNESS_CONFORMANCE_PROC_NET_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>

namespace netref::conformance {

// True when a process in the tree of `root` holds a bound UDP socket or a listening TCP one:
// the program went on to use the network (a TCP client's connection is not looked for).
bool TreeUsesNetwork(pid_t root);
// True when a process in the tree of `root` holds a socket bound to `port` (listening, for TCP).
bool TreeIsBoundTo(pid_t root, std::uint16_t port, bool udp);
// True while a TCP socket on local `port` is in TIME_WAIT.
bool PortInTimeWait(std::uint16_t port);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_PROC_NET_H_
