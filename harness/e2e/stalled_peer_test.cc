// stalled_peer_test.cc: a client that sends and never reads the echo cannot keep a server from
// ending (G5, T2, B1).
//
// The client floods the server and reads nothing, so the echo fills the client's receive queue
// and then the server's send queue: the process that serves it is then found (in /proc) blocked
// in its write (iterative, fork, pre-forked: their sessions write blocking) or holding bytes it
// cannot send while it waits for readiness (epoll). That state, not a time, is when SIGTERM
// comes; the server must exit 0 within 2 s and leave no process behind.
// Must not: signal any process the test did not start.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool IsAWrite(long syscall) {
  return syscall == SYS_write || syscall == SYS_sendto || syscall == SYS_sendmsg;
}
bool IsAReadinessWait(long syscall) {
  return syscall == SYS_epoll_wait || syscall == SYS_epoll_pwait || syscall == SYS_poll ||
         syscall == SYS_ppoll;
}

// The process among `server` and its descendants that holds the server's end of `client`'s
// connection, with that socket's state; nullopt while none does.
struct Holder {
  pid_t pid = -1;
  TcpSocket socket;
};
std::optional<Holder> HolderOf(pid_t server, const TcpPeer& client) {
  std::vector<pid_t> candidates = DescendantsOf(server);
  candidates.insert(candidates.begin(), server);
  for (pid_t pid : candidates) {
    for (const TcpSocket& socket : TcpSocketsOf(pid)) {
      if (!socket.listening && socket.remote == client.local()) return Holder{pid, socket};
    }
  }
  return std::nullopt;
}

// True once the holder of the connection is stuck behind the unread echo: bytes in its send
// queue, and blocked in a write, or (a non-blocking server) in a readiness wait.
bool StuckWriting(pid_t server, const TcpPeer& client) {
  const std::optional<Holder> holder = HolderOf(server, client);
  if (!holder || holder->socket.send_queue == 0) return false;
  const std::optional<long> syscall = BlockedSyscall(holder->pid);
  return syscall && (IsAWrite(*syscall) || IsAReadinessWait(*syscall));
}

// Sends without ever reading until the server is stuck writing its echo (bounded: 256 MiB).
bool FloodUntilStuck(pid_t server, TcpPeer& client, const Deadline& deadline) {
  const std::string chunk(65536, 's');
  std::size_t sent = 0;
  while (!deadline.expired() && sent < (std::size_t{256} << 20)) {
    const ssize_t n = ::send(client.fd(), chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    // The server takes no more for now: it is stuck, or merely slow (then more will go).
    if (StuckWriting(server, client)) return true;
    pollfd entry{client.fd(), POLLOUT, 0};
    ::poll(&entry, 1, 10);  // Waits for room; not a synchronisation (the state is checked).
  }
  return false;
}

class StalledPeer : public ServerTest {};

INSTANTIATE_TEST_SUITE_P(AllServers, StalledPeer,
                         ::testing::Values("tcp_echo_iterative", "tcp_echo_fork",
                                           "tcp_echo_prefork", "tcp_echo_epoll"));

TEST_P(StalledPeer, G5SigtermEndsTheServerStuckWritingToAClientThatNeverReads) {
  // Claim: while the server's echo waits for a client that never reads (its write blocked, or
  // its output held), SIGTERM still ends it with exit 0 within 2 s, and no process is left.
  TcpPeer client = MustConnect(server());
  ASSERT_TRUE(FloodUntilStuck(server().process.pid(), client, Deadline::In(seconds(20))))
      << "the server never got stuck behind its unread echo";
  const std::vector<pid_t> processes = DescendantsOf(server().process.pid());

  server().process.Signal(SIGTERM);
  const std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(2)));
  ASSERT_TRUE(status.has_value()) << "still running 2 s after SIGTERM, stuck writing";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  for (pid_t pid : processes) EXPECT_FALSE(IsAlive(pid)) << "process " << pid << " left";
}

TEST_P(StalledPeer, T2AClientThatNeverReadsStallsOnlyItsOwnSession) {
  // Claim: the server stuck writing to one client that never reads still serves the next
  // client once that one goes away (the iterative server), or at once (the others): a stalled
  // peer ends its own session when it leaves, and holds no one else's.
  std::optional<TcpPeer> stalled = MustConnect(server());
  ASSERT_TRUE(FloodUntilStuck(server().process.pid(), *stalled, Deadline::In(seconds(20))))
      << "the server never got stuck behind its unread echo";
  if (std::string(GetParam()) == "tcp_echo_iterative") {
    stalled->Reset();  // One client at a time (T1): the next is served once this one is gone.
    stalled.reset();
  }
  // Twenty round trips, not one: a server whose writes could block serves the next client
  // until its loop turns to the stalled one again (whose bytes wait, always readable), and then
  // serves no one.
  TcpPeer next = MustConnect(server());
  for (int trip = 0; trip < 20; ++trip) {
    const std::string message = "next " + std::to_string(trip);
    ASSERT_EQ(RoundTrip(next, message, Deadline::In(seconds(5))).value_or("<none>"), message);
  }
}

}  // namespace
}  // namespace netref::testing
