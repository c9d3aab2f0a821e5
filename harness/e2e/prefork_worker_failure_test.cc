// prefork_worker_failure_test.cc: a pre-forked worker that fails after it has served (B1: the
// supervisor logs the death and starts a replacement; no waiting client is lost).
//
// The fault is injected with strace: each worker's second accept4 fails with EBADF, an accept
// error that no real condition produces on a listener the worker holds, and that the acceptor
// treats as fatal. With one worker the order is fixed: it serves the first client, fails on the
// second (which stays in the backlog: an injected call never runs), and its replacement serves
// that one.
// Must not: sleep to synchronise; every wait has a deadline.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"
#include "harness/support/traced_test.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(B1PreforkWorkerFails, AWorkerWhoseAcceptFailsIsLoggedAndReplacedAndTheClientIsServed) {
  // Claim: a worker whose accept fails with a fatal error says so on stderr and exits 1; the
  // supervisor logs that exit and starts another worker, which serves the client that was
  // waiting; the pool is back to its size, and SIGTERM still ends it with exit 0.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server =
      StartTracedServer({"-e", "trace=accept4", "-e", "inject=accept4:error=EBADF:when=2"},
                        "tcp_echo_prefork", {"--workers", "1"});
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();

  std::optional<TcpPeer> first = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(RoundTrip(*first, "first", Deadline::In(seconds(5))),
            std::optional<std::string>("first"));
  first.reset();  // The worker's session ends; its next accept is the one that fails.
  std::optional<TcpPeer> second = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(RoundTrip(*second, "second", Deadline::In(seconds(10))),
            std::optional<std::string>("second"))
      << "the client waiting while its worker failed was never served";

  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("accept: Bad file descriptor"), std::string::npos) << errors;
  EXPECT_TRUE(
      std::regex_search(errors, std::regex("worker [0-9]+ exited with status 1; starting another")))
      << errors;
  EXPECT_TRUE(PollUntil([&] { return ChildrenOf(server.program).size() == 1; },
                        Deadline::In(milliseconds(3000))))
      << "the pool is not back to one worker";
  ExpectStopsWithZero(server);
}

TEST(B1PreforkForkFails, AFailedForkLeavesThePoolShortThenItIsFilled) {
  // Claim: when the supervisor cannot fork a worker (the second fork fails with EAGAIN,
  // injected), it says so on stderr and goes on with the pool short, tries again, and fills
  // it: two clients are then served at the same time by two workers.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  // glibc forks with clone; clone3 too, should a libc switch to it.
  TracedProgram server = StartTracedServer(
      {"-e", "trace=clone,clone3", "-e", "inject=clone,clone3:error=EAGAIN:when=2"},
      "tcp_echo_prefork", {"--workers", "2"});
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  EXPECT_TRUE(PollUntil([&] { return ChildrenOf(server.program).size() == 2; },
                        Deadline::In(milliseconds(5000))))
      << "the pool was never filled after the failed fork";
  // One worker serves one client at a time: two open sessions answering prove two workers.
  std::optional<TcpPeer> one = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  std::optional<TcpPeer> two = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(one.has_value() && two.has_value());
  EXPECT_EQ(RoundTrip(*one, "one", Deadline::In(seconds(5))), std::optional<std::string>("one"));
  EXPECT_EQ(RoundTrip(*two, "two", Deadline::In(seconds(5))), std::optional<std::string>("two"));
  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("fork: Resource temporarily unavailable"), std::string::npos) << errors;
  ExpectStopsWithZero(server);
}

}  // namespace
}  // namespace netref::testing
