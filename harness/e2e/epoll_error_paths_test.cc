// epoll_error_paths_test.cc: tcp_echo_epoll where a session's echo cannot go out at once, and
// where a session fails (T2: a short write is completed later, a failing session ends alone).
//
// The client that stops reading is real: it sends until the server holds an echo that its socket
// would not take (the kernel's counters show the server read more than it wrote), which is the
// only way into the EPOLLOUT path. Failures no real condition can cause on loopback (epoll_ctl
// refusing a descriptor) are injected with strace. Each test checks what the spec promises on
// that path: the echo whole and in order, the session ended with a message naming its client,
// and every other session served.
// Must not: sleep to synchronise; every wait has a deadline.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"
#include "harness/support/traced_test.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

// Bytes whose every 8-byte block names its own offset: an echo that loses, repeats or reorders
// a piece of the stream cannot equal it.
std::string NumberedBytes(std::size_t offset, std::size_t n) {
  std::string bytes;
  for (std::size_t at = offset; bytes.size() < n; at += 8) {
    char block[9];
    std::snprintf(block, sizeof block, "%07zx\n", (at / 8) % 0x10000000);
    bytes.append(block, 8);
  }
  bytes.resize(n);
  return bytes;
}

// The server's view of `peer`'s connection shows an echo held back: it has read more than it
// has written, and bytes wait unread in its receive queue (so it is not merely between a read
// and its send: it has stopped reading).
bool EchoHeldBack(const core::Endpoint& server, const TcpPeer& peer) {
  const std::optional<TcpCounters> counters = TcpCountersOf(server, peer.local());
  return counters && counters->read() > counters->written() && counters->unread > 0;
}

// Sends from `peer`, never reading, until the server holds an echo back (EchoHeldBack). Returns
// everything sent, or nullopt if that state never came (within 64 MiB or the deadline).
std::optional<std::string> SendUntilEchoHeldBack(const core::Endpoint& server, TcpPeer& peer) {
  constexpr std::size_t kChunk = 65536;
  constexpr std::size_t kMaxBytes = std::size_t{64} << 20;
  const Deadline deadline = Deadline::In(seconds(20));
  std::string sent;
  while (sent.size() < kMaxBytes && !deadline.expired()) {
    const std::string chunk = NumberedBytes(sent.size(), kChunk);
    const ssize_t n = ::send(peer.fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent.append(chunk, 0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return std::nullopt;
    // Our socket is full: either the server has stopped reading (the state sought) or it is
    // still catching up.
    if (EchoHeldBack(server, peer)) return sent;
    peer.Readable(Deadline::In(std::chrono::milliseconds(10)));  // A bounded pause, not a sync.
  }
  return std::nullopt;
}

// The G2-started epoll server, quiet (the 64 KiB messages would make 64 KiB console lines).
StartedServer StartQuietEpoll() { return StartServer("tcp_echo_epoll", {"--quiet"}); }

TEST(T2EpollShortWrite, AnEchoTheClientDoesNotReadIsCompletedInOrderOnceItReads) {
  // Claim: when a client sends without reading until the server's socket takes no more of its
  // echo, the server keeps the rest and stops reading that client; once the client reads, the
  // whole echo arrives, in order, and the session goes on (one more round trip).
  StartedServer server = StartQuietEpoll();
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  TcpPeer client = MustConnect(server);
  const std::optional<std::string> sent = SendUntilEchoHeldBack(server.endpoint, client);
  ASSERT_TRUE(sent.has_value()) << "the server never held an echo back";

  const std::optional<std::string> echo =
      client.ReceiveExactly(sent->size(), Deadline::In(seconds(30)));
  ASSERT_TRUE(echo.has_value()) << "the held-back echo was never completed (" << sent->size()
                                << " bytes sent)";
  EXPECT_TRUE(*echo == *sent) << "the echo of " << sent->size() << " bytes differs";
  EXPECT_EQ(RoundTrip(client, "after", Deadline::In(seconds(5))),
            std::optional<std::string>("after"))
      << "the server did not resume reading once the echo was out";
  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

TEST(T2EpollPeerReset, AResetWhileAnEchoIsHeldBackEndsThatSessionOnly) {
  // Claim: a client that resets its connection while the server holds part of its echo ends
  // that session alone: stderr names the client and the failed write, stdout says it is
  // disconnected, the server closes its socket, and another client is still served.
  StartedServer server = StartQuietEpoll();
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  TcpPeer bystander = MustConnect(server);
  ASSERT_EQ(RoundTrip(bystander, "before", Deadline::In(seconds(5))),
            std::optional<std::string>("before"));
  TcpPeer rude = MustConnect(server);
  const core::Endpoint rude_end = rude.local();
  ASSERT_TRUE(SendUntilEchoHeldBack(server.endpoint, rude).has_value())
      << "the server never held an echo back";
  rude.Reset();

  const std::string port = std::to_string(rude_end.port);
  EXPECT_TRUE(server.process.WaitForLine(
      [&](const std::string& line) { return line == "Client(" + port + "): is disconnected"; },
      Deadline::In(seconds(10))))
      << "no disconnect line for the reset client";
  EXPECT_TRUE(
      PollUntil([&] { return !ConnectionOf(server.process.pid(), server.endpoint, rude_end); },
                Deadline::In(seconds(5))))
      << "the server still holds the reset client's socket";
  const std::string errors = server.process.stderr_text();
  EXPECT_NE(errors.find("Client(" + port + "): write: "), std::string::npos) << errors;
  EXPECT_EQ(RoundTrip(bystander, "after", Deadline::In(seconds(5))),
            std::optional<std::string>("after"));
  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

// epoll_ctl calls of tcp_echo_epoll, in order: 1 adds the signal bridge's wake fd, 2 the
// listener, 3 the first client; 4 is the first client's switch to EPOLLOUT (its first held-back
// echo). The listener is never taken out (no back-off, no cap), so the order is fixed.
constexpr int kFirstClientWatch = 3;
constexpr int kFirstClientRewatch = 4;

TracedProgram StartEpollFailingEpollCtl(int when) {
  return StartTracedServer(
      {"-e", "trace=epoll_ctl", "-e", "inject=epoll_ctl:error=ENOMEM:when=" + std::to_string(when)},
      "tcp_echo_epoll", {"--quiet"});
}

// After one session failed on epoll_ctl: the next client is served, stderr named the failed
// client and the call, and SIGTERM still ends the server with exit 0.
void ExpectNextServedAndFailureNamed(TracedProgram& server, const std::string& port) {
  std::optional<TcpPeer> next = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(RoundTrip(*next, "next", Deadline::In(seconds(5))), std::optional<std::string>("next"));
  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("Client(" + port + "): epoll_ctl: Cannot allocate memory"),
            std::string::npos)
      << errors;
  ExpectStopsWithZero(server);
}

TEST(T2EpollWatchFails, AClientThatCannotBeWatchedIsClosedAndTheNextIsServed) {
  // Claim: when epoll_ctl refuses a new client (ENOMEM, injected), the server says so on stderr
  // naming that client, closes it (the client reads EOF, not silence), and serves the next one.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartEpollFailingEpollCtl(kFirstClientWatch);
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  std::optional<TcpPeer> refused = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(refused.has_value());
  const std::string port = std::to_string(refused->local().port);
  EXPECT_EQ(refused->ReceiveToEof(Deadline::In(seconds(5))), std::optional<std::string>(""))
      << "the client that could not be watched was left open";
  ExpectNextServedAndFailureNamed(server, port);
}

TEST(T2EpollRewatchFails, ASessionWhoseEchoCannotWaitForEpolloutEndsAloneWithAMessage) {
  // Claim: when the switch of a client to EPOLLOUT fails (its echo held back, epoll_ctl MOD
  // refused: ENOMEM, injected), that session ends with a message naming the client and a
  // disconnect line, and the server serves the next client.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartEpollFailingEpollCtl(kFirstClientRewatch);
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  std::optional<TcpPeer> first = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(first.has_value());
  const std::string port = std::to_string(first->local().port);
  // The server stops reading only once it holds an echo back, which needs the MOD that fails:
  // so it never does. Send until it has ended the session (our send fails) instead.
  const std::string chunk = NumberedBytes(0, 65536);
  const Deadline deadline = Deadline::In(seconds(20));
  std::optional<std::string> disconnected;
  while (!disconnected && !deadline.expired()) {
    if (::send(first->fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
      break;  // Reset or shut by the server: the session is over.
    }
    disconnected = server.tracer.WaitForLine(
        [&](const std::string& line) { return line == "Client(" + port + "): is disconnected"; },
        Deadline::In(std::chrono::milliseconds(10)));
  }
  if (!disconnected) {
    disconnected = server.tracer.WaitForLine(
        [&](const std::string& line) { return line == "Client(" + port + "): is disconnected"; },
        Deadline::In(seconds(5)));
  }
  EXPECT_TRUE(disconnected.has_value()) << "the failed session was never ended";
  ExpectNextServedAndFailureNamed(server, port);
}

}  // namespace
}  // namespace netref::testing
