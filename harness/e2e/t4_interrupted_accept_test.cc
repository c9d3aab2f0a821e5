// t4_interrupted_accept_test.cc: the fork server's accept, interrupted by a signal, is simply
// called again (T4: "accept may be interrupted by SIGCHLD; retry on EINTR").
//
// A real SIGCHLD cannot be made to land inside accept4: the listener is non-blocking and the
// server calls accept4 only once epoll has reported a client, so the call never sleeps. strace
// makes the interruption certain instead: it fails the server's first three accept4 calls with
// EINTR (the syscall is not run, so the pending connection stays queued), and its log proves
// that they were injected and answered. The test then asserts on what a client and /proc see.
// Must not: signal any process the test did not start (or that its servers did not fork).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// How many lines of `text` contain `needle`.
int CountLines(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  int count = 0;
  for (std::string line; std::getline(lines, line);)
    count += line.find(needle) != std::string::npos;
  return count;
}

TEST(T4InterruptedAccept, EintrFromAcceptIsRetriedAndTheClientsAreServed) {
  // Claim: with its first three accept4 calls failing with EINTR, the fork server still accepts
  // the waiting client (the fourth call), serves it and the next one, reaps both children,
  // logs nothing on stderr (an interrupted call is no error), and exits 0 on SIGTERM.
  const std::string log =
      ::testing::TempDir() + "t4_interrupted_accept." + std::to_string(::getpid()) + ".strace";
  // A second -o after StartTraced's own: strace writes to the last one given.
  TracedProgram traced = StartTracedServer(
      {"-o", log, "-e", "trace=accept4", "-e", "inject=accept4:error=EINTR:when=1..3"},
      "tcp_echo_fork");
  ASSERT_NE(traced.endpoint.port, 0) << traced.tracer.stderr_text();
  ASSERT_GT(traced.program, 0);
  Subprocess& strace = traced.tracer;
  const core::Endpoint endpoint = traced.endpoint;
  const pid_t server = traced.program;

  for (const char* message : {"first, after three EINTRs", "second"}) {
    SCOPED_TRACE(message);
    std::optional<TcpPeer> client = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
    ASSERT_TRUE(client.has_value());
    EXPECT_EQ(RoundTrip(*client, message, Deadline::In(seconds(5))), message)
        << strace.stderr_text();
    client->Close();
  }
  // Both children ended with their clients and were reaped: none is left, not even a zombie.
  EXPECT_TRUE(PollUntil([&] { return ChildrenOf(server).empty(); }, Deadline::In(seconds(5))))
      << ChildrenOf(server).size() << " children left";

  std::string trace;
  for (const std::string& line : ReadStraceLog(log)) trace += line + "\n";
  EXPECT_EQ(CountLines(trace, "= -1 EINTR (Interrupted system call) (INJECTED)"), 3) << trace;
  EXPECT_GE(CountLines(trace, "accept4("), 4) << trace;

  std::optional<core::WaitStatus> status = StopTraced(traced, Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  EXPECT_EQ(strace.stderr_text(), "") << "an interrupted accept is no error";
  const std::string out = strace.ReadStdoutToEof(Deadline::In(seconds(5)));
  EXPECT_EQ(CountLines(out, " is connected..."), 2) << out;
  std::remove(log.c_str());
}

}  // namespace
}  // namespace netref::testing
