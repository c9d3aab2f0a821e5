// reference_servers_test.cc: the benchmark's two reference designs (B1), run as real binaries on
// 127.0.0.1: the pre-forked pool (tcp_echo_prefork) and the single-process epoll server
// (tcp_echo_epoll). They share the lecture servers' echo session (T2), console (G2, G3) and
// shutdown (G5); each test below states which. Clauses: B1, G2, G3, G5, T2.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "reference/core/echo_session.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Waits (bounded) until `pid` has exactly `count` children, none of them a zombie.
bool WaitForLiveChildren(pid_t pid, std::size_t count, milliseconds limit) {
  const Deadline deadline = Deadline::In(limit);
  while (true) {
    const std::vector<ProcInfo> children = ChildrenOf(pid);
    const bool any_zombie = std::any_of(children.begin(), children.end(),
                                        [](const ProcInfo& c) { return c.state == 'Z'; });
    if (children.size() == count && !any_zombie) return true;
    if (deadline.expired()) return false;
    ::usleep(2000);
  }
}

std::set<pid_t> ChildPids(pid_t pid) {
  std::set<pid_t> pids;
  for (const ProcInfo& child : ChildrenOf(pid)) pids.insert(child.pid);
  return pids;
}

// --- What both reference designs add to the lecture's servers ---------------------------------
// (The echo, console, quiet and shutdown behaviour they share with the lecture's servers is
// tested for all four servers in echo_server_test.cc.)

class ReferenceServers : public ServerTest {};

TEST_P(ReferenceServers, B1ConcurrentClientsAreServedAtOnce) {
  // Claim: four clients connected together are all served, in any order, while all stay open.
  std::vector<TcpPeer> peers;
  for (int i = 0; i < 4; ++i) peers.push_back(MustConnect(server()));
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = peers.size(); i-- > 0;) {  // Last connected first: no queue order helps.
      const std::string message = "client " + std::to_string(i) + " round " + std::to_string(round);
      EXPECT_EQ(RoundTrip(peers[i], message, Deadline::In(seconds(5))), message);
    }
  }
}

TEST_P(ReferenceServers, G5SigtermWithLiveClientsExitsZeroAndLeavesNoProcess) {
  // Claim: SIGTERM with clients connected ends the server with status 0; no worker survives and
  // every client sees its connection closed.
  std::vector<TcpPeer> peers;
  for (int i = 0; i < 3; ++i) {
    peers.push_back(MustConnect(server()));
    ASSERT_EQ(RoundTrip(peers.back(), "ping", Deadline::In(seconds(5))), "ping");
  }
  const pid_t pid = server().process.pid();
  const std::vector<pid_t> before = DescendantsOf(pid);
  server().process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "server did not exit after SIGTERM";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  for (pid_t child : before) EXPECT_FALSE(IsAlive(child)) << "process " << child << " survived";
  for (TcpPeer& peer : peers) {
    EXPECT_TRUE(peer.ReceiveToEof(Deadline::In(seconds(5))).has_value()) << "client not closed";
  }
}

INSTANTIATE_TEST_SUITE_P(B1, ReferenceServers,
                         ::testing::Values("tcp_echo_prefork", "tcp_echo_epoll"));

// --- The pre-forked pool ----------------------------------------------------------------------

TEST(B1Prefork, WorkersFlagSetsThePoolSize) {
  // Claim: --workers 3 gives exactly three worker processes, and three clients are served at
  // once while a fourth waits until one of them leaves.
  StartedServer server = StartServer("tcp_echo_prefork", {"--workers", "3"});
  ASSERT_NE(server.endpoint.port, 0);
  ASSERT_TRUE(WaitForLiveChildren(server.process.pid(), 3, milliseconds(5000)))
      << ChildrenOf(server.process.pid()).size() << " children";
  std::vector<TcpPeer> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(MustConnect(server));
    ASSERT_EQ(RoundTrip(busy.back(), "busy", Deadline::In(seconds(5))), "busy");
  }
  TcpPeer fourth = MustConnect(server);
  ASSERT_TRUE(fourth.SendAll("fourth", Deadline::In(seconds(5))));
  // Every worker is in a session: the fourth waits unaccepted in the shared listener's queue.
  EXPECT_TRUE(WaitsUnaccepted(server, fourth)) << "a fourth client was taken by a pool of three";
  EXPECT_EQ(AcceptQueueOf(server), 1);
  busy.front().Close();
  EXPECT_EQ(fourth.ReceiveExactly(6, Deadline::In(seconds(5))), "fourth");
  EXPECT_EQ(ChildrenOf(server.process.pid()).size(), 3u);
}

TEST(B1Prefork, DefaultPoolHasFourWorkers) {
  // Claim: without --workers the pool has four workers.
  StartedServer server = StartServer("tcp_echo_prefork");
  ASSERT_NE(server.endpoint.port, 0);
  EXPECT_TRUE(WaitForLiveChildren(server.process.pid(), 4, milliseconds(5000)))
      << ChildrenOf(server.process.pid()).size() << " children";
}

TEST(B1Prefork, DeadWorkerIsReapedAndReplaced) {
  // Claim: a worker killed from outside is reaped (no zombie) and a new one takes its place;
  // the pool keeps serving.
  StartedServer server = StartServer("tcp_echo_prefork", {"--workers", "2"});
  ASSERT_NE(server.endpoint.port, 0);
  const pid_t pid = server.process.pid();
  ASSERT_TRUE(WaitForLiveChildren(pid, 2, milliseconds(5000)));
  const std::set<pid_t> before = ChildPids(pid);
  const pid_t victim = *before.begin();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);  // A child of the server, which this test started.
  const Deadline deadline = Deadline::In(seconds(5));
  std::set<pid_t> after = ChildPids(pid);
  while ((after.count(victim) != 0 || after.size() != 2) && !deadline.expired()) {
    ::usleep(2000);
    after = ChildPids(pid);
  }
  EXPECT_EQ(after.count(victim), 0u) << "the dead worker was not reaped";
  EXPECT_TRUE(WaitForLiveChildren(pid, 2, milliseconds(5000))) << "the pool was not refilled";
  std::vector<TcpPeer> peers;
  for (int i = 0; i < 2; ++i) {
    peers.push_back(MustConnect(server));
    EXPECT_EQ(RoundTrip(peers.back(), "alive", Deadline::In(seconds(5))), "alive");
  }
  EXPECT_NE(server.process.stderr_text().find("worker " + std::to_string(victim)),
            std::string::npos)
      << "the replacement was not logged: " << server.process.stderr_text();
}

// --- The epoll server -------------------------------------------------------------------------

TEST(B1Epoll, OneProcessServesManyClientsAtOnce) {
  // Claim: 32 clients connected together are all served by one process with no child.
  StartedServer server = StartServer("tcp_echo_epoll", {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  std::vector<TcpPeer> peers;
  for (int i = 0; i < 32; ++i) peers.push_back(MustConnect(server));
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const std::string message = "epoll client " + std::to_string(i);
    EXPECT_EQ(RoundTrip(peers[i], message, Deadline::In(seconds(5))), message);
  }
  EXPECT_TRUE(ChildrenOf(server.process.pid()).empty());
}

TEST(B1Epoll, ClientThatDoesNotReadIsPushedBackAndStallsOnlyItself) {
  // Claim: a client that sends and never reads is pushed back: once its echo cannot be written,
  // the server stops reading from it, so the bytes pile up in the kernel's queues and the server
  // never holds more than one read (8191 bytes) of them; the server goes on serving others.
  // Proved by the kernel's byte counts of the server's socket once the flow has stopped (read
  // minus written: what only the server's memory holds), not by how much went through in some
  // time. (While bytes move, ss's counters are not read in one instant and may disagree.)
  StartedServer server = StartServer("tcp_echo_epoll", {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer hog = MustConnect(server);
  ASSERT_EQ(RoundTrip(hog, "accepted", Deadline::In(seconds(5))), "accepted");  // In session.
  const std::string chunk(65536, 'h');
  // Far more than every socket buffer on the way (autotuned, a few MiB each): a server that
  // kept reading would take it all.
  constexpr std::size_t kCap = std::size_t{256} << 20;
  std::size_t sent = 0;
  TcpCounters counters, last;
  bool stalled = false;
  const Deadline deadline = Deadline::In(seconds(30));
  while (!stalled && sent < kCap && !deadline.expired()) {
    while (sent < kCap) {  // All that the kernel takes now.
      const ssize_t n = ::send(hog.fd(), chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    const std::optional<TcpCounters> now = TcpCountersOf(server.endpoint, hog.local());
    ASSERT_TRUE(now) << "no counters for the server's socket of the client";
    counters = *now;
    // Nothing moved between two looks: the server neither reads nor writes any more.
    stalled = counters.received == last.received && counters.read() == last.read() &&
              counters.written() == last.written() && counters.acked == last.acked;
    last = counters;
    pollfd writable{hog.fd(), POLLOUT, 0};
    ::poll(&writable, 1, 20);  // Room again (the flow moves), or a second look at a stall.
  }
  const long held = static_cast<long>(counters.read()) - static_cast<long>(counters.written());
  std::printf(
      "[ measure ] hog: %zu bytes sent; server socket: %zu received, %zu unread, %zu "
      "written (%zu unacked); the server holds %ld\n",
      sent, counters.received, counters.unread, counters.written(), counters.unacked, held);
  ASSERT_TRUE(stalled) << sent << " bytes went in and the flow never stopped: the server "
                       << "keeps reading from a client that does not read (no backpressure)";
  EXPECT_GE(held, 0);
  EXPECT_LE(held, static_cast<long>(core::kMaxRead))
      << "the server holds " << held << " bytes of the client's in its own memory";
  EXPECT_GT(counters.unread, 0u) << "the server did not leave the rest in the kernel";
  TcpPeer other = MustConnect(server);
  EXPECT_EQ(RoundTrip(other, "not blocked", Deadline::In(seconds(5))), "not blocked");
}

TEST(B1Epoll, AStreamOfThirtyTwoMegabytesLeavesTheServersMemoryFlat) {
  // Claim: the echo of a long stream is not kept once written: after 32 MiB through one
  // connection (still open), the server's resident memory has grown by less than 4 MiB.
  StartedServer server = StartServer("tcp_echo_epoll", {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer peer = MustConnect(server);
  ASSERT_EQ(RoundTrip(peer, "warm up", Deadline::In(seconds(5))), "warm up");
  const std::optional<long> before = ResidentKiB(server.process.pid());
  ASSERT_TRUE(before);
  std::string data(32 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  const std::optional<std::string> echo = StreamEcho(peer, data, 65536, Deadline::In(seconds(60)));
  ASSERT_TRUE(echo.has_value());
  EXPECT_TRUE(*echo == data) << "echo differs from the 32 MiB sent";
  const std::optional<long> after = ResidentKiB(server.process.pid());
  ASSERT_TRUE(after);
  std::printf("[ measure ] epoll server RSS %ld KiB before, %ld KiB after 32 MiB\n", *before,
              *after);
  EXPECT_LT(*after - *before, 4096) << "the server kept what it echoed";
}

}  // namespace
}  // namespace netref::testing
