// echo_server_test.cc: the TCP echo servers, run as real binaries on 127.0.0.1: the lecture's
// iterative and fork servers and the B1 reference designs. Clauses: G2, G3, G5, T1-T4, B1, B2.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
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

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Waits (bounded) until `pid` has no children at all (zombies included).
bool WaitUntilNoChildren(pid_t pid, milliseconds limit) {
  return PollUntil([&] { return ChildrenOf(pid).empty(); }, Deadline::In(limit));
}

// Every byte value, NUL first, twice over.
std::string AllByteValues() {
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  }
  return bytes;
}

// --- Behaviour shared by every TCP echo server -------------------------------------------------

class EchoServers : public ServerTest {};

TEST_P(EchoServers, G2ListeningLineGivesTheRealPort) {
  // Claim: `Server start...` comes first, then `listening on ADDR:PORT` with the address and
  // port of the socket the server really listens on (the one listener among its own fds, as
  // /proc/PID/net/tcp shows it), not merely a well-formed line.
  ASSERT_GE(server().process.lines().size(), 2u);
  EXPECT_EQ(server().process.lines()[0], "Server start...");
  const std::vector<core::Endpoint> listening = ListeningEndpointsOf(server().process.pid());
  ASSERT_EQ(listening.size(), 1u) << "the server should hold exactly one listener";
  EXPECT_EQ(listening[0].address, core::kLoopbackAddress);  // --bind 127.0.0.1
  EXPECT_NE(listening[0].port, 0);
  EXPECT_EQ(server().process.lines()[1], "listening on " + core::FormatEndpoint(listening[0]));
}

TEST_P(EchoServers, T2TextEchoIsExactAndLogged) {
  // Claim: the echo is the bytes sent, and the console shows connect, data and disconnect lines.
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

TEST_P(EchoServers, T2BinaryEchoWithNulBytesIsExact) {
  // Claim (deviation from the strlen echo): every byte value, NUL included, comes back.
  TcpPeer peer = MustConnect(server());
  const std::string bytes = AllByteValues();
  EXPECT_EQ(RoundTrip(peer, bytes, Deadline::In(seconds(5))), bytes);
}

TEST_P(EchoServers, T2OneByteWritesAreEchoedExactly) {
  // Claim: a message sent in many 1-byte writes comes back whole and in order.
  TcpPeer peer = MustConnect(server());
  const std::string message = "split into one-byte writes\0!";
  EXPECT_EQ(StreamEcho(peer, message, 1, Deadline::In(seconds(10))), message);
}

TEST_P(EchoServers, T2MegabyteStreamIsExact) {
  // Claim (G4: reads of at most 8191 bytes): a 1 MiB stream, far over one read, is echoed exactly.
  TcpPeer peer = MustConnect(server());
  std::string data(1 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  }
  std::optional<std::string> echo = StreamEcho(peer, data, 65536, Deadline::In(seconds(30)));
  ASSERT_TRUE(echo.has_value());
  EXPECT_TRUE(*echo == data) << "echo differs from the 1 MiB sent";
}

TEST_P(EchoServers, T2PeerResetNeverEndsTheServer) {
  // Claim: a client that resets mid-session, or leaves before reading its echo, costs only itself.
  {
    TcpPeer reset = MustConnect(server());
    ASSERT_TRUE(reset.SendAll("about to reset", Deadline::In(seconds(5))));
    reset.Reset();
  }
  {
    TcpPeer leaver = MustConnect(server());
    ASSERT_TRUE(leaver.SendAll(std::string(256 * 1024, 'x'), Deadline::In(seconds(5))));
    leaver.Close();  // Unread echo: the server's writes hit a closed socket (EPIPE, no SIGPIPE).
  }
  TcpPeer after = MustConnect(server());
  EXPECT_EQ(RoundTrip(after, "still here", Deadline::In(seconds(10))), "still here");
  EXPECT_TRUE(server().process.running());
}

TEST_P(EchoServers, G3QuietDropsOnlyPerMessageLines) {
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
  quiet.process.Signal(SIGTERM);
  ASSERT_TRUE(quiet.process.Wait(Deadline::In(seconds(5))));
  const std::vector<std::string>& lines = quiet.process.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "client 127.0.0.1:" + port + " is connected..."),
            lines.end());
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "Client(" + port + "): secret"), lines.end());
}

TEST_P(EchoServers, G5SigtermWithALiveClientExitsZero) {
  // Claim: SIGTERM while a client is connected ends the server with status 0 and no process left.
  TcpPeer peer = MustConnect(server());
  ASSERT_EQ(RoundTrip(peer, "ping", Deadline::In(seconds(5))), "ping");
  const pid_t pid = server().process.pid();
  const std::vector<pid_t> before = DescendantsOf(pid);
  server().process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "server did not exit after SIGTERM";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  for (pid_t child : before) EXPECT_FALSE(IsAlive(child)) << "child " << child << " survived";
  EXPECT_TRUE(peer.ReceiveToEof(Deadline::In(seconds(5))).has_value()) << "client not closed";
}

TEST_P(EchoServers, G5SigintExitsZeroToo) {
  // Claim: SIGINT (Ctrl-C) is a clean stop as well.
  server().process.Signal(SIGINT);
  std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

// The lecture's two servers and the two reference designs of B1 share all of the above.
INSTANTIATE_TEST_SUITE_P(AllServers, EchoServers,
                         ::testing::Values("tcp_echo_iterative", "tcp_echo_fork",
                                           "tcp_echo_prefork", "tcp_echo_epoll"));

// --- T1, T3, B2: the listen backlogs -----------------------------------------------------------

// The backlog `name EXTRA...` listens with, as the kernel holds it (ss: Send-Q of the listener).
std::optional<std::size_t> BacklogOf(const char* name, const std::vector<std::string>& extra = {}) {
  StartedServer server = StartServer(name, extra);
  if (server.endpoint.port == 0) return std::nullopt;
  const std::optional<ListenerQueue> queue = ListenerQueueOf(server.endpoint);
  if (!queue) return std::nullopt;
  return queue->backlog;
}

TEST(T1Iterative, ListensWithTheLecturesBacklogOfTwo) {
  // Claim: the iterative server's listener has the lecture's backlog, listen(srvSd, 2).
  EXPECT_EQ(BacklogOf("tcp_echo_iterative"), std::optional<std::size_t>(2));
}

TEST(T3Fork, ListensWithTheLecturesBacklogOfFive) {
  // Claim: the fork server's listener has the lecture's backlog, listen(srvSd, 5); with
  // --max-children (B2) a deeper one holds the clients that wait for a free slot.
  EXPECT_EQ(BacklogOf("tcp_echo_fork"), std::optional<std::size_t>(5));
  EXPECT_EQ(BacklogOf("tcp_echo_fork", {"--max-children", "4"}), std::optional<std::size_t>(128));
}

// --- T1: the iterative server serves one client at a time -------------------------------------

TEST(T1Iterative, SecondClientIsQueuedUntilTheFirstLeaves) {
  // Claim: a second client's connect completes, but its echo comes only after the first closes.
  StartedServer server = StartServer("tcp_echo_iterative");
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer first = MustConnect(server);
  ASSERT_EQ(RoundTrip(first, "first", Deadline::In(seconds(5))), "first");  // Now in session.
  TcpPeer second = MustConnect(server);
  ASSERT_TRUE(second.SendAll("second", Deadline::In(seconds(5))));
  // The server is busy with the first (it answers), and the second waits unaccepted in the
  // listener's queue, its bytes unread and no echo for it.
  EXPECT_EQ(RoundTrip(first, "still first", Deadline::In(seconds(5))), "still first");
  EXPECT_TRUE(WaitsUnaccepted(server, second))
      << "the second client was accepted while the first was still connected";
  EXPECT_EQ(AcceptQueueOf(server), 1);
  EXPECT_EQ(OwnQueuesOf(second.fd()).receive_queue, 0u);
  first.Close();
  EXPECT_EQ(second.ReceiveExactly(6, Deadline::In(seconds(5))), "second");
}

TEST(T1Iterative, QueuedClientsAreServedInAcceptOrder) {
  // Claim: three queued clients (backlog 2 holds them) are served one by one in connect order.
  StartedServer server = StartServer("tcp_echo_iterative");
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer a = MustConnect(server);
  ASSERT_EQ(RoundTrip(a, "a", Deadline::In(seconds(5))), "a");
  TcpPeer b = MustConnect(server);
  ASSERT_TRUE(b.SendAll("b", Deadline::In(seconds(5))));
  TcpPeer c = MustConnect(server);
  ASSERT_TRUE(c.SendAll("c", Deadline::In(seconds(5))));
  TcpPeer d = MustConnect(server);
  ASSERT_TRUE(d.SendAll("d", Deadline::In(seconds(5))));
  const std::vector<std::uint16_t> ports = {a.local().port, b.local().port, c.local().port,
                                            d.local().port};
  // Each one is served only once the one before has left; meanwhile the later ones wait
  // unaccepted in the listener's queue (the kernel's state, checked, not a silence waited out).
  EXPECT_EQ(AcceptQueueOf(server), 3);
  a.Close();
  EXPECT_EQ(b.ReceiveExactly(1, Deadline::In(seconds(5))), "b");
  EXPECT_TRUE(WaitsUnaccepted(server, c));
  EXPECT_TRUE(WaitsUnaccepted(server, d));
  b.Close();
  EXPECT_EQ(c.ReceiveExactly(1, Deadline::In(seconds(5))), "c");
  EXPECT_TRUE(WaitsUnaccepted(server, d));
  c.Close();
  EXPECT_EQ(d.ReceiveExactly(1, Deadline::In(seconds(5))), "d");
  // The console's connect lines are in the same order as the connects.
  for (std::uint16_t port : ports) {
    ASSERT_TRUE(server.process.WaitForLine(
        [&](const std::string& l) {
          return l == "client 127.0.0.1:" + std::to_string(port) + " is connected...";
        },
        Deadline::In(seconds(5))))
        << "connect line for port " << port << " missing or out of order";
  }
}

// --- T3, T4, B2: the fork-per-client server ---------------------------------------------------

TEST(T3Fork, TwoClientsAreServedAtOnce) {
  // Claim: while one client stays connected, another is served: a child per client.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0);
  TcpPeer first = MustConnect(server);
  ASSERT_EQ(RoundTrip(first, "one", Deadline::In(seconds(5))), "one");
  TcpPeer second = MustConnect(server);
  EXPECT_EQ(RoundTrip(second, "two", Deadline::In(seconds(5))), "two");
  EXPECT_EQ(RoundTrip(first, "one again", Deadline::In(seconds(5))), "one again");
  EXPECT_EQ(ChildrenOf(server.process.pid()).size(), 2u);
}

TEST(T4Reaping, TwoHundredClientsLeaveNoZombieAndNoFd) {
  // Claim: after 200 clients come and go, the server has no child (zombie or not) and its open
  // fd count is back where it started.
  StartedServer server = StartServer("tcp_echo_fork", {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  const pid_t pid = server.process.pid();
  const int fds_at_start = OpenFdCount(pid);
  std::vector<TcpPeer> open;
  for (int i = 0; i < 200; ++i) {
    open.push_back(MustConnect(server));
    const std::string message = "client " + std::to_string(i);
    ASSERT_EQ(RoundTrip(open.back(), message, Deadline::In(seconds(5))), message);
    if (open.size() == 8) open.clear();  // Eight at a time leave together: SIGCHLDs coalesce.
  }
  open.clear();
  EXPECT_TRUE(WaitUntilNoChildren(pid, milliseconds(3000)))
      << ZombieChildrenOf(pid).size() << " zombies left";
  EXPECT_EQ(OpenFdCount(pid), fds_at_start);
  TcpPeer after = MustConnect(server);
  EXPECT_EQ(RoundTrip(after, "alive", Deadline::In(seconds(5))), "alive");
}

TEST(B2MaxChildren, NeverMoreThanTheCapAndEveryoneIsServed) {
  // Claim: with --max-children 4, eight clients never make more than 4 children; the rest wait
  // in the backlog and are all served as earlier ones leave.
  StartedServer server = StartServer("tcp_echo_fork", {"--max-children", "4", "--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  const pid_t pid = server.process.pid();
  std::vector<TcpPeer> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(MustConnect(server));
    ASSERT_TRUE(clients.back().SendAll("m" + std::to_string(i), Deadline::In(seconds(5))));
  }
  std::size_t peak = 0;
  std::set<std::size_t> served;
  const Deadline deadline = Deadline::In(seconds(20));
  while (served.size() < clients.size() && !deadline.expired()) {
    peak = std::max(peak, ChildrenOf(pid).size());
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (served.count(i) != 0 || !clients[i].Readable(Deadline::In(milliseconds(5)))) continue;
      EXPECT_EQ(clients[i].ReceiveExactly(2, Deadline::In(seconds(5))), "m" + std::to_string(i));
      // Sampled while this client is still connected: its child is certainly alive now.
      peak = std::max(peak, ChildrenOf(pid).size());
      served.insert(i);
      clients[i].Close();  // Frees a child slot for the next waiting client.
    }
  }
  EXPECT_EQ(served.size(), 8u);
  EXPECT_LE(peak, 4u);
  EXPECT_GE(peak, 1u);
  EXPECT_TRUE(WaitUntilNoChildren(pid, milliseconds(3000)));
}

TEST(B2MaxChildren, ExactlyTheCapIsReachedUnderLoad) {
  // Claim: the cap is a cap, not a lower limit: 6 idle clients against --max-children 3 make 3
  // children, and the other 3 clients get no echo until one of the first leaves.
  StartedServer server = StartServer("tcp_echo_fork", {"--max-children", "3", "--quiet"});
  ASSERT_NE(server.endpoint.port, 0);
  std::vector<TcpPeer> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(MustConnect(server));
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(RoundTrip(clients[i], "x", Deadline::In(seconds(5))), "x");
  }
  ASSERT_TRUE(clients[3].SendAll("y", Deadline::In(seconds(5))));
  // At the cap the server accepts no more: the other three wait in the listener's queue.
  EXPECT_EQ(ChildrenOf(server.process.pid()).size(), 3u);
  EXPECT_EQ(AcceptQueueOf(server), 3);
  for (std::size_t i = 3; i < 6; ++i) {
    EXPECT_TRUE(WaitsUnaccepted(server, clients[i])) << "client " << i << " was accepted";
  }
  clients[0].Close();
  EXPECT_EQ(clients[3].ReceiveExactly(1, Deadline::In(seconds(5))), "y");
}

}  // namespace
}  // namespace netref::testing
