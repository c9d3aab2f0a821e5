// console_test.cc: a console that nobody reads never holds up a server (G5, G3).
//
// Each server runs with its stdout a pipe that the test stops reading (Subprocess::FreezeStdout)
// and then floods with traffic until that pipe is full (StdoutPipeFull: no free page), and then
// with more than a page of console lines, so that a server that waits for its console is
// certainly stuck. From then on the server can only drop its console lines: its echo and relay
// go on, SIGTERM still ends it with exit 0 (its children ended and reaped), and the lines it
// dropped are counted on stderr. A line is one write(2) of at most PIPE_BUF bytes, so the lines
// of a fork server's children never interleave in the pipe (G3).
// Must not: sleep to synchronise; every wait has a deadline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/udp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

// Round trips of 8000-byte messages (each a `Client(PORT): ...` line of about 8 KiB) until the
// server's stdout pipe is full or a round trip gets no echo (the server is stuck on its console).
// True once the pipe is full.
bool FloodUntilConsoleIsFull(Subprocess& server, TcpPeer& peer) {
  const std::string message(8000, 'x');
  for (int i = 0; i < 400 && !server.StdoutPipeFull(); ++i) {
    if (RoundTrip(peer, message, Deadline::In(seconds(2))) != message) break;
    server.PumpNow();  // Stderr only: stdout is frozen.
  }
  return server.StdoutPipeFull();
}

// The pids of `pid`'s children now.
std::vector<pid_t> ChildPids(pid_t pid) {
  std::vector<pid_t> pids;
  for (const ProcInfo& child : ChildrenOf(pid)) pids.push_back(child.pid);
  return pids;
}

class StuckConsole : public ::testing::TestWithParam<const char*> {};

INSTANTIATE_TEST_SUITE_P(AllServers, StuckConsole,
                         ::testing::Values("tcp_echo_iterative", "tcp_echo_fork",
                                           "tcp_echo_prefork", "tcp_echo_epoll"));

TEST_P(StuckConsole, G5SigtermEndsTheServerWhoseStdoutIsNeverRead) {
  // Claim: with its stdout full and never read, mid-flood, the server still exits 0 within 2 s
  // of SIGTERM, leaves no child alive, and reports on stderr how many lines it dropped.
  StartedServer server = StartServer(GetParam());
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  server.process.FreezeStdout();
  TcpPeer flooder = MustConnect(server);
  ASSERT_TRUE(FloodUntilConsoleIsFull(server.process, flooder)) << "the console never filled";
  // More console lines than the pipe's last page holds, so a server that waits for its console
  // is certainly stuck when SIGTERM comes: one more message on the flooding client (a child's
  // or the server's 8 KiB line), then up to 100 new clients (a `connected` line each, in the
  // fork server's parent), until one is no longer even accepted.
  // Its echo comes back only once the server has given that line up (so one is counted).
  EXPECT_EQ(RoundTrip(flooder, std::string(8000, 'y'), Deadline::In(seconds(2))),
            std::string(8000, 'y'))
      << "the echo waits for the console";
  std::vector<TcpPeer> newcomers;
  for (int i = 0; i < 100; ++i) {
    std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(1)));
    if (!peer || !peer->SendAll("newcomer", Deadline::In(seconds(1)))) break;
    newcomers.push_back(std::move(*peer));
  }
  const std::vector<pid_t> children = ChildPids(server.process.pid());

  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(2)));
  ASSERT_TRUE(status.has_value()) << "still running 2 s after SIGTERM with a stuck console";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  for (pid_t child : children) EXPECT_FALSE(IsAlive(child)) << "child " << child << " left";
  const std::string errors = server.process.stderr_text();
  EXPECT_TRUE(std::regex_search(errors, std::regex("console: [1-9][0-9]* lines dropped")))
      << errors;
}

TEST_P(StuckConsole, G5EchoGoesOnWhileStdoutIsNeverRead) {
  // Claim: once its console is full, the server still echoes: a new client gets 300 exact round
  // trips (each one a console line the server must give up: 6 KiB of them, more than the
  // pipe's last page can still take), within one generous deadline.
  StartedServer server = StartServer(GetParam());
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  server.process.FreezeStdout();
  {
    TcpPeer flooder = MustConnect(server);
    ASSERT_TRUE(FloodUntilConsoleIsFull(server.process, flooder)) << "the console never filled";
  }  // The iterative server serves one client at a time: the flooder leaves first.
  TcpPeer client = MustConnect(server);
  const Deadline deadline = Deadline::In(seconds(10));
  EXPECT_EQ(RoundTrips(client, 300, deadline), 300) << "the echo waited on the console";
}

TEST_P(StuckConsole, G5QuietServerOutlivesAConsoleFilledByConnections) {
  // Claim: under --quiet only the connect and disconnect lines reach the console; a churn of
  // connections fills it all the same, and then 100 more clients (7 KiB more of those lines)
  // are still served and SIGTERM still ends the server with exit 0.
  StartedServer server = StartServer(GetParam(), {"--quiet"});
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  server.process.FreezeStdout();
  int connections = 0;
  while (!server.process.StdoutPipeFull() && connections < 4000) {
    std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(2)));
    if (!peer || RoundTrip(*peer, "hi", Deadline::In(seconds(2))) != "hi") break;
    ++connections;
    server.process.PumpNow();
  }
  ASSERT_TRUE(server.process.StdoutPipeFull()) << "after " << connections << " connections";
  for (int i = 0; i < 100; ++i) {
    std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
    ASSERT_TRUE(peer.has_value()) << "client " << i;
    ASSERT_EQ(RoundTrip(*peer, "still", Deadline::In(seconds(5))), "still") << "client " << i;
  }
  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(2)));
  ASSERT_TRUE(status.has_value()) << "still running 2 s after SIGTERM";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

// The chat relay prints `nClient: N` per datagram: about 6,000 of them fill the pipe.
bool FloodChatUntilConsoleIsFull(Subprocess& server, UdpPeer& sender, const core::Endpoint& to) {
  for (int i = 0; i < 200000 && !server.StdoutPipeFull(); ++i) {
    if (!sender.SendTo(to, "flood")) return false;
    if (i % 64 == 0) server.PumpNow();
  }
  return server.StdoutPipeFull();
}

// Reads every datagram `peer` holds now, without waiting.
void DrainNow(UdpPeer& peer) {
  char buffer[65536];
  while (::recv(peer.fd(), buffer, sizeof buffer, MSG_DONTWAIT) >= 0) {
  }
}

TEST(G5StuckConsole, ChatRelayGoesOnAndSigtermEndsIt) {
  // Claim: with its stdout full and never read, the chat server still relays: 600 more
  // messages (7 KiB of `nClient` lines, more than the pipe's last page takes), sent one at a
  // time, each reach the other client; and it exits 0 within 2 s of SIGTERM with its dropped
  // lines counted on stderr.
  StartedServer server = StartServer("udp_chat_server");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  server.process.FreezeStdout();
  std::optional<UdpPeer> sender = UdpPeer::Bind();
  std::optional<UdpPeer> listener = UdpPeer::Bind();
  ASSERT_TRUE(sender && listener);
  ASSERT_TRUE(listener->SendTo(server.endpoint, "joining"));
  ASSERT_TRUE(sender->SendTo(server.endpoint, "hello"));
  ASSERT_TRUE(listener->Receive(Deadline::In(seconds(5))).has_value()) << "no relay at all";
  ASSERT_TRUE(FloodChatUntilConsoleIsFull(server.process, *sender, server.endpoint));

  // The server takes what the flood left in its queue (a message sent now could find that
  // queue full and be dropped by the kernel); the flood's relays overflowed the listener's
  // queue. Then each message is awaited.
  ASSERT_TRUE(PollUntil([&] { return UdpReceiveQueueBytes(server.endpoint.port) == 0u; },
                        Deadline::In(seconds(5))))
      << "the server stopped taking datagrams";
  DrainNow(*listener);
  int relayed = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string message = "paced " + std::to_string(i);
    ASSERT_TRUE(sender->SendTo(server.endpoint, message));
    std::optional<Datagram> got;
    do {
      got = listener->Receive(Deadline::In(seconds(2)));
    } while (got && got->bytes != message);
    if (!got) break;
    ++relayed;
  }
  EXPECT_EQ(relayed, 600) << "the relay stopped with its console";

  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(2)));
  ASSERT_TRUE(status.has_value()) << "still running 2 s after SIGTERM with a stuck console";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  const std::string errors = server.process.stderr_text();
  EXPECT_TRUE(std::regex_search(errors, std::regex("console: [1-9][0-9]* lines dropped")))
      << errors;
}

TEST(G5StuckConsole, TheSharedStdoutDescriptionStaysBlocking) {
  // Claim: the server writes its console through a description of its own: the stdout it was
  // given (here a pipe whose write end the test keeps, as a shell keeps its terminal) is still
  // blocking after the server has started and written lines, so nobody else gets EAGAIN.
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  SpawnOptions options;
  options.stdout_fd = fds[1];
  Subprocess server =
      Subprocess::Start({BinPath("tcp_echo_fork"), "0", "--bind", "127.0.0.1"}, options);
  std::string out;
  const Deadline deadline = Deadline::In(seconds(5));
  while (out.find("listening on") == std::string::npos && !deadline.expired()) {
    char chunk[512];
    pollfd ready{fds[0], POLLIN, 0};  // The read itself is bounded too, not only the loop.
    if (::poll(&ready, 1, deadline.remaining_ms()) != 1) break;
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  ASSERT_NE(out.find("listening on"), std::string::npos) << out;
  EXPECT_EQ(::fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0) << "the server made our stdout non-blocking";
  server.Signal(SIGTERM);
  EXPECT_TRUE(server.Wait(Deadline::In(seconds(5))).has_value());
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(G5StuckConsole, AServerThatCannotReopenItsConsoleStillEndsOnSigterm) {
  // Claim: run as another user (nobody), the server cannot reopen the test's pipe through
  // /proc (it is root's, mode 0600); it falls back to making that pipe's write end
  // non-blocking, and a console nobody reads still costs it lines, never its SIGTERM.
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "setpriv is not installed";
  Subprocess server =
      Subprocess::Start({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         BinPath("tcp_echo_epoll"), "0", "--bind", "127.0.0.1"});
  std::optional<std::string> listening =
      server.WaitForLineStartingWith("listening on ", Deadline::In(seconds(10)));
  ASSERT_TRUE(listening.has_value()) << server.stderr_text();
  const core::Endpoint endpoint{
      core::kLoopbackAddress,
      static_cast<std::uint16_t>(std::stoi(listening->substr(listening->rfind(':') + 1)))};
  server.FreezeStdout();
  std::optional<TcpPeer> flooder = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(flooder.has_value());
  ASSERT_TRUE(FloodUntilConsoleIsFull(server, *flooder));
  EXPECT_EQ(RoundTrip(*flooder, std::string(8000, 'y'), Deadline::In(seconds(2))),
            std::string(8000, 'y'))
      << "the echo waits for the console";
  server.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.Wait(Deadline::In(seconds(2)));
  ASSERT_TRUE(status.has_value()) << "still running 2 s after SIGTERM with a stuck console";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

TEST(G3ConsoleLines, AnEchoOfAFullReadIsLoggedInOnePipeWrite) {
  // Claim: a read of 8191 bytes is echoed whole, and its `Client(PORT): ` line, cut to fit,
  // is at most PIPE_BUF bytes with its newline, shows the data's start and says how many bytes
  // the read had.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  TcpPeer client = MustConnect(server);
  const std::string message(8191, 'z');
  EXPECT_EQ(StreamEcho(client, message, 8191, Deadline::In(seconds(10))), message);
  std::optional<std::string> line =
      server.process.WaitForLineStartingWith("Client(", Deadline::In(seconds(5)));
  ASSERT_TRUE(line.has_value());
  EXPECT_LE(line->size() + 1, static_cast<std::size_t>(PIPE_BUF));
  EXPECT_NE(line->find(": zzzzzzzz"), std::string::npos) << line->substr(0, 80);
  EXPECT_NE(line->find("8191 bytes"), std::string::npos) << line->substr(line->size() - 80);
}

// Receives `n` bytes from `peer`; whenever nothing arrives for 100 ms, drains the server's
// stdout once (a child blocked on a full console then goes on).
std::optional<std::string> ReceiveDrainingWhenStalled(TcpPeer& peer, std::size_t n,
                                                      Subprocess& server,
                                                      const Deadline& deadline) {
  std::string bytes;
  while (bytes.size() < n && !deadline.expired()) {
    char chunk[16384];
    const ssize_t got =
        ::recv(peer.fd(), chunk, std::min(sizeof chunk, n - bytes.size()), MSG_DONTWAIT);
    if (got == 0) return std::nullopt;
    if (got > 0) {
      bytes.append(chunk, static_cast<std::size_t>(got));
    } else if (errno == EAGAIN && !peer.Readable(Deadline::In(std::chrono::milliseconds(100)))) {
      server.PumpNow();
    } else if (errno != EAGAIN && errno != EINTR) {
      return std::nullopt;
    }
  }
  if (bytes.size() < n) return std::nullopt;
  return bytes;
}

std::size_t Index(int i) { return static_cast<std::size_t>(i); }

// The letter client `i` of the interleaving test sends.
char LetterOf(int i) { return static_cast<char>('a' + i); }

TEST(G3ConsoleLines, LinesOfForkChildrenNeverInterleave) {
  // Claim: four children log full 8191-byte reads at the same moments while the console is
  // full and then drained at once (writers blocked or racing for room): every stdout line is
  // still one whole line of one child — `Client(PORT): ` followed only by that client's letter
  // (and at most a cut marker), never two children's bytes mixed.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  constexpr int kClients = 4;
  std::vector<TcpPeer> clients;
  std::map<int, char> letter_of_port;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(MustConnect(server));
    letter_of_port[clients.back().local().port] = LetterOf(i);
  }
  const Deadline deadline = Deadline::In(seconds(30));
  for (int round = 0; round < 40; ++round) {
    // Every client sends at once; the children read and log at once. The test reads stdout
    // only when an echo stalls: by then the pipe is full and children are stuck or racing in
    // their console writes, and the drain lets them all go at the same moment.
    for (int i = 0; i < kClients; ++i) {
      ASSERT_TRUE(clients[Index(i)].SendAll(std::string(8191, LetterOf(i)), deadline));
    }
    for (int i = 0; i < kClients; ++i) {
      std::optional<std::string> echo =
          ReceiveDrainingWhenStalled(clients[Index(i)], 8191, server.process, deadline);
      ASSERT_TRUE(echo.has_value()) << "round " << round << " client " << i;
      EXPECT_EQ(*echo, std::string(8191, LetterOf(i)));
    }
  }
  clients.clear();
  server.process.Signal(SIGTERM);
  ASSERT_TRUE(server.process.Wait(Deadline::In(seconds(10))).has_value());
  const std::string out = server.process.ReadStdoutToEof(Deadline::In(seconds(5)));
  const std::regex data_line("Client\\(([0-9]+)\\): (.*)");
  int data_lines = 0;
  std::size_t start = 0;
  for (std::size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = out.substr(start, end - start);
    std::smatch match;
    if (!std::regex_match(line, match, data_line)) {
      EXPECT_TRUE(line.find("is connected...") != std::string::npos || line.empty())
          << "a line that is no whole line: " << line.substr(0, 100);
      continue;
    }
    if (match[2] == "is disconnected") continue;
    const int port = std::stoi(match[1]);
    ASSERT_EQ(letter_of_port.count(port), 1u) << line.substr(0, 100);
    const std::string data = match[2];
    const std::size_t letters = data.find_first_not_of(letter_of_port[port]);
    // Past the letters, only the cut marker may follow, and it holds no client's letter.
    const std::string rest = letters == std::string::npos ? "" : data.substr(letters);
    for (int i = 0; i < kClients; ++i) {
      EXPECT_EQ(rest.find(std::string(8, LetterOf(i))), std::string::npos)
          << "two children's bytes in one line: " << line.substr(0, 60) << " ... "
          << rest.substr(0, 60);
    }
    ++data_lines;
  }
  EXPECT_GT(data_lines, 0);
}

}  // namespace
}  // namespace netref::testing
