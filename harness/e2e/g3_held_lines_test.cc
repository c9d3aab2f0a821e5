// g3_held_lines_test.cc: the TCP servers hold their console lines until they wait
// (Console::HoldUntilWait), and that costs no line, repeats none and shows none late (G3).
//
// Held lines are written by the flush that comes before each wait: before epoll_wait, before
// an echo session reads or writes its client, before fork and before a child's _exit. Each
// test here fails when one of those flushes is missing: a line never shows while the server
// waits (the session's), a fork child prints its parent's held line again (fork's), a child's
// disconnect line is lost (_exit's). And the iterative server, finding the next client queued,
// accepts it without a wait, writing the two lines it holds (one client's end, the next one's
// start) in one write: the strace log shows both.
// Must not: signal any process the test did not start.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

std::string ConnectedLineOf(const TcpPeer& peer) {
  return "client 127.0.0.1:" + std::to_string(peer.local().port) + " is connected...";
}
std::string DisconnectedLineOf(const TcpPeer& peer) {
  return "Client(" + std::to_string(peer.local().port) + "): is disconnected";
}

class HeldLines : public ServerTest {};

INSTANTIATE_TEST_SUITE_P(AllServers, HeldLines,
                         ::testing::Values("tcp_echo_iterative", "tcp_echo_fork",
                                           "tcp_echo_prefork", "tcp_echo_epoll"));

TEST_P(HeldLines, G3EachLineShowsBeforeTheServerWaitsAndOnlyOnce) {
  // Claim: for each of 6 clients in turn, its `is connected` line is on the console while the
  // server waits for the client's first byte (the client sends nothing until it is there), its
  // message line before the server waits again, and its `is disconnected` line once it has
  // closed; and after SIGTERM the whole console holds each of those lines exactly once, in
  // that order, after `Server start...` and `listening on`.
  std::vector<std::string> expected;
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    TcpPeer client = MustConnect(server());
    const Deadline deadline = Deadline::In(seconds(5));
    const std::string connected = ConnectedLineOf(client);
    ASSERT_TRUE(server().process.WaitForLine(
        [&](const std::string& line) { return line == connected; }, deadline))
        << "the connect line was still held while the server waited for the client";
    const std::string message = "held " + std::to_string(i);
    ASSERT_EQ(RoundTrip(client, message, deadline), message);
    const std::string logged = "Client(" + std::to_string(client.local().port) + "): " + message;
    ASSERT_TRUE(server().process.WaitForLine(
        [&](const std::string& line) { return line == logged; }, deadline));
    const std::string disconnected = DisconnectedLineOf(client);
    client.Close();
    ASSERT_TRUE(server().process.WaitForLine(
        [&](const std::string& line) { return line == disconnected; }, deadline))
        << "the disconnect line never came";
    expected.insert(expected.end(), {connected, logged, disconnected});
  }
  server().process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server().process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  (void)server().process.ReadStdoutToEof(Deadline::In(seconds(5)));
  const std::vector<std::string>& lines = server().process.lines();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "Server start...");
  EXPECT_EQ(lines[1].rfind("listening on ", 0), 0u) << lines[1];
  std::vector<std::string> rest(lines.begin() + 2, lines.end());
  if (std::string(GetParam()) == "tcp_echo_fork") {
    // The fork server's parent and children write apart: a child's lines may come before or
    // after the parent's next connect line. Each line once, and each client's in its order.
    std::map<std::string, int> count;
    for (const std::string& line : rest) ++count[line];
    for (const std::string& line : expected) {
      EXPECT_EQ(count[line], 1) << "`" << line << "` is on the console " << count[line]
                                << " times";
    }
    EXPECT_EQ(rest.size(), expected.size());
  } else {
    EXPECT_EQ(rest, expected);
  }
}

TEST(G3HeldLinesOrder, ADiagnosticOnStderrComesAfterTheLinesHeldBeforeIt) {
  // Claim: with stdout and stderr on one pipe (as on one terminal), when one epoll turn reads a
  // message from one client and then a reset from another, the message's line (held for the
  // next wait) comes before the reset's stderr line: a diagnostic writes the held lines first.
  const std::string program = BinPath("tcp_echo_epoll");
  Subprocess server =
      Subprocess::Start({"/bin/sh", "-c", "exec \"$0\" 0 --bind 127.0.0.1 2>&1", program});
  const Deadline deadline = Deadline::In(seconds(10));
  std::optional<std::string> listening = server.WaitForLineStartingWith("listening on ", deadline);
  ASSERT_TRUE(listening.has_value());
  const core::Endpoint endpoint{core::kLoopbackAddress,
                                static_cast<std::uint16_t>(std::stoi(listening->substr(
                                    listening->rfind(':') + 1)))};
  std::optional<TcpPeer> first = TcpPeer::Connect(endpoint, deadline);
  std::optional<TcpPeer> second = TcpPeer::Connect(endpoint, deadline);
  ASSERT_TRUE(first.has_value() && second.has_value());
  for (const TcpPeer* peer : {&*first, &*second}) {
    const std::string connected = ConnectedLineOf(*peer);
    ASSERT_TRUE(server.WaitForLine([&](const std::string& l) { return l == connected; },
                                   deadline));
  }
  const std::string logged = "Client(" + std::to_string(first->local().port) + "): first";
  const std::string reset_prefix =
      "tcp_echo_epoll: Client(" + std::to_string(second->local().port) + "): ";
  const core::Endpoint second_end = second->local();
  // Both events wait for one turn: the server is stopped while they happen (and the kernel has
  // queued both: the message unread on the server's socket, the reset's socket unhashed).
  ASSERT_EQ(::kill(server.pid(), SIGSTOP), 0);
  ASSERT_TRUE(first->SendAll("first", deadline));
  second->Reset();
  ASSERT_TRUE(PollUntil(
      [&] {
        const std::optional<TcpSocket> one = ConnectionOf(server.pid(), endpoint, first->local());
        return one && one->receive_queue == 5 &&
               !ConnectionOf(server.pid(), endpoint, second_end).has_value();
      },
      deadline));
  ASSERT_EQ(::kill(server.pid(), SIGCONT), 0);
  ASSERT_EQ(first->ReceiveExactly(5, deadline), std::optional<std::string>("first"));
  const std::string disconnected = "Client(" + std::to_string(second_end.port) + "): is disconnected";
  ASSERT_TRUE(server.WaitForLine([&](const std::string& l) { return l == disconnected; },
                                 deadline));
  const std::vector<std::string>& lines = server.lines();
  const auto at = [&](const std::function<bool(const std::string&)>& match) {
    return std::find_if(lines.begin(), lines.end(), match) - lines.begin();
  };
  const auto message_at = at([&](const std::string& l) { return l == logged; });
  const auto reset_at = at([&](const std::string& l) { return l.rfind(reset_prefix, 0) == 0; });
  ASSERT_LT(message_at, static_cast<long>(lines.size())) << "no `" << logged << "` line";
  ASSERT_LT(reset_at, static_cast<long>(lines.size())) << "no reset line on stderr";
  EXPECT_LT(message_at, reset_at) << "the reset's diagnostic overtook the line held before it";
  server.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

TEST(T1NextClient, AQueuedClientIsAcceptedWithoutAWaitAndBothLinesGoOutInOneWrite) {
  // Claim: with two clients queued while the first is served, the iterative server, once the
  // first disconnects, accepts the second without an epoll_wait in between (as a blocking
  // accept loop would), and writes the first's `is disconnected` and the second's `is
  // connected` lines in one write; the third is served after the second, in accept order.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  const std::string log =
      ::testing::TempDir() + "t1_next_client." + std::to_string(::getpid()) + ".strace";
  // A second -o after StartTraced's own: strace writes to the last one given.
  TracedProgram traced = StartTracedServer({"-o", log, "-s", "512", "-e",
                                            "trace=epoll_wait,accept4,read,write,close"},
                                           "tcp_echo_iterative", {"--quiet"});
  ASSERT_NE(traced.endpoint.port, 0) << traced.tracer.stderr_text();
  const Deadline deadline = Deadline::In(seconds(10));
  std::optional<TcpPeer> first = TcpPeer::Connect(traced.endpoint, deadline);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(RoundTrip(*first, "first", deadline), "first");  // Accepted and being served.
  std::optional<TcpPeer> second = TcpPeer::Connect(traced.endpoint, deadline);
  std::optional<TcpPeer> third = TcpPeer::Connect(traced.endpoint, deadline);
  ASSERT_TRUE(second.has_value() && third.has_value());
  // Named while the peers are open (a closed TcpPeer forgets its address).
  const std::string second_port = std::to_string(second->local().port);
  const std::string both = DisconnectedLineOf(*first) + "\\n" + ConnectedLineOf(*second) + "\\n";
  const std::string third_end = DisconnectedLineOf(*third);
  // Both queued in the kernel's accept queue before the first one ends.
  ASSERT_TRUE(PollUntil(
      [&] {
        const std::optional<ListenerQueue> queue = ListenerQueueOf(traced.endpoint);
        return queue && queue->waiting == 2;
      },
      deadline))
      << "the two clients never waited in the accept queue together";
  first->Close();
  ASSERT_EQ(RoundTrip(*second, "second", deadline), "second");
  second->Close();
  ASSERT_EQ(RoundTrip(*third, "third", deadline), "third");
  third->Close();
  ASSERT_TRUE(traced.tracer.WaitForLine(
      [&](const std::string& line) { return line == third_end; }, deadline));
  std::optional<core::WaitStatus> status = StopTraced(traced, Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);

  const std::vector<std::string> calls = ReadStraceLog(log);
  const auto index_of = [&](const std::string& needle, std::size_t from) {
    for (std::size_t i = from; i < calls.size(); ++i) {
      if (calls[i].find(needle) != std::string::npos) return i;
    }
    return calls.size();
  };
  const std::size_t accepted_second =
      index_of("sin_port=htons(" + second_port + ")", 0);
  ASSERT_LT(accepted_second, calls.size()) << "no accept4 of the second client in the log";
  // The first client's end: the last read that returned 0 before that accept.
  std::size_t first_end = calls.size();
  for (std::size_t i = 0; i < accepted_second; ++i) {
    if (calls[i].find("read(") != std::string::npos && calls[i].find(" = 0") != std::string::npos)
      first_end = i;
  }
  ASSERT_LT(first_end, accepted_second) << "the first client's end of file is not in the log";
  for (std::size_t i = first_end; i < accepted_second; ++i) {
    EXPECT_EQ(calls[i].find("epoll_wait("), std::string::npos)
        << "the server waited between the first client's end and the second's accept: "
        << calls[i];
  }
  // The console writes through a description of its own (console.h), not fd 1: any fd.
  const std::size_t written = index_of(", \"" + both + "\", ", accepted_second);
  EXPECT_LT(written, calls.size()) << "no single write of both lines after the second's accept";
  ::unlink(log.c_str());
}

}  // namespace
}  // namespace netref::testing
