// t2_short_write_test.cc: the epoll server's pending output (T2: "a short write is completed").
//
// The epoll server never blocks on a client: what a send does not take now stays in the
// connection's buffer, the server waits for the socket to be writable (EPOLLOUT) and reads
// nothing more from that client until the echo is out. The adversary is a client that stops
// reading: it sends one read's worth (8191 bytes) at a time, and after each, once the server
// has read all of it and is back in epoll_wait, asks the kernel (ss) whether the server has
// written all it read. The first time it has not, the server holds the rest of an echo with no
// byte of the client left to read: only write readiness can finish it. The client then reads,
// and must get every byte it sent, in order.
// Must not: signal any process the test did not start.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "reference/core/lecture_limits.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

bool WaitsInEpoll(pid_t pid) {
  const std::optional<long> call = BlockedSyscall(pid);
  return call == SYS_epoll_wait || call == SYS_epoll_pwait || call == SYS_epoll_pwait2;
}

// Plays the client that stops reading against `server` (tcp_echo_epoll), as the file's header
// says, until the server holds part of an echo with nothing left to read; then reads, and
// expects every byte it sent.
void ExpectAHeldEchoToBeFinished(StartedServer& server) {
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  TcpPeer client = MustConnect(server);
  const std::string greeting = "in session";
  ASSERT_EQ(RoundTrip(client, greeting, Deadline::In(seconds(5))), greeting);
  // A fixed receive buffer (no autotuning to megabytes), so the server's echo backs up soon;
  // not a tiny one: loopback segments are up to 64 KiB, and a window smaller than one makes the
  // kernel drop them and back off for seconds.
  const int small = 64 << 10;
  ASSERT_EQ(::setsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);

  constexpr std::size_t kCap = std::size_t{64} << 20;  // Far more than every buffer on the way.
  std::string sent;
  bool holding = false;
  const Deadline deadline = Deadline::In(seconds(60));
  for (std::size_t i = 0; !holding && sent.size() < kCap; ++i) {
    std::string piece(core::kMaxRead, static_cast<char>('a' + i % 26));
    piece.front() = static_cast<char>(i % 251);  // No two pieces alike: order shows.
    ASSERT_TRUE(client.SendAll(piece, Deadline::In(seconds(5))))
        << "the server stopped reading with " << sent.size() << " bytes sent";
    sent += piece;
    // Settled: the server has read all (ss), then waits in epoll_wait, so the send that
    // followed the read is done; what it has written now is what the kernel took.
    ASSERT_TRUE(PollUntil(
        [&] {
          const std::optional<TcpCounters> counters =
              TcpCountersOf(server.endpoint, client.local());
          return counters && counters->read() == greeting.size() + sent.size() && WaitsInEpoll(pid);
        },
        deadline))
        << "the server did not read the " << sent.size() << " bytes sent";
    const std::optional<TcpCounters> counters = TcpCountersOf(server.endpoint, client.local());
    ASSERT_TRUE(counters.has_value());
    holding = counters->written() < counters->read();
  }
  ASSERT_TRUE(holding) << "the server never held back part of an echo";
  std::printf("[ measure ] the server held back part of an echo after %zu bytes\n", sent.size());

  const std::optional<std::string> echo =
      client.ReceiveExactly(sent.size(), Deadline::In(seconds(10)));
  if (!echo.has_value()) {
    const std::optional<TcpCounters> after = TcpCountersOf(server.endpoint, client.local());
    FAIL() << "the rest of the echo never came (" << sent.size() << " bytes sent; the server "
           << "read " << (after ? after->read() : 0) << " and wrote "
           << (after ? after->written() : 0) << ", the client holds "
           << OwnQueuesOf(client.fd()).receive_queue << " unread)";
  }
  EXPECT_TRUE(*echo == sent) << "the echo differs from the bytes sent";
  // And the session goes on: the server reads again once the echo is out.
  EXPECT_EQ(RoundTrip(client, "after", Deadline::In(seconds(5))), "after");
}

TEST(T2ShortWrite, EpollServerFinishesAnEchoItCouldNotSendAtOnce) {
  // Claim: when the epoll server has read every byte a client sent but could write only part
  // of the echo (the client stopped reading), the rest goes out once the client reads again,
  // whole and in order.
  StartedServer server = StartServer("tcp_echo_epoll", {"--quiet"});
  ExpectAHeldEchoToBeFinished(server);
}

}  // namespace
}  // namespace netref::testing
