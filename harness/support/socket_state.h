// socket_state.h: what the kernel says about TCP sockets, so that tests assert on state (the
// listener a server really holds, its backlog, the bytes waiting in a connection's queues)
// rather than on how long something took.
//
//   /proc/PID/net/tcp  every IPv4 TCP socket of PID's network namespace: endpoints, state, the
//                      queue sizes, the inode; /proc/PID/fd tells which of them PID holds.
//   ss -ltn            a listener's backlog (Send-Q) and its accept queue (Recv-Q): the backlog
//                      is in no /proc file.
//   ss -tin            a connection's byte counters (bytes_received, bytes_acked).
//   SIOCINQ/SIOCOUTQ   the queues of a socket this test holds itself.
// Must not: change any socket.
#ifndef NETREF_HARNESS_SUPPORT_SOCKET_STATE_H_
#define NETREF_HARNESS_SUPPORT_SOCKET_STATE_H_

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <vector>

#include "reference/core/ipv4.h"

namespace netref::testing {

struct TcpSocket {
  core::Endpoint local;
  core::Endpoint remote;
  bool listening = false;
  // Established: bytes written but not yet acknowledged (or not yet sent), and bytes received
  // but not yet read. Listening: 0, and the accept queue's length.
  std::size_t send_queue = 0;
  std::size_t receive_queue = 0;
  unsigned long inode = 0;
};

// The IPv4 TCP sockets `pid` holds open (rows of /proc/PID/net/tcp whose inode is one of its
// fds); empty if the process is gone.
std::vector<TcpSocket> TcpSocketsOf(pid_t pid);

// The endpoints `pid` listens on.
std::vector<core::Endpoint> ListeningEndpointsOf(pid_t pid);

// The connection of `pid` from `local` to `remote`, or nullopt if it holds none.
std::optional<TcpSocket> ConnectionOf(pid_t pid, const core::Endpoint& local,
                                      const core::Endpoint& remote);

// A listener's backlog and how many completed connections wait in its accept queue, from
// `ss -Hltn`; nullopt if nothing listens on `local`.
struct ListenerQueue {
  std::size_t waiting = 0;  // ss Recv-Q
  std::size_t backlog = 0;  // ss Send-Q: listen(2)'s backlog, capped by somaxconn
};
std::optional<ListenerQueue> ListenerQueueOf(const core::Endpoint& local);

// One established connection's byte counters, from `ss -Htin` (the kernel's tcp_info, read in
// one go): what its owner has read and written is exact from these alone, whatever the peer's
// view (an ACK still pending would make the peer's own queues count some bytes twice).
struct TcpCounters {
  std::size_t received = 0;  // bytes_received: from the peer, read or not.
  std::size_t unread = 0;    // Recv-Q: received, not yet read by the owner.
  std::size_t acked = 0;     // bytes_acked: written by the owner and taken by the peer.
  std::size_t unacked = 0;   // Send-Q: written by the owner, not yet taken.
  std::size_t read() const { return received - unread; }
  std::size_t written() const { return acked + unacked; }
};
std::optional<TcpCounters> TcpCountersOf(const core::Endpoint& local, const core::Endpoint& remote);

// The queues of a TCP socket this process holds: SIOCOUTQ (unacknowledged or unsent bytes) and
// SIOCINQ (unread bytes).
struct OwnQueues {
  std::size_t send_queue = 0;
  std::size_t receive_queue = 0;
};
OwnQueues OwnQueuesOf(int fd);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_SOCKET_STATE_H_
