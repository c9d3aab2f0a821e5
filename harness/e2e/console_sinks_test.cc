// console_sinks_test.cc: the console on every kind of stdout a server can be given (G3, G5): a
// regular file, a socket, a terminal, and a pipe or terminal that /proc/self/fd cannot reopen.
//
// The console writes each kind its own way (console.h): a file plainly, a socket with
// MSG_DONTWAIT, a pipe or terminal through a non-blocking description of its own, and when that
// reopening fails a pipe made non-blocking itself and a terminal written under a timer. For
// each, the promise is the same: lines go out whole while someone reads, and when nobody does
// the server's echo and its SIGTERM go on while the console's lines are dropped and counted. A
// failed reopening is injected with strace on that one path (-P /proc/self/fd/1).
// Must not: sleep to synchronise; every wait has a deadline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"
#include "reference/core/console_lines.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

bool Writable(int fd) {
  pollfd entry{fd, POLLOUT, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLOUT) != 0;
}

// The endpoint `pid` listens on once it does (its stdout may be nothing the test can read).
core::Endpoint ListeningEndpoint(pid_t pid) {
  std::vector<core::Endpoint> listening;
  PollUntil(
      [&] {
        listening = ListeningEndpointsOf(pid);
        return !listening.empty();
      },
      Deadline::In(seconds(10)));
  return listening.empty() ? core::Endpoint{core::kLoopbackAddress, 0} : listening.front();
}

// A pseudo-terminal whose master the test holds and never reads once the server runs.
struct Terminal {
  Terminal() = default;
  Terminal(Terminal&& other) noexcept : master(other.master), slave(other.slave) {
    other.master = other.slave = -1;
  }
  Terminal(const Terminal&) = delete;
  int master = -1;
  int slave = -1;
  ~Terminal() {
    if (slave >= 0) ::close(slave);
    if (master >= 0) ::close(master);
  }
};
std::optional<Terminal> OpenTerminal() {
  Terminal terminal;
  terminal.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (terminal.master < 0 || ::grantpt(terminal.master) != 0 || ::unlockpt(terminal.master) != 0) {
    return std::nullopt;
  }
  const char* name = ::ptsname(terminal.master);
  if (name == nullptr) return std::nullopt;
  terminal.slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (terminal.slave < 0) return std::nullopt;
  return terminal;
}

// Round trips of 8000-byte messages (each an 8 KiB console line, cut to 4 KiB) until `full`
// holds (the console takes no more) or an echo does not come back, then kExtraLines more; true
// once `full` held. The extra lines make the console full by capacity, not by the moment of the
// check: a terminal that says "no room" may still be moving what it took on to its reader's
// side (the pty's buffer work runs apart from the writer), and a server writes a message's line
// after its echo, so the check can come before the line. 16 lines of 4 KiB are more than a
// terminal keeps past its first "no room" (its flip buffers hold 64 KiB at most).
constexpr int kExtraLines = 16;
bool FloodUntil(TcpPeer& client, Subprocess& server, const std::function<bool()>& full) {
  const std::string message(8000, 'f');
  for (int i = 0; i < 400 && !full(); ++i) {
    if (RoundTrip(client, message, Deadline::In(seconds(5))) != message) return false;
    server.PumpNow();  // Stderr only: the console under test is not a pipe the Subprocess reads.
  }
  if (!full()) return false;
  for (int i = 0; i < kExtraLines; ++i) {
    if (RoundTrip(client, message, Deadline::In(seconds(5))) != message) return false;
    server.PumpNow();
  }
  return true;
}

// The promise on a console nobody reads: 300 more exact round trips (each a line to drop, more
// than any last page could hold), then SIGTERM ends the server with exit 0 and its stderr counts
// the lines it dropped. `pid` is the server; `waited` the process whose end says it ended.
void ExpectEchoAndStopWithoutTheConsole(TcpPeer& client, Subprocess& waited, pid_t pid) {
  const Deadline deadline = Deadline::In(seconds(20));
  EXPECT_EQ(RoundTrips(client, 300, deadline), 300) << "the echo waited on the console";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  std::optional<core::WaitStatus> status = waited.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "still running 10 s after SIGTERM with a stuck console";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  const std::string errors = waited.stderr_text();
  EXPECT_TRUE(std::regex_search(errors, std::regex("console: [1-9][0-9]* lines dropped")))
      << errors;
}

std::vector<std::string> EpollServerArgs() {
  return {BinPath("tcp_echo_epoll"), "0", "--bind", "127.0.0.1"};
}

TEST(G3ConsoleToAFile, EveryLineReachesAStdoutThatIsARegularFile) {
  // Claim: with stdout a regular file, the server's lines are all there, whole, in order: start,
  // listening, connected, the message, disconnected.
  char path[] = "/tmp/netref-console-XXXXXX";
  const int file = ::mkstemp(path);
  ASSERT_GE(file, 0);
  ::unlink(path);
  SpawnOptions options;
  options.stdout_fd = file;
  Subprocess server = Subprocess::Start(EpollServerArgs(), options);
  const core::Endpoint endpoint = ListeningEndpoint(server.pid());
  ASSERT_NE(endpoint.port, 0) << server.stderr_text();
  core::Endpoint client_end;
  {
    std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
    ASSERT_TRUE(client.has_value());
    client_end = client->local();
    ASSERT_EQ(RoundTrip(*client, "hello", Deadline::In(seconds(5))),
              std::optional<std::string>("hello"));
  }
  const std::string disconnected =
      "Client(" + std::to_string(client_end.port) + "): is disconnected";
  std::string written;
  ASSERT_TRUE(PollUntil(
      [&] {
        char buffer[4096];
        written.clear();
        ssize_t n;
        for (off_t at = 0; (n = ::pread(file, buffer, sizeof buffer, at)) > 0; at += n) {
          written.append(buffer, static_cast<std::size_t>(n));
        }
        return written.find(disconnected + "\n") != std::string::npos;
      },
      Deadline::In(seconds(5))))
      << written;
  const std::string expected = core::ServerStartLine() + "\n" + core::ListeningLine(endpoint) +
                               "\n" + core::ConnectedLine(client_end) + "\n";
  EXPECT_EQ(written.substr(0, expected.size()), expected);
  EXPECT_NE(written.find("hello"), std::string::npos) << written;
  server.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  ::close(file);
}

TEST(G5ConsoleToASocket, ASocketStdoutNobodyReadsNeverHoldsTheServer) {
  // Claim: with stdout a socket, lines arrive on it while it is read; once nobody reads it and
  // it is full, the echo goes on, SIGTERM still ends the server with exit 0, and the dropped
  // lines are counted on stderr.
  int sockets[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
  SpawnOptions options;
  options.stdout_fd = sockets[1];
  Subprocess server = Subprocess::Start(EpollServerArgs(), options);
  const core::Endpoint endpoint = ListeningEndpoint(server.pid());
  ASSERT_NE(endpoint.port, 0) << server.stderr_text();
  const std::string first = core::ServerStartLine() + "\n";
  std::string got(first.size(), '\0');
  // Bounded like every wait here: a server whose line never comes fails the test in 5 s.
  const int wait_ms = Deadline::In(seconds(5)).remaining_ms();
  const timeval bound{wait_ms / 1000, (wait_ms % 1000) * 1000};
  ASSERT_EQ(::setsockopt(sockets[0], SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound), 0);
  ASSERT_EQ(::recv(sockets[0], got.data(), got.size(), MSG_WAITALL),
            static_cast<ssize_t>(first.size()))
      << "the first console line did not arrive on the socket";
  EXPECT_EQ(got, first);
  std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(client.has_value());
  ASSERT_TRUE(FloodUntil(*client, server, [&] { return !Writable(sockets[1]); }))
      << "the socket never filled";
  ExpectEchoAndStopWithoutTheConsole(*client, server, server.pid());
  ::close(sockets[0]);
  ::close(sockets[1]);
}

TEST(G5ConsoleToATerminal, ATerminalNobodyReadsNeverHoldsTheServer) {
  // Claim: with stdout a terminal whose reader has stopped (its output queue full), the echo
  // goes on, SIGTERM still ends the server with exit 0, and the dropped lines are counted.
  std::optional<Terminal> terminal = OpenTerminal();
  ASSERT_TRUE(terminal.has_value()) << "no pseudo-terminal";
  SpawnOptions options;
  options.stdout_fd = terminal->slave;
  Subprocess server = Subprocess::Start(EpollServerArgs(), options);
  const core::Endpoint endpoint = ListeningEndpoint(server.pid());
  ASSERT_NE(endpoint.port, 0) << server.stderr_text();
  std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(client.has_value());
  ASSERT_TRUE(FloodUntil(*client, server, [&] { return !Writable(terminal->slave); }))
      << "the terminal never filled";
  ExpectEchoAndStopWithoutTheConsole(*client, server, server.pid());
}

// strace options that make the console's reopening of stdout fail (EACCES), and nothing else.
const std::vector<std::string> kNoReopen = {"-P", "/proc/self/fd/1",           "-e", "trace=openat",
                                            "-e", "inject=openat:error=EACCES"};

TEST(G5ConsoleToATerminal, ATerminalThatCannotBeReopenedNeverHoldsTheServer) {
  // Claim: when the console cannot open a description of its own for a terminal stdout (the
  // reopening fails), it leaves the shell's terminal blocking, and yet a line never waits for
  // long: with the terminal full (a 4 KiB line that a poll's POLLOUT does not make room for),
  // the echo goes on, SIGTERM still ends the server with exit 0, and the
  // dropped lines are counted.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  std::optional<Terminal> terminal = OpenTerminal();
  ASSERT_TRUE(terminal.has_value()) << "no pseudo-terminal";
  SpawnOptions options;
  options.stdout_fd = terminal->slave;
  TracedProgram server =
      StartTraced(kNoReopen, "tcp_echo_epoll", {"0", "--bind", "127.0.0.1"}, options);
  ASSERT_GT(server.program, 0);
  const core::Endpoint endpoint = ListeningEndpoint(server.program);
  ASSERT_NE(endpoint.port, 0) << server.tracer.stderr_text();
  EXPECT_EQ(::fcntl(terminal->slave, F_GETFL) & O_NONBLOCK, 0)
      << "the console made the shell's terminal non-blocking";
  std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(client.has_value());
  ASSERT_TRUE(FloodUntil(*client, server.tracer, [&] { return !Writable(terminal->slave); }))
      << "the terminal never filled";
  ExpectEchoAndStopWithoutTheConsole(*client, server.tracer, server.program);
}

TEST(G5ConsoleToAPipe, APipeThatCannotBeReopenedIsMadeNonBlockingAndNeverHoldsTheServer) {
  // Claim: when the console cannot reopen a pipe stdout, it makes the pipe itself non-blocking:
  // with the pipe full and never read, the echo goes on, SIGTERM still ends the server with
  // exit 0, and the dropped lines are counted.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartTraced(kNoReopen, "tcp_echo_epoll", {"0", "--bind", "127.0.0.1"});
  ASSERT_GT(server.program, 0);
  const core::Endpoint endpoint = ListeningEndpoint(server.program);
  ASSERT_NE(endpoint.port, 0) << server.tracer.stderr_text();
  server.tracer.FreezeStdout();
  std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(client.has_value());
  ASSERT_TRUE(FloodUntil(*client, server.tracer, [&] { return server.tracer.StdoutPipeFull(); }))
      << "the pipe never filled";
  ExpectEchoAndStopWithoutTheConsole(*client, server.tracer, server.program);
}

}  // namespace
}  // namespace netref::testing
