// reference_servers_test.cc: the benchmark's two reference designs (B1), run as real binaries on
// 127.0.0.1: the pre-forked pool (tcp_echo_prefork) and the single-process epoll server
// (tcp_echo_epoll). They share the lecture servers' echo session (T2), console (G2, G3) and
// shutdown (G5); each test below states which. Clauses: B1, G2, G3, G5, T2.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TcpPeer MustConnect(const StartedServer& server) {
  std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  if (!peer) ADD_FAILURE() << "connect to port " << server.endpoint.port << " failed";
  return std::move(*peer);
}

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

// Every byte value, NUL first, twice over.
std::string AllByteValues() {
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  }
  return bytes;
}

// --- Behaviour both reference servers share with the lecture's --------------------------------

class ReferenceServers : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    server_.emplace(StartServer(GetParam()));
    ASSERT_NE(server_->endpoint.port, 0) << "no `listening on` line: "
                                         << server_->process.stderr_text();
  }
  StartedServer& server() { return *server_; }

 private:
  std::optional<StartedServer> server_;
};

TEST_P(ReferenceServers, G2StartAndListeningLinesComeFirst) {
  // Claim: `Server start...`, then `listening on 127.0.0.1:PORT` with the real port.
  ASSERT_GE(server().process.lines().size(), 2u);
  EXPECT_EQ(server().process.lines()[0], "Server start...");
  EXPECT_EQ(server().process.lines()[1],
            "listening on 127.0.0.1:" + std::to_string(server().endpoint.port));
}

TEST_P(ReferenceServers, T2TextEchoIsExactAndLogged) {
  // Claim: the echo is the bytes sent; connect, data and disconnect lines keep the lecture's words.
  TcpPeer peer = MustConnect(server());
  const std::string port = std::to_string(peer.local().port);
  EXPECT_EQ(RoundTrip(peer, "hello", Deadline::In(seconds(5))), "hello");
  peer.Close();
  const Deadline deadline = Deadline::In(seconds(5));
  EXPECT_TRUE(server().process.WaitForLine(
      [&](const std::string& l) { return l == "client 127.0.0.1:" + port + " is connected..."; },
      deadline));
  EXPECT_TRUE(server().process.WaitForLine(
      [&](const std::string& l) { return l == "Client(" + port + "): hello"; }, deadline));
  EXPECT_TRUE(server().process.WaitForLine(
      [&](const std::string& l) { return l == "Client(" + port + "): is disconnected"; },
      deadline));
}

TEST_P(ReferenceServers, T2BinaryEchoWithNulBytesIsExact) {
  // Claim: every byte value, NUL included, comes back (no strlen echo).
  TcpPeer peer = MustConnect(server());
  const std::string bytes = AllByteValues();
  EXPECT_EQ(RoundTrip(peer, bytes, Deadline::In(seconds(5))), bytes);
}

TEST_P(ReferenceServers, T2MegabyteStreamIsExact) {
  // Claim: a 1 MiB stream, far over one 8191-byte read and one socket buffer, comes back exactly
  // (the epoll server keeps what a short write left in its OutputBuffer).
  TcpPeer peer = MustConnect(server());
  std::string data(1 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  }
  std::optional<std::string> echo = StreamEcho(peer, data, 65536, Deadline::In(seconds(30)));
  ASSERT_TRUE(echo.has_value());
  EXPECT_TRUE(*echo == data) << "echo differs from the 1 MiB sent";
}

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

TEST_P(ReferenceServers, T2PeerResetNeverEndsTheServer) {
  // Claim: a client that resets, or leaves without reading its echo, costs only itself.
  {
    TcpPeer reset = MustConnect(server());
    ASSERT_TRUE(reset.SendAll("about to reset", Deadline::In(seconds(5))));
    reset.Reset();
  }
  {
    TcpPeer leaver = MustConnect(server());
    ASSERT_TRUE(leaver.SendAll(std::string(256 * 1024, 'x'), Deadline::In(seconds(5))));
    leaver.Close();
  }
  TcpPeer after = MustConnect(server());
  EXPECT_EQ(RoundTrip(after, "still here", Deadline::In(seconds(10))), "still here");
  EXPECT_TRUE(server().process.running());
}

TEST_P(ReferenceServers, G3QuietDropsOnlyPerMessageLines) {
  // Claim: with --quiet, connect and disconnect lines remain and `Client(PORT): DATA` is gone.
  StartedServer quiet = StartServer(GetParam(), {"--quiet"});
  ASSERT_NE(quiet.endpoint.port, 0);
  TcpPeer peer = MustConnect(quiet);
  const std::string port = std::to_string(peer.local().port);
  EXPECT_EQ(RoundTrip(peer, "secret", Deadline::In(seconds(5))), "secret");
  peer.Close();
  ASSERT_TRUE(quiet.process.WaitForLine(
      [&](const std::string& l) { return l == "Client(" + port + "): is disconnected"; },
      Deadline::In(seconds(5))));
  const std::vector<std::string>& lines = quiet.process.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "client 127.0.0.1:" + port + " is connected..."),
            lines.end());
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "Client(" + port + "): secret"), lines.end());
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

TEST_P(ReferenceServers, G5SigintExitsZeroToo) {
  // Claim: SIGINT (Ctrl-C) is a clean stop as well.
  server().process.Signal(SIGINT);
  std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
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
  EXPECT_FALSE(fourth.Readable(Deadline::In(milliseconds(300))))
      << "a fourth client was served by a pool of three";
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

TEST(B1Epoll, ClientThatDoesNotReadStallsOnlyItself) {
  // Claim: a client that sends and never reads is pushed back (the server stops reading from it
  // while its echo waits in the OutputBuffer), and the server goes on serving others.
  StartedServer server = StartServer("tcp_echo_epoll", {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer hog = MustConnect(server);
  // 64 MiB is more than every socket buffer on the way can hold (autotuned, a few MiB each), so
  // the send stalls at the deadline only if the server stopped reading.
  const bool all_sent = hog.SendAll(std::string(64 << 20, 'h'), Deadline::In(milliseconds(2000)));
  EXPECT_FALSE(all_sent) << "64 MiB went through without being read back: no backpressure";
  TcpPeer other = MustConnect(server);
  EXPECT_EQ(RoundTrip(other, "not blocked", Deadline::In(seconds(5))), "not blocked");
}

}  // namespace
}  // namespace netref::testing
